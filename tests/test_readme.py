"""The README's Python recipe runs as written, on both twins."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

README = Path(__file__).parent.parent / "README.md"


def section_code(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, f"no python block under {heading!r}"
    return match.group(1)


def test_charging_session_recipe_runs(impl: ModuleType) -> None:
    namespace: dict[str, object] = {}
    exec(section_code("Build a code for a charging session"), namespace)
    payload = namespace["payload"]
    assert isinstance(payload, str)
    # What the recipe promises, read back independently of the builder: 01 dynamic, 62-05 and
    # 62-07 carried, the amount in whole yen, and the CRC right.
    objects = {o.id: o for o in impl.decode(payload)}
    assert objects["01"].value == "12" and objects["54"].value == "1500"
    additional = objects["62"]
    assert additional.find("05").value == "S-20261121-0042"
    assert additional.find("07").value == "JP*ABC*E1234*1"
    assert impl.crc_verdict(payload) == "ok"
