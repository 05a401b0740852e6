"""Ctrl-C in the ``jpqr`` command: exit status 130 and no traceback, at any moment, the loading of
jpqr itself included (``import jpqr`` and the command line's modules are most of a short run).

Imported first by ``jpqr/__init__.py``, so the handler is in place before anything else of jpqr
loads. It acts only in the ``jpqr`` command (the console script or ``python -m jpqr``) and only
where SIGINT still has Python's default handler: a program that imports jpqr keeps its own SIGINT
handling. ``jpqr.cli.main`` turns Ctrl-C back into KeyboardInterrupt while it runs, so that the
reports already written are flushed, and installs the quiet handler again when it returns.
"""

from __future__ import annotations

import os
import sys

__all__ = ["INSTALLED", "exit_quietly", "is_the_command", "quiet"]


def exit_quietly(signum: int, frame: object) -> None:
    """The SIGINT handler outside ``jpqr.cli.main``: a new line on stderr, then status 130."""
    try:
        os.write(2, b"\n")
    finally:
        os._exit(130)


def is_the_command(argv: list[str], orig_argv: list[str]) -> bool:
    """Whether the process runs the ``jpqr`` command, from ``sys.argv`` and ``sys.orig_argv``.

    >>> is_the_command(["/usr/bin/jpqr", "validate"], ["/usr/bin/python3", "/usr/bin/jpqr"])
    True
    >>> is_the_command(["-m", "validate"], ["python", "-m", "jpqr", "validate"])
    True
    >>> is_the_command(["/x/pytest/__main__.py"], ["python", "-m", "pytest"])
    False
    """
    if orig_argv[1:3] == ["-m", "jpqr"]:  # python -m jpqr, while the package loads
        return True
    path = argv[0] if argv else ""
    name = os.path.basename(path)
    if name == "__main__.py":  # python -m jpqr, running jpqr/__main__.py
        name = os.path.basename(os.path.dirname(path))
    return name.removesuffix(".exe").removesuffix("-script.py") == "jpqr"


def quiet() -> bool:
    """Install :func:`exit_quietly` in the ``jpqr`` command; whether it was installed."""
    orig_argv = getattr(sys, "orig_argv", [])  # Python 3.10+
    if not is_the_command(sys.argv, orig_argv):
        return False
    # Only here: a program that imports jpqr need not load it. The C module itself, not
    # signal.py: loading that (its enums) takes long enough for a Ctrl-C to land in it, before
    # the handler is in place, and print a traceback.
    try:
        signal = __import__("_signal")
    except ImportError:  # not CPython
        signal = __import__("signal")

    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return False  # someone set their own: keep it
    signal.signal(signal.SIGINT, exit_quietly)
    return True


#: Whether this process is the ``jpqr`` command with the quiet handler installed.
INSTALLED = quiet()
