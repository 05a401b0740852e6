"""What changed between two recorded fixtures, by kind: the argument a regeneration owes.

    python tests/data/reports/diff_fixture.py OLD.jsonl.gz NEW.jsonl.gz

For each report key (``auto``, ``emvco+strict``, ...) it counts the changes by what changed: the
profile applied, the verdict, and the issue codes added (``+E``/``+W``) or removed, or only their
text or order; with one payload of each kind. Keys absent on one side are reports equal to the
plain one (make_fixture.py leaves those out).
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

Reports = dict[str, dict[str, list[Any]]]


def load(path: Path) -> Reports:
    """Payload (its text, surrogates or hex form) -> its recorded reports."""
    found: Reports = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            found[row.get("text") or row.get("surrogates") or row["hex"]] = row["reports"]
    return found


def kind(old: list[Any] | None, new: list[Any] | None) -> str:
    """What differs between two reports ``[ok, profile, crc, errors, warnings, payload]``."""
    if old is None or new is None:
        return "present" if new is not None else "absent"
    parts = []
    if old[1] != new[1]:
        parts.append(f"profile {old[1]}->{new[1]}")
    if old[0] != new[0]:
        parts.append(f"ok {old[0]}->{new[0]}")
    for index, name in ((3, "E"), (4, "W")):
        before = Counter(issue[0] for issue in old[index])
        after = Counter(issue[0] for issue in new[index])
        if after - before:
            parts.append(f"+{name}{sorted((after - before).elements())}")
        if before - after:
            parts.append(f"-{name}{sorted((before - after).elements())}")
        if before == after and old[index] != new[index]:
            parts.append(f"{name} text or order")
    return "; ".join(parts) or "other"


def main(old_path: str, new_path: str) -> None:
    old, new = load(Path(old_path)), load(Path(new_path))
    print(f"payloads {len(old)} -> {len(new)}; only before {len(old.keys() - new.keys())}, "
          f"only after {len(new.keys() - old.keys())}")  # fmt: skip
    kinds: Counter[tuple[str, str]] = Counter()
    example: dict[tuple[str, str], str] = {}
    for payload in old.keys() & new.keys():
        before, after = old[payload], new[payload]
        for key in sorted(before.keys() | after.keys()):
            if before.get(key) != after.get(key):
                found = (key, kind(before.get(key), after.get(key)))
                kinds[found] += 1
                example.setdefault(found, payload[:100])
    for (key, what), count in kinds.most_common():
        print(f"{count:6d} {key}: {what}  e.g. {example[key, what]!r}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
