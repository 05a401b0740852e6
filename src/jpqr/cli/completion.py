"""``jpqr completion bash|zsh|fish``: a shell completion script, generated from the argument
parser itself, so it offers exactly the commands, options and choices ``jpqr`` accepts (the
writers are in ``_shells``, loaded only by this command).

Install it with ``jpqr completion bash > ~/.local/share/bash-completion/completions/jpqr``,
``jpqr completion zsh > ~/.zfunc/_jpqr`` (a directory on ``fpath``) or
``jpqr completion fish > ~/.config/fish/completions/jpqr.fish``. Exit status 0.

>>> "complete -F _jpqr jpqr" in script("bash")
True
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Final

__all__ = ["SHELLS", "add_parser", "run", "script"]

SHELLS: Final = ("bash", "zsh", "fish")


def add_parser(commands: Any) -> None:
    """Declare ``jpqr completion`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print the completion script of jpqr for a shell, to install as it says.",
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell")
    parser.set_defaults(run=run)


def script(shell: str) -> str:
    """The completion script of ``jpqr`` for ``shell`` (``bash``, ``zsh`` or ``fish``)."""
    from . import _shells, make_parser  # the parser of the whole command line

    return _shells.script(shell, make_parser())


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell))
    return 0
