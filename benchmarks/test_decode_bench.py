"""decode, decode + CRC verdict, and check-only on a ~200-character ASCII payload and on the
EMVCo example (Chinese text): compiled against pure (the baseline), a bare slicing loop (the bar
for the pure twin), and the peers qriskit and cemacqr (extra ``bench``) where installed."""

from __future__ import annotations

import random
from collections import deque
from types import ModuleType
from typing import Any

import pytest
from tests.conftest import crc_paths

from jpqr import _tlv_py

from .conftest import CALLS, PAYLOADS, timed

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

    def parse(payload: str) -> object:
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


# decode right after crc16 on the AVX-512 path (DESIGN.md: "costs the same as alone"). A kernel
# that leaves the zmm upper halves dirty makes every later SSE/AVX switch pay on Intel (~50-60 ns
# each, GCC PR 112891), decode's included. Each round starts from a clean upper state, as a fresh
# process would; every variant calls through the same zero-argument loop, so
# (crc16 then decode - crc16) / decode is the cost of decode after crc16, report.py prints it.
AFTER_CRC = ["decode", "crc16", "crc16 then decode"]

try:
    from operator import call as _call  # type: ignore[attr-defined]
except ImportError:  # Python 3.10

    def _call(function: Any) -> Any:
        return function()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("what", AFTER_CRC)
def test_decode_after_crc16(benchmark: Any, kind: str, what: str) -> None:
    _crc = pytest.importorskip("jpqr._crc")
    from functools import partial

    from jpqr import _tlv  # type: ignore[attr-defined, unused-ignore]

    path = "avx512" if "avx512" in crc_paths() else _crc.CRC_PATH
    before = _crc._use_path(path)
    try:
        # long enough that the dispatch takes the AVX-512 kernel, whatever its threshold
        data = random.Random(0).randbytes(max(256, _crc._AVX512_MIN))
        steps = {
            "decode": [partial(_tlv.decode, PAYLOADS[kind])],
            "crc16": [partial(_crc.crc16, data)],
            "crc16 then decode": [partial(_crc.crc16, data), partial(_tlv.decode, PAYLOADS[kind])],
        }[what]
        calls = steps * CALLS

        def run() -> None:
            _crc._clear_upper()
            deque(map(_call, calls), maxlen=0)

        benchmark.group = f"decode-after-crc16-{kind}"
        benchmark.name = f"jpqr[cython] {what}"
        benchmark.extra_info["items"] = CALLS
        benchmark.extra_info["path"] = path
        benchmark.extra_info["baseline"] = what == "decode"
        benchmark(run)
    finally:
        _crc._use_path(before)
