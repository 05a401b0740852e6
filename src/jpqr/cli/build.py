"""``jpqr build``: make a payload from a JSON spec (the keys of ``jpqr.Builder.from_dict``) and/or
options, and print it.

Options are applied after the spec, so ``--amount`` can fill in the one value that changes per
charging session of a spec file. Exit status: 0 with the payload printed, 1 when the builder
refuses a value (the message names the field and the rule), 2 for a usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Final

from .._terminal import safe
from ..errors import JPQRError
from ._io import InputError, open_input
from .validate import add_profile_option

__all__ = ["add_parser", "run"]

# Options that call one Builder setter with one string (option name = setter name).
_TEXT_SETTERS = (
    ("merchant_category_code", "MCC", "merchant category code (ISO 18245), e.g. 5411"),
    ("currency", "CUR", "currency, ISO 4217 alpha or numeric: JPY or 392"),
    ("amount", "AMOUNT", "transaction amount, e.g. 1500 (yen have no decimals)"),
    ("country", "CC", "country code (ISO 3166-1 alpha-2), e.g. JP"),
    ("merchant_name", "NAME", "merchant name (printable ASCII, at most 25 characters)"),
    ("merchant_city", "CITY", "merchant city (printable ASCII, at most 15 characters)"),
    ("postal_code", "CODE", "postal code (JPQR: 7 digits, no hyphen)"),
    ("bill_number", "TEXT", "62-01 bill number"),
    ("mobile_number", "TEXT", "62-02 mobile number"),
    ("store_label", "TEXT", "62-03 store label"),
    ("loyalty_number", "TEXT", "62-04 loyalty number"),
    ("reference_label", "TEXT", "62-05 reference label (e.g. a charging session)"),
    ("customer_label", "TEXT", "62-06 customer label"),
    ("terminal_label", "TEXT", "62-07 terminal label (e.g. the EVSE)"),
    ("purpose", "TEXT", "62-08 purpose of transaction"),
    ("consumer_data_request", "AME", "62-09 data the app asks for: A address, M mobile, E email"),
    ("merchant_tax_id", "TEXT", "62-10 merchant tax ID"),
    ("merchant_channel", "TEXT", "62-11 merchant channel (3 characters)"),
    ("convenience_fee", "AMOUNT", "55=02: fixed convenience fee"),
    ("convenience_percentage", "PCT", "55=03: convenience fee percentage, e.g. 3.5"),
)


def add_parser(commands: Any) -> None:
    """Declare ``jpqr build`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "build",
        help="make a payload from a JSON spec or options",
        description=(
            "Make a canonical payload (ascending IDs, CRC last) and print it. The spec is a JSON "
            "object with the keys of jpqr.Builder.from_dict; options override it."
        ),
    )
    parser.add_argument(
        "spec", nargs="?", metavar="SPEC", help="JSON spec file ('-' reads it from stdin)"
    )
    add_profile_option(parser, auto=False, default=None, shown="the spec's, else jpqr")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--static", action="store_true", help="01=11: one code for many payments")
    kind.add_argument("--dynamic", action="store_true", help="01=12: a new code per payment")
    parser.add_argument(
        "--jpqr",
        nargs=4,
        metavar=("L1", "L2", "L3", "L4"),
        help="the four levels of the JPQR unified store identifier (template 26)",
    )
    parser.add_argument(
        "--merchant-account",
        nargs=2,
        action="append",
        metavar=("ID", "VALUE"),
        help="a card-network merchant account, IDs 02-25 (repeatable)",
    )
    parser.add_argument(
        "--language",
        nargs=2,
        metavar=("LANG", "NAME"),
        help="template 64: a language (ISO 639, e.g. JA) and the merchant name in it",
    )
    parser.add_argument(
        "--language-city",
        metavar="CITY",
        help="template 64: the merchant city in that language (not in JPQR codes)",
    )
    for setter, metavar, help in _TEXT_SETTERS:
        parser.add_argument(f"--{setter.replace('_', '-')}", metavar=metavar, help=help)
    parser.add_argument("--tip-prompt", action="store_true", help="55=01: prompt for a tip")
    parser.set_defaults(run=run, parser=parser)


# A spec names one code: a few hundred bytes. Reading more than this is refused, so a huge or
# endless input (a 1 GB file, /dev/zero) costs bounded memory.
MAX_SPEC_BYTES: Final = 1 << 20


def _read_spec(name: str) -> dict[str, Any]:
    stream = open_input(name)
    try:
        text = stream.read(MAX_SPEC_BYTES + 1)
        if len(text) > MAX_SPEC_BYTES:
            raise InputError(
                f"the spec {name!r} is longer than {MAX_SPEC_BYTES:,} bytes; a spec describes "
                "one code"
            )
    except OSError as exc:
        raise InputError(f"cannot read {name!r}: {exc.strerror or exc}") from None
    finally:
        if name != "-":
            stream.close()
    try:
        spec = json.loads(text.decode("utf-8-sig"))  # an editor's BOM is harmless in a spec
    except UnicodeDecodeError:
        raise InputError(f"cannot read the spec {name!r}: it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"the spec {name!r} is not valid JSON: {exc}") from None
    except RecursionError:  # [[[[…]]]] nested past what the JSON parser follows
        raise InputError(f"the spec {name!r} is nested too deeply to be a spec") from None
    if not isinstance(spec, dict):
        raise InputError(f"the spec {name!r} must be a JSON object, found {type(spec).__name__}")
    return spec


def _apply_options(builder: Any, args: argparse.Namespace) -> Any:
    """Call the Builder setter of every option given, in the order of the code's IDs."""
    if args.static:
        builder = builder.static()
    if args.dynamic:
        builder = builder.dynamic()
    for id, value in args.merchant_account or ():
        builder = builder.merchant_account(id, value=value)
    if args.jpqr:
        builder = builder.jpqr_identifier(*args.jpqr)
    for setter, _, _ in _TEXT_SETTERS:
        value = getattr(args, setter)
        if value is not None:
            builder = getattr(builder, setter)(value)
    if args.tip_prompt:
        builder = builder.tip_prompt()
    if args.language_city is not None and not args.language:
        raise InputError("--language-city needs --language LANG NAME")
    if args.language:
        builder = builder.language(*args.language, args.language_city)
    return builder


def run(args: argparse.Namespace) -> int:
    from .. import Builder  # the schema layer: loaded only by the commands that need it

    if args.spec is None and not _any_option(args):
        if sys.stdin.isatty():
            args.parser.error("give a JSON spec file, '-' for stdin, or options")
        args.spec = "-"
    try:
        if args.spec is not None:
            spec = _read_spec(args.spec)
            if args.profile is not None:
                spec["profile"] = args.profile
            builder = Builder.from_dict(spec)
        else:
            builder = Builder(args.profile or "jpqr")
        payload = _apply_options(builder, args).to_payload()
    except JPQRError as exc:
        # str(exc) is "[code] message (at ID path)" for each problem (jpqr.errors): codes once.
        sys.stderr.write(f"jpqr build: {safe(str(exc))}\n")
        return 1
    except (TypeError, KeyError, ValueError) as exc:  # a spec Builder.from_dict cannot read
        raise InputError(f"the spec does not describe a code: {exc}") from None
    except RecursionError:
        raise InputError("the spec is nested too deeply to describe a code") from None
    sys.stdout.write(payload + "\n")
    return 0


def _any_option(args: argparse.Namespace) -> bool:
    names = ["static", "dynamic", "jpqr", "merchant_account", "language", "language_city"]
    names.append("tip_prompt")
    names += [setter for setter, _, _ in _TEXT_SETTERS]
    return any(getattr(args, name) for name in names)
