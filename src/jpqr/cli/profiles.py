"""``jpqr profiles``: every validation profile jpqr has, with what its scheme says of itself.

One entry per registered profile (:data:`jpqr.profiles.PROFILES`): its name and title, and for a
national profile (its ``SCHEME``) the country, the GUIDs or AIDs that mark a code of the scheme
with the templates where they count, the legacy ones, the sources its rows were read from and
its departures from EMVCo (``emvco`` keeps its own verdict on the same code); a last note says
why eL-QR has none. ``--json`` prints the profiles as a JSON list. Exit status 0.

>>> [entry["name"] for entry in entries()][:2]
['emvco', 'jpqr']
>>> entries()[1]["guids"]
[{'guid': 'JP.OR.PAYMENTSJAPAN', 'templates': '26-51'}]
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from .._terminal import Style, wants_colour, writes_utf8
from .tags import _ids

__all__ = ["add_parser", "entries", "run"]


def add_parser(commands: Any) -> None:
    """Declare ``jpqr profiles`` on the ``commands`` sub-parsers."""
    parser = commands.add_parser(
        "profiles",
        help="list the validation profiles: schemes, countries, GUIDs, sources",
        description=(
            "List every validation profile (the names --profile takes): its title, and for a "
            "national scheme its country, the GUIDs that mark its codes (with the merchant "
            "account templates where they count), the sources of its rules and its departures "
            "from EMVCo."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of profiles")
    parser.set_defaults(run=run)


def entries() -> list[dict[str, Any]]:
    """One dict per registered profile, in the order of :data:`jpqr.profiles.PROFILES`."""
    from ..profiles import PROFILES

    found = []
    for name, module in PROFILES.items():
        scheme = getattr(module, "SCHEME", None)
        table = module.TABLE
        entry: dict[str, Any] = {"name": name, "title": table.title, "country": None}
        entry.update({"guids": [], "legacy": [], "sources": [table.source], "departures": []})
        if scheme is not None:
            entry["title"] = scheme.title
            entry["country"] = scheme.country
            entry["guids"] = [
                {"guid": guid, "templates": _ids(where)} for guid, where in scheme.guids.items()
            ]
            entry["legacy"] = [
                {"guid": guid, "templates": _ids(where)} for guid, where in scheme.legacy.items()
            ]
            entry["sources"] = list(scheme.sources) or [table.source]
            entry["departures"] = list(scheme.departures)
        found.append(entry)
    return found


def _lines(entry: dict[str, Any], width: int) -> list[str]:
    def field(label: str, text: str) -> list[str]:
        return textwrap.wrap(
            text,
            width=width,
            initial_indent=f"  {label}: ",
            subsequent_indent="    ",
            break_long_words=False,
            break_on_hyphens=False,
        )

    lines = []
    if entry["country"] is not None:
        lines += field("country", entry["country"])
    for key, label in (("guids", "GUIDs"), ("legacy", "legacy GUIDs")):
        if entry[key]:
            shown = "; ".join(f"{g['guid']} in {g['templates']}" for g in entry[key])
            lines += field(label, shown)
    lines += field("sources", "; ".join(entry["sources"]))
    if entry["departures"]:
        lines += field("departures from EMVCo", "; ".join(entry["departures"]))
    return lines


def run(args: argparse.Namespace) -> int:
    from ..builder import UNBUILDABLE  # loaded by this command only

    found = entries()
    if args.json:
        sys.stdout.write(json.dumps(found, ensure_ascii=not writes_utf8(sys.stdout)) + "\n")
        return 0
    style = Style(wants_colour(sys.stdout, args.color))
    out = []
    for entry in found:
        out.append(f"{style(entry['name'], 'bold')}: {entry['title']}")
        out.extend(_lines(entry, 80))
    # Names people look for that are no profile, and why (eL-QR: issue 12).
    for name, why in UNBUILDABLE.items():
        note = f"({name}: no profile; {why})"
        out.extend(textwrap.wrap(note, width=80, subsequent_indent="  ", break_on_hyphens=False))
    sys.stdout.write("\n".join(out) + "\n")
    return 0
