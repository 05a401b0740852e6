"""The compiled rule engine (``jpqr._rules``) against the reference engine, on random, generated
valid and single-mutation payloads under every profile: where it says "clean" the reference
finds nothing at all, where it says "an error" the reference finds one, and the report the
entry points give on the compiled twin is the reference engine's, to the letter.

Also: it never trusts an object it did not check (the hostile str and bytes of tests/hostile.py
go to the reference engine), and it does judge the clean codes it is there for.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpqr
from jpqr import Builder, _kernels, _tlv_py
from jpqr.profiles._compiled import judge

from .conftest import PUBLISHED, twin
from .hostile import HOSTILE
from .strategies import trees
from .test_builder import emvco_specs, specs
from .test_validate import crc_of

pytestmark = [
    pytest.mark.cython,
    pytest.mark.skipif(_kernels.NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS"),
]
PROFILES = ("auto", "emvco", "jpqr")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
POOL = "0123456789AZaz .*%\x7f\n\ufeffé最😀\u0301"


def with_crc(text: str) -> str:
    body = text[:-4] if text[-8:-4] == "6304" else text + "6304"
    return body + crc_of(body)


def reference(payload: Any, profile: str, lenient: bool = False) -> jpqr.ValidationReport:
    with twin("python"):
        return jpqr.validate(payload, profile, lenient=lenient)


def agree(payload: Any, lenient: bool = False) -> None:
    for profile in PROFILES:
        expected = reference(payload, profile, lenient)
        with twin("cython"):
            verdict, name = judge(payload, profile, lenient)
            got = jpqr.validate(payload, profile, lenient=lenient)
            valid = jpqr.is_valid(payload, profile, lenient=lenient)
        if verdict == 1:
            assert expected.ok and not expected.warnings and expected.crc == "ok", expected
            assert name == expected.profile
        elif verdict == -1:
            assert not expected.ok, expected
        assert got == expected
        assert valid == expected.ok


@SETTINGS
@given(spec=specs)
def test_built_jpqr_codes(spec: dict[str, Any]) -> None:
    payload = Builder.from_dict(spec).to_payload()
    agree(payload)
    with twin("cython"):
        assert judge(payload, "auto", False) == (1, "jpqr")  # judged, not handed on


@SETTINGS
@given(spec=emvco_specs())
def test_built_emvco_codes(spec: dict[str, Any]) -> None:
    agree(Builder.from_dict(spec).to_payload())


@SETTINGS
@given(tree=trees, fix=st.booleans())
def test_random_trees(tree: list[Any], fix: bool) -> None:
    text = _tlv_py.encode(tree)
    agree(with_crc(text) if fix else text)


@SETTINGS
@given(spec=st.one_of(specs, emvco_specs()), data=st.data())
def test_single_mutations(spec: dict[str, Any], data: st.DataObject) -> None:
    payload = Builder.from_dict(spec).to_payload()
    at = data.draw(st.integers(0, len(payload) - 1))
    how = data.draw(st.sampled_from(["change", "delete", "insert"]))
    char = data.draw(st.sampled_from(POOL))
    if how == "change":
        mutated = payload[:at] + char + payload[at + 1 :]
    elif how == "delete":
        mutated = payload[:at] + payload[at + 1 :]
    else:
        mutated = payload[:at] + char + payload[at:]
    agree(mutated)
    if len(mutated) >= 8:
        agree(with_crc(mutated))
    agree(mutated + data.draw(st.sampled_from(["", "\n", " "])), lenient=True)


@pytest.mark.parametrize("index", range(len(PUBLISHED)))
def test_published_vectors(index: int) -> None:
    payload = PUBLISHED[index]["payload"]
    agree(payload)
    agree(payload.lower())
    agree(payload + "\r\n", lenient=True)


PLAIN_CONTENT = [entry for entry in HOSTILE if entry[2] is not None]


@pytest.mark.parametrize("entry", PLAIN_CONTENT, ids=[entry[0] for entry in PLAIN_CONTENT])
def test_hostile_objects_go_to_the_reference_engine(entry: Any) -> None:
    make = entry[1]
    valid = next(p["payload"] for p in PUBLISHED if p["source_says"].startswith("valid"))
    value = make(valid)
    with twin("cython"):
        assert judge(value, "auto", False) == (0, None)
        got = jpqr.validate(value)
    assert got == reference(value, "auto")


def test_clean_codes_are_judged_by_the_compiled_pass() -> None:
    judged = 0
    with twin("cython"):
        for vector in PUBLISHED:
            verdict, _ = judge(vector["payload"], "auto", False)
            judged += verdict == 1
    with twin("python"):
        clean = sum(
            1
            for vector in PUBLISHED
            if (r := jpqr.validate(vector["payload"])).ok and not r.warnings
        )
    assert judged == clean > 0  # every clean vector, not only a few


def test_the_pure_twin_is_never_judged() -> None:
    with twin("python"):
        assert judge(PUBLISHED[0]["payload"], "auto", False) == (0, None)


def test_nfc_safe_characters_are_nfc_in_any_text() -> None:
    """The claim of _rules.NFC_SAFE on this Python's Unicode data: each character is NFC alone,
    of combining class 0, outside the Hangul jamo, and the second character of no canonical
    decomposition (so it composes with nothing before it); ASCII too."""
    import unicodedata

    from jpqr import _rules  # type: ignore[attr-defined]

    seconds = set()
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))
    safe = [range(0x80)] + [range(low, high + 1) for low, high in _rules.NFC_SAFE]
    for block in safe:
        for cp in block:
            char = chr(cp)
            assert unicodedata.normalize("NFC", char) == char, hex(cp)
            assert unicodedata.combining(char) == 0 and cp not in seconds, hex(cp)
            assert not 0x1100 <= cp <= 0x11FF


@pytest.mark.parametrize("name", ["ガソリン", "Café", "Phở", "최고"])
def test_decomposed_text_is_left_to_the_reference(name: str) -> None:
    import unicodedata

    from .test_validate import BASE, code, tlv
    from .test_validate import replace as replace_pairs

    for form in ("NFC", "NFD"):
        text = unicodedata.normalize(form, name)
        payload = code(replace_pairs(BASE, _64=tlv(("00", "JA"), ("01", text))))
        warned = reference(payload, "auto").warnings
        assert bool(warned) == (form == "NFD" and text != name), warned
        with twin("cython"):
            assert judge(payload, "auto", False) == ((0, None) if warned else (1, "jpqr"))


def _reading(tree: Any) -> Any:
    import dataclasses

    from jpqr import model

    try:
        code = model.from_tree(tree)
    except Exception as exc:  # the compiled twin must fail alike
        return ("raised", type(exc).__name__, str(exc))
    return repr(dataclasses.asdict(code)), code.objects, code


def _compiled_reading(tree: Any) -> Any:
    import dataclasses

    from jpqr import _rules_model  # type: ignore[attr-defined]

    try:
        code = _rules_model.from_tree(tree)
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))
    return repr(dataclasses.asdict(code)), code.objects, code


@SETTINGS
@given(tree=trees)
def test_compiled_from_tree_reads_random_trees_alike(tree: list[Any]) -> None:
    decoded = _tlv_py.decode(_tlv_py.encode(tree))
    assert _compiled_reading(decoded) == _reading(decoded)


DECODABLE = [i for i, vector in enumerate(PUBLISHED) if vector["tlv"] == "ok"]


@pytest.mark.parametrize("index", DECODABLE)
def test_compiled_from_tree_reads_the_vectors_alike(index: int) -> None:
    decoded = _tlv_py.decode(PUBLISHED[index]["payload"])
    assert _compiled_reading(decoded) == _reading(decoded)
    with twin("cython"):
        if jpqr.is_valid(PUBLISHED[index]["payload"]):
            assert jpqr.parse(PUBLISHED[index]["payload"]) == _reading(decoded)[2]


def test_compiled_from_tree_leaves_other_trees_to_the_pure_twin() -> None:
    from jpqr import DataObject

    class Odd(str):
        pass

    tree = (DataObject("00", Odd("01")), DataObject("59", "X"))
    assert _compiled_reading(tree) == _reading(tree)
    assert _compiled_reading(((1, 2),)) == _reading(((1, 2),))


def test_the_pass_leaves_the_upper_state_clean() -> None:
    """jpqr._rules runs the shared CRC kernels (AVX-512 from 512 bytes): after a validate of a
    long code with Japanese text (over 600 UTF-8 bytes) the upper halves are clean, as
    tests/test_upper_state.py proves for the other compiled modules."""
    from jpqr import _crc  # type: ignore[attr-defined]

    from .test_upper_state import clean
    from .test_validate import BASE, code, tlv
    from .test_validate import replace as replace_pairs

    if _crc._upper_state() is None:
        pytest.skip("no XGETBV with ECX=1 here")
    long_name = "充電ステーション" * 3
    pairs = replace_pairs(
        BASE,
        _64=tlv(("00", "JA"), ("01", long_name[:25])),
        _80=tlv(("00", "com.example"), ("01", "東京都渋谷区" * 13)),
        _81=tlv(("00", "com.example"), ("01", "東京都渋谷区" * 13)),
    )
    payload = code(pairs)
    assert len(payload.encode()) > 600 and len(payload) <= 512  # the AVX-512 CRC from 512 B
    with twin("cython"):
        for call in (jpqr.validate, jpqr.is_valid, jpqr.parse):
            _crc._clear_upper()
            call(payload)
            state = _crc._upper_state()
            assert clean(state), f"{call.__name__}: XINUSE {state:#x}"
        assert judge(payload, "auto", False) == (1, "jpqr")


def test_compiled_from_tree_of_hand_made_ids() -> None:
    # IDs that are not two digits reach from_tree only from code; compared as text, as the
    # pure twin compares them ("2a" sorts among 26-51, "7x" among 65-79).
    from jpqr import DataObject

    tree = (
        DataObject("2a", "x", (DataObject("00", "g"),)),
        DataObject("7x", "y"),
        DataObject("9z", "0002ab", (DataObject("00", "ab"),)),
        DataObject("0a", "z"),
    )
    assert _compiled_reading(tree) == _reading(tree)
