"""The ``jpqr`` command line (also ``python -m jpqr``): a thin layer over the public API.

``jpqr validate`` checks payloads, ``jpqr decode`` shows their data objects, ``jpqr build`` makes
one, ``jpqr render`` draws its QR code, ``jpqr scan`` reads codes from images, ``jpqr crc`` computes
the CRC of a text, ``jpqr tags`` lists the data objects of a profile, ``jpqr profiles`` the
profiles with their schemes and sources, and ``jpqr completion`` prints a shell completion
script. Exit status: 0 success (every payload valid), 1 a payload is invalid or a value is
refused, 2 a usage or input error, 130 interrupted (Ctrl-C).

>>> main(["decode", "0002010102116304AD0A"])
ID  Len  Name                        Value
00  02   Payload Format Indicator    01
01  02   Point of Initiation Method  11
63  04   CRC                         AD0A
CRC ok
0
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
from collections.abc import Sequence

from .. import __version__, _interrupt, _kernels
from .._terminal import COLOUR_MODES
from . import build, completion, crc, decode, profiles, render, scan, tags, validate
from ._io import InputError

#: The commands, in the order ``jpqr --help`` lists them.
COMMANDS = (validate, decode, build, render, scan, crc, tags, profiles, completion)

__all__ = ["COMMANDS", "add_colour_option", "main", "make_parser", "version_line"]


def version_line() -> str:
    """What ``jpqr --version`` prints: the version, the twin in use and its CRC kernel.

    >>> version_line().startswith("jpqr ")
    True
    """
    import platform  # only for --version: the other commands need not load it

    if _kernels.IMPLEMENTATION == "cython":
        twin = f"compiled twin (Cython), CRC kernel {_kernels.crc_kernel()}"
        from ..profiles._compiled import UNAVAILABLE  # a partial install: say what is not

        for module, (engine, why) in UNAVAILABLE.items():
            twin += f", {engine} pure ({module} cannot be imported: {why})"
    elif _kernels.NO_EXTENSIONS and sys.implementation.name == "cpython":
        twin = "pure-Python twin (JPQR_NO_EXTENSIONS is set)"
    elif _kernels.NO_EXTENSIONS:
        twin = "pure-Python twin (the compiled twin is for CPython only)"
    else:
        twin = f"pure-Python twin, several times slower: {_kernels.UNAVAILABLE}"
    python = f"{platform.python_implementation()} {platform.python_version()} {platform.machine()}"
    return f"jpqr {__version__}: {twin}; {python}"


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of ``jpqr`` and its commands."""
    parser = argparse.ArgumentParser(
        prog="jpqr",
        description=(
            "Read, check and make EMVCo merchant-presented QR payment codes, JPQR first. "
            "Exit status: 0 success, 1 invalid payload or refused value, 2 usage or input error, "
            "130 interrupted."
        ),
    )
    parser.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        help="show the version, the implementation in use (compiled or pure) and exit",
    )
    add_colour_option(parser, default="auto")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    for subparser in commands.choices.values():
        add_colour_option(subparser, default=argparse.SUPPRESS)
    return parser


def add_colour_option(parser: argparse.ArgumentParser, default: str) -> None:
    """``--color auto|always|never``, before the command or after it (where the command's own
    default is to keep what was given before it)."""
    parser.add_argument(
        "--color",
        choices=COLOUR_MODES,
        default=default,
        help="colour the output: auto (a terminal, unless NO_COLOR is set), always or never",
    )


class _Version(argparse.Action):
    """``--version`` printed as one line (argparse's own action wraps it at the terminal width)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        sys.stdout.write(version_line() + "\n")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``jpqr`` with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    if not _interrupt.INSTALLED:  # not the jpqr command: the program handles SIGINT its way
        return _main(argv)
    # Inside main, Ctrl-C is a KeyboardInterrupt, so that what was written is flushed; before and
    # after it (shutting down), the quiet handler serves.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _main(argv)
    except KeyboardInterrupt:  # between two statements of _main, outside its own handler
        return _report_interrupt()
    finally:
        signal.signal(signal.SIGINT, _interrupt.exit_quietly)


def _main(argv: Sequence[str] | None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_usage(sys.stderr)
        names = ", ".join(command.__name__.rpartition(".")[2] for command in COMMANDS)
        sys.stderr.write(f"jpqr: error: a command is required ({names})\n")
        return 2
    # Payloads are UTF-8 and messages may quote them: never die of an encoding error on output.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        status: int = args.run(args)
        sys.stdout.flush()
    except InputError as exc:
        sys.stderr.write(f"jpqr: error: {exc}\n")
        return 2
    except BrokenPipeError:
        # The reader went away (`jpqr validate -f big.txt | head`): stop quietly.
        _drop_output()
        return 2
    except OSError as exc:  # reading errors are InputErrors already: this is the output
        _drop_output()
        sys.stderr.write(f"jpqr: error: cannot write the output: {exc.strerror or exc}\n")
        return 2
    except KeyboardInterrupt:
        return _report_interrupt()
    return status


def _report_interrupt() -> int:
    try:
        sys.stderr.write("\n")
        sys.stderr.flush()
    except OSError:
        pass
    return 130


def _drop_output() -> None:
    """Point stdout at the null device, so that Python's final flush of what is left in its
    buffer cannot fail again at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
