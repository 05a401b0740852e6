"""Turn pytest-benchmark JSON into markdown: a table of ratios against each group's baseline,
then each line of the performance bar (DESIGN.md) with what was measured. Informational only:
it never fails on timing.

    python -m pytest benchmarks --benchmark-enable --benchmark-json=bench.json
    python benchmarks/report.py bench.json
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Result:
    group: str
    name: str
    seconds: float  # median time of one timed round
    items: int  # calls (or batch payloads) per round
    baseline: bool
    path: str | None  # the CRC kernel the compiled twin used

    @property
    def per_item_ns(self) -> float:
        return self.seconds / self.items * 1e9


def load(path: str) -> list[Result]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    results = []
    for bench in data["benchmarks"]:
        extra = bench.get("extra_info", {})
        results.append(
            Result(
                group=bench["group"] or "",
                name=bench["name"],
                seconds=bench["stats"]["median"],
                items=int(extra.get("items", 1)),
                baseline=bool(extra.get("baseline", False)),
                path=extra.get("path"),
            )
        )
    return results


def fmt_ns(ns: float) -> str:
    return f"{ns:,.0f} ns" if ns >= 100 else f"{ns:.1f} ns"


def ratio_table(results: list[Result]) -> list[str]:
    lines = [
        "| group | implementation | time per call (batch: per payload) | × baseline |",
        "| --- | --- | ---: | ---: |",
    ]
    groups: dict[str, list[Result]] = {}
    for result in results:
        groups.setdefault(result.group, []).append(result)
    for group in sorted(groups):
        members = sorted(groups[group], key=lambda r: r.per_item_ns)
        base = next((r for r in members if r.baseline), None)
        for r in members:
            ratio = f"{base.per_item_ns / r.per_item_ns:.1f}×" if base else "–"
            name = f"**{r.name}** (baseline)" if r is base else r.name
            if r.path:
                name += f" [{r.path}]"
            lines.append(f"| {group} | {name} | {fmt_ns(r.per_item_ns)} | {ratio} |")
    return lines


@dataclass(frozen=True)
class Bar:
    what: str
    target: str
    measure: Callable[[dict[tuple[str, str], Result]], tuple[float, bool] | None]
    unit: str


def _find(found: dict[tuple[str, str], Result], group: str, name: str) -> Result | None:
    return found.get((group, name))


def _speedup(group: str, fast: str, slow: str, at_least: float) -> Bar:
    def measure(found: dict[tuple[str, str], Result]) -> tuple[float, bool] | None:
        a, b = _find(found, group, fast), _find(found, group, slow)
        if a is None or b is None:
            return None
        ratio = b.per_item_ns / a.per_item_ns
        return ratio, ratio >= at_least

    return Bar(f"{group}: {fast} vs {slow}", f"≥ {at_least}×", measure, "×")


def _time(group: str, name: str, at_most_ns: float) -> Bar:
    def measure(found: dict[tuple[str, str], Result]) -> tuple[float, bool] | None:
        r = _find(found, group, name)
        if r is None:
            return None
        return r.per_item_ns, r.per_item_ns <= at_most_ns

    return Bar(f"{group}: {name}", f"≤ {at_most_ns:g} ns", measure, "ns")


def _fastest_peer(group: str, at_least: float) -> Bar:
    def measure(found: dict[tuple[str, str], Result]) -> tuple[float, bool] | None:
        ours = _find(found, group, "jpqr[cython]")
        peers = [r for (g, n), r in found.items() if g == group and not n.startswith("jpqr")]
        if ours is None or not peers:
            return None
        ratio = min(p.per_item_ns for p in peers) / ours.per_item_ns
        return ratio, ratio >= at_least

    return Bar(f"{group}: jpqr[cython] vs fastest peer", f"≥ {at_least}×", measure, "×")


def _pure_vs_bare(group: str) -> Bar:
    def measure(found: dict[tuple[str, str], Result]) -> tuple[float, bool] | None:
        pure, bare = _find(found, group, "jpqr[python]"), _find(found, group, "bare slicing loop")
        if pure is None or bare is None:
            return None
        ratio = pure.per_item_ns / bare.per_item_ns
        return ratio, ratio <= 1.3

    return Bar(f"{group}: jpqr[python] vs bare slicing loop", "≤ 1.3× slower", measure, "× slower")


def _throughput(group: str, name: str, size: int, at_least_gbs: float) -> Bar:
    def measure(found: dict[tuple[str, str], Result]) -> tuple[float, bool] | None:
        r = _find(found, group, name)
        if r is None:
            return None
        gbs = size / r.per_item_ns
        return gbs, gbs >= at_least_gbs

    return Bar(f"{group}: {name}", f"≥ {at_least_gbs:g} GB/s", measure, " GB/s")


def _decode_after_crc16(kind: str, at_most: float) -> Bar:
    """(crc16 then decode - crc16 alone) / decode alone: 1.0 where crc16 leaves nothing behind
    that slows decode down (the dirty upper state of the vector registers did, on Intel)."""
    group = f"decode-after-crc16-{kind}"

    def measure(found: dict[tuple[str, str], Result]) -> tuple[float, bool] | None:
        alone = _find(found, group, "jpqr[cython] decode")
        crc = _find(found, group, "jpqr[cython] crc16")
        both = _find(found, group, "jpqr[cython] crc16 then decode")
        if alone is None or crc is None or both is None:
            return None
        ratio = (both.per_item_ns - crc.per_item_ns) / alone.per_item_ns
        return ratio, ratio <= at_most

    return Bar(f"{group}: decode after crc16 vs decode alone", f"≤ {at_most:g}×", measure, "×")


BARS = [
    _speedup("crc16-256B", "jpqr[cython:avx512]", "binascii.crc_hqx", 15),
    _speedup("crc16-256B", "jpqr[cython:pclmul]", "binascii.crc_hqx", 12),
    _speedup("crc16-256B", "jpqr[cython:table]", "binascii.crc_hqx", 8),
    _speedup("crc16-256B", "jpqr[cython]", "fastcrc.ibm_3740", 1.0),
    _speedup("crc16-32B", "jpqr[cython]", "binascii.crc_hqx", 2.8),
    _throughput("crc16-1MiB", "jpqr[cython:avx512]", 1 << 20, 50),
    _time("decode-ascii", "jpqr[cython]", 1000),
    _time("decode-emvco", "jpqr[cython]", 1500),
    _decode_after_crc16("ascii", 1.1),
    _decode_after_crc16("emvco", 1.1),
    _speedup("decode-ascii", "jpqr[cython]", "jpqr[python]", 10),
    _speedup("decode-emvco", "jpqr[cython]", "jpqr[python]", 10),
    _fastest_peer("decode+crc-ascii", 20),
    _fastest_peer("decode+crc-emvco", 20),
    _time("check-ascii", "jpqr[cython]", 100),
    _time("check-emvco", "jpqr[cython]", 250),
    _time("batch-ascii", "jpqr[cython] list[str]", 55),
    _time("batch-ascii", "jpqr[cython] list[bytes]", 55),
    _time("batch-ascii", "jpqr[cython] numpy S, 2 threads", 30),
    _pure_vs_bare("decode-ascii"),
    _pure_vs_bare("decode-emvco"),
    # issue 10: the compiled rule engine
    _time("validate-jpqr-valid", "jpqr[cython]", 2000),
    _time("validate-emvco", "jpqr[cython]", 2000),
    _fastest_peer("validate-jpqr-valid", 25),
    _fastest_peer("validate-emvco", 25),
    _time("is_valid-jpqr-valid", "jpqr[cython]", 1000),
    _time("is_valid-emvco", "jpqr[cython]", 1000),
    _time("is_valid-ascii-valid", "jpqr[cython] str", 1000),
    _time("is_valid-ascii-valid", "jpqr[cython] bytes", 1000),
    _time("parse-jpqr-valid", "jpqr[cython]", 6000),
    _time("parse-emvco", "jpqr[cython]", 6000),
]


def bar_table(results: list[Result]) -> list[str]:
    found = {(r.group, r.name): r for r in results}
    lines = ["| performance bar | target | measured | met |", "| --- | --- | ---: | :---: |"]
    for bar in BARS:
        got: Any = bar.measure(found)
        if got is None:
            lines.append(f"| {bar.what} | {bar.target} | not measured | – |")
            continue
        value, met = got
        shown = fmt_ns(value) if bar.unit == "ns" else f"{value:.1f}{bar.unit}"
        lines.append(f"| {bar.what} | {bar.target} | {shown} | {'yes' if met else 'no'} |")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    results = load(argv[1])
    print("\n".join(ratio_table(results)))
    print()
    print("\n".join(bar_table(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
