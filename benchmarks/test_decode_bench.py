"""decode, decode + CRC verdict, and check-only on a ~200-character ASCII payload and on the
EMVCo example (Chinese text): compiled against pure (the baseline), a bare slicing loop (the bar
for the pure twin), and the peers qriskit and cemacqr (extra ``bench``) where installed."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from jpqr import _tlv_py

from .conftest import PAYLOADS, timed

KINDS = sorted(PAYLOADS)


def bare_walk(
    text: str, start: int = 0, end: int | None = None, parent: str = ""
) -> list[tuple[Any, ...]]:
    """The least Python can do for the same tree: slice headers, recurse into the templates
    decode() reads (root 26-51, 62, 64, 80-99; 50-99 inside 62), check nothing."""
    end = len(text) if end is None else end
    out = []
    pos = start
    while pos < end:
        id = text[pos : pos + 2]
        stop = pos + 4 + int(text[pos + 2 : pos + 4])
        value = text[pos + 4 : stop]
        if parent:
            template = parent == "62" and id >= "50"
        else:
            template = "26" <= id <= "51" or id == "62" or id == "64" or id >= "80"
        children = bare_walk(text, pos + 4, stop, id) if template else None
        out.append((id, value, children, pos))
        pos = stop
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_decode(benchmark: Any, impl: ModuleType, kind: str) -> None:
    benchmark.group = f"decode-{kind}"
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}]"
    benchmark.extra_info["baseline"] = impl.IMPLEMENTATION == "python"
    assert timed(benchmark, impl.decode, PAYLOADS[kind])[-1].id == "63"


@pytest.mark.parametrize("kind", KINDS)
def test_decode_and_verdict(benchmark: Any, impl: ModuleType, kind: str) -> None:
    decode, crc_verdict = impl.decode, impl.crc_verdict

    def parse(payload: str) -> str:
        decode(payload)
        return crc_verdict(payload)

    benchmark.group = f"decode+crc-{kind}"
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}]"
    benchmark.extra_info["baseline"] = impl.IMPLEMENTATION == "python"
    assert timed(benchmark, parse, PAYLOADS[kind]) == "ok"


@pytest.mark.parametrize("kind", KINDS)
def test_check(benchmark: Any, impl: ModuleType, kind: str) -> None:
    benchmark.group = f"check-{kind}"
    benchmark.name = f"jpqr[{impl.IMPLEMENTATION}]"
    benchmark.extra_info["baseline"] = impl.IMPLEMENTATION == "python"
    assert timed(benchmark, impl.check, PAYLOADS[kind]) == "ok"


@pytest.mark.parametrize("kind", KINDS)
def test_bare_slicing_loop(benchmark: Any, kind: str) -> None:
    benchmark.group = f"decode-{kind}"
    benchmark.name = "bare slicing loop"
    tree = timed(benchmark, bare_walk, PAYLOADS[kind])
    assert tree == _plain(_tlv_py.decode(PAYLOADS[kind]))  # the same work as decode()


def _plain(objects: Any) -> list[tuple[Any, ...]] | None:
    if objects is None:
        return None
    return [(o.id, o.value, _plain(o.children), o.offset) for o in objects]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("peer", ["qriskit", "cemacqr"])
def test_peer_parse(benchmark: Any, peer: str, kind: str) -> None:
    module = pytest.importorskip(peer)
    parse = module.parse if peer == "qriskit" else module.parse_payload
    benchmark.group = f"decode+crc-{kind}"
    benchmark.name = f"{peer}.{parse.__name__}"
    timed(benchmark, parse, PAYLOADS[kind])
