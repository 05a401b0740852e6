"""The compiled rule engine (``jpqr._rules``) against the reference engine, on random, generated
valid and single-mutation payloads under every profile: where it says "clean" the reference
finds nothing at all, where it says "an error" the reference finds one, and the report the
entry points give on the compiled twin is the reference engine's, to the letter.

Also: it never trusts an object it did not check (the hostile str and bytes of tests/hostile.py
go to the reference engine), and it does judge the clean codes it is there for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpqr
from jpqr import Builder, DataObject, _kernels, _tlv_py
from jpqr.profiles import _classify, _compiled
from jpqr.profiles._compiled import judge
from jpqr.profiles._scheme import Scheme
from jpqr.profiles._table import ids

from .conftest import PUBLISHED, twin
from .hostile import HOSTILE
from .strategies import trees
from .test_builder import emvco_specs, specs
from .test_validate import crc_of

pytestmark = [
    pytest.mark.cython,
    pytest.mark.skipif(_kernels.NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS"),
]
PROFILES = ("auto", *jpqr.profiles.PROFILES)
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
        if type(payload) is str and payload.isascii():  # the same code as exact ASCII bytes
            data = payload.encode("ascii")
            with twin("cython"):
                assert judge(data, profile, lenient) == (verdict, name)
                assert jpqr.validate(data, profile, lenient=lenient) == expected
                assert jpqr.is_valid(data, profile, lenient=lenient) == expected.ok


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
    compiled = _compiled.compiled_profiles()
    with twin("python"):
        clean = sum(
            1
            for vector in PUBLISHED
            if (r := jpqr.validate(vector["payload"])).ok
            and not r.warnings
            and r.profile in compiled  # a national profile's code is the reference engine's
        )
    assert judged == clean > 0  # every clean vector of a compiled profile, not only a few


def test_the_pure_twin_is_never_judged() -> None:
    with twin("python"):
        assert judge(PUBLISHED[0]["payload"], "auto", False) == (0, None)


def test_nfc_safe_characters_are_nfc_in_any_text() -> None:
    """The claim of _rules.NFC_SAFE on this Python's Unicode data: each character is NFC alone,
    of combining class 0, outside the Hangul jamo, and the second character of no canonical
    decomposition (so it composes with nothing before it); ASCII too."""
    import unicodedata

    from jpqr import _rules  # type: ignore[attr-defined, unused-ignore]

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

    from jpqr import _rules_model  # type: ignore[attr-defined, unused-ignore]

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
    from jpqr import _crc  # type: ignore[attr-defined, unused-ignore]

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


# --- auto: the compiled pass judges only where the reference's auto applies emvco or jpqr ------

# A test-only scheme (issue 12's contract): its GUID and near miss are "other" for guid_kind, so
# a code carrying them is left to the reference engine. Named after a profile that exists, so
# the reference's auto has a table to apply whatever it makes of the scheme.
TEST_GUID = "ORG.EXAMPLE.TESTPAY"
TEST_NEAR_MISS = "ORG.EXAMPLE.TESTPAI"
TEST_SCHEME = Scheme(
    name="emvco",
    title="Test scheme (tests only)",
    country="ZZ",
    guids={TEST_GUID: ids(26, 51)},
    near_misses=frozenset({TEST_NEAR_MISS}),
)
# A scheme recognised without a GUID (as KHQR is, by 58): its country goes to the reference.
GUIDLESS_SCHEME = Scheme(
    name="emvco", title="Guidless test scheme", country="AQ", detect=lambda tree: False
)


@contextmanager
def schemes(*extra: Scheme, guid_kind: Callable[[str], Any] | None = None) -> Iterator[None]:
    """``extra`` registered as schemes (and ``guid_kind`` in place of _classify's), the compiled
    pass installed again; all as before afterwards."""
    before, kind = jpqr.profiles.SCHEMES, _classify.guid_kind
    try:
        _classify.index((*before, *extra))
        if guid_kind is not None:
            _classify.guid_kind = guid_kind  # type: ignore[assignment]
        _compiled.install()
        yield
    finally:
        _classify.guid_kind = kind
        _classify.index(before)
        _compiled.install()


def with_template(payload: str, id: str, guid: str, replace: bool = False) -> str:
    """``payload`` with a merchant account template ``id`` whose GUID is ``guid`` (before the
    CRC, or in place of the template ``id`` with ``replace``), the CRC made again."""
    tree = [obj for obj in _tlv_py.decode(payload) if obj.id != "63"]
    children = (DataObject("00", guid), DataObject("01", "1234567890"))
    value = "".join(f"{c.id}{len(c.value):02d}{c.value}" for c in children)
    template = DataObject(id, value, children)
    if replace:
        tree = [template if obj.id == id else obj for obj in tree]
    else:
        tree.append(template)
    return _tlv_py.encode(sorted(tree, key=lambda obj: obj.id))


EMVCO_CLEAN = next(
    v["payload"]
    for v in PUBLISHED
    if (r := reference(v["payload"], "auto")).ok and not r.warnings and r.profile == "emvco"
)
JPQR_CLEAN = next(
    v["payload"]
    for v in PUBLISHED
    if (r := reference(v["payload"], "auto")).ok and not r.warnings and r.profile == "jpqr"
)


def test_a_scheme_guid_leaves_auto_to_the_reference() -> None:
    plain = with_template(EMVCO_CLEAN, "45", "A000000999")
    carrying = [with_template(EMVCO_CLEAN, "45", guid) for guid in (TEST_GUID, TEST_GUID.lower())]
    carrying.append(with_template(JPQR_CLEAN, "45", TEST_GUID))
    with twin("cython"):
        assert judge(plain, "auto", False) == (1, "emvco")
        with schemes(TEST_SCHEME):
            assert judge(plain, "auto", False) == (1, "emvco")  # a GUID of no scheme
            for payload in carrying:
                assert judge(payload, "auto", False) == (0, None), payload
                assert judge(payload, "emvco", False) == (1, "emvco")  # its own verdict stays
                assert jpqr.validate(payload) == reference(payload, "auto")
        # restored: the test GUID is a plain one again
        assert judge(carrying[0], "auto", False) == (1, "emvco")
        assert judge(carrying[2], "auto", False) == (1, "jpqr")


def test_a_guidless_country_leaves_auto_to_the_reference() -> None:
    tree = [obj for obj in _tlv_py.decode(EMVCO_CLEAN) if obj.id not in ("58", "63")]
    for country in ("AQ", "aq", "Aq"):
        payload = _tlv_py.encode(sorted([*tree, DataObject("58", country)], key=lambda o: o.id))
        with twin("cython"):
            with schemes(GUIDLESS_SCHEME):
                assert {"AQ"} <= _classify.GUIDLESS_COUNTRIES
                assert judge(payload, "auto", False) == (0, None)
                # a profile named outright is judged: only auto may pick another scheme
                clean = reference(payload, "emvco").ok and country == "AQ"
                assert judge(payload, "emvco", False)[0] == (1 if clean else 0)
                assert jpqr.validate(payload) == reference(payload, "auto")
            assert judge(payload, "auto", False)[0] == (1 if clean else 0)


def test_guid_kind_is_asked_once_a_guid() -> None:
    asked: list[str] = []
    kind = _classify.guid_kind

    def counting(guid: str) -> int:
        asked.append(guid)
        return kind(guid)

    guids = [f"A0000009{n:02d}" for n in range(5)]
    payload = EMVCO_CLEAN
    for n, guid in enumerate(guids):
        payload = with_template(payload, f"{40 + n}", guid)
    with twin("cython"), schemes(guid_kind=counting):
        for _ in range(3):
            assert judge(payload, "auto", False) == (1, "emvco")
        assert set(guids) <= set(asked)
        assert sorted(asked) == sorted(_guids(payload))  # one call a GUID, then the cache answers
        # more GUIDs than the cache holds: still the right verdicts
        for n in range(300):  # GUIDs that are no near miss of a registered one
            guid = f"X{n:03d}.EXAMPLE.COM"
            assert judge(with_template(EMVCO_CLEAN, "30", guid), "auto", False)[0] == 1
        longer = with_template(EMVCO_CLEAN, "30", "C" * 60)  # than the cache keeps (or EMVCo)
        assert judge(longer, "auto", False) == (0, None)
        assert not reference(longer, "auto").ok


@pytest.mark.parametrize("answer", [2, 3, -1, "0", None, True, ValueError("no")])
def test_a_guid_kind_that_says_other_or_fails_leaves_auto_to_the_reference(answer: Any) -> None:
    def odd(guid: str) -> Any:
        if isinstance(answer, Exception):
            raise answer
        return answer

    payload = with_template(EMVCO_CLEAN, "45", "A000000999")
    with twin("cython"), schemes(guid_kind=odd):
        assert judge(payload, "auto", False) == (0, None)
        assert judge(payload, "emvco", False) == (1, "emvco")
    # the real guid_kind is back, and its answers were cached afresh
    with twin("cython"):
        assert judge(payload, "auto", False) == (1, "emvco")


def test_a_jpqr_guid_that_guid_kind_calls_plain_is_left_to_the_reference() -> None:
    """The pass applies jpqr by the JPQR GUID as api's auto does; where guid_kind disagrees
    (says 0 for it, or 1 for another GUID), it does not judge."""
    with twin("cython"), schemes(guid_kind=lambda guid: 0):
        assert judge(JPQR_CLEAN, "auto", False) == (0, None)
    with twin("cython"), schemes(guid_kind=lambda guid: 1):
        assert judge(with_template(EMVCO_CLEAN, "45", "A000000999"), "auto", False) == (0, None)


@pytest.mark.parametrize(
    "noise",
    [
        (" ", ""),
        ("\t", ""),
        ("\r\n", ""),
        ("\ufeff", ""),
        ("", " "),
        ("", "\t"),
        ("", "\r"),
        ("", "\n"),
    ],
)
def test_lenient_leaves_transport_noise_to_the_reference(noise: tuple[str, str]) -> None:
    payload = noise[0] + JPQR_CLEAN + noise[1]
    with twin("cython"):
        assert judge(payload, "auto", True) == (0, None)
        assert judge(payload, "jpqr", True) == (0, None)
        assert judge(JPQR_CLEAN, "auto", True) == (1, "jpqr")
    agree(payload, lenient=True)
    agree(payload)


def _scheme_guids() -> list[str]:
    """Every GUID, legacy GUID and near miss of the registered schemes and the test scheme."""
    found = {TEST_GUID, TEST_NEAR_MISS}
    for scheme in (*jpqr.profiles.SCHEMES, TEST_SCHEME):
        found |= set(scheme.guids) | set(scheme.legacy) | set(scheme.near_misses)
    return sorted(found)


def _near(guid: str, data: st.DataObject) -> str:
    """``guid`` in any case, maybe one character changed, dropped or added."""
    text = "".join(c.lower() if data.draw(st.booleans()) else c for c in guid)
    how = data.draw(st.sampled_from(["same", "change", "delete", "insert"]))
    at = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(st.sampled_from("AZaz09.-_ıſK\u212a"))
    if how == "change":
        text = text[:at] + char + text[at + 1 :]
    elif how == "delete" and len(text) > 1:
        text = text[:at] + text[at + 1 :]
    elif how == "insert":
        text = text[:at] + char + text[at:]
    return text


@SETTINGS
@given(data=st.data(), base=st.sampled_from([EMVCO_CLEAN, JPQR_CLEAN]))
def test_national_guids_and_near_misses_never_get_a_compiled_clean_for_another_profile(
    data: st.DataObject, base: str
) -> None:
    guid = _near(data.draw(st.sampled_from(_scheme_guids())), data)
    id = data.draw(st.sampled_from([f"{n}" for n in range(26, 52)]))
    payload = with_template(base, id, guid, replace=id in {o.id for o in _tlv_py.decode(base)})
    with schemes(TEST_SCHEME):
        with twin("cython"):
            verdict, name = judge(payload, "auto", False)
        if verdict == 1:
            assert jpqr.classify(payload).profile == name
            assert all(_classify.guid_kind(guid) in (0, 1) for guid in _guids(payload))
        agree(payload)


def _guids(payload: str) -> list[str]:
    return [
        guid.value
        for obj in _tlv_py.decode(payload)
        if "26" <= obj.id <= "51" and obj.children
        for guid in obj.children[:1]
        if guid.id == "00"
    ]


def test_every_registered_profile_is_offered_to_the_compiler() -> None:
    """Each profile of PROFILES is compiled or knowingly left to the reference (a row it does
    not know); emvco and jpqr, whose rows it knows, are compiled."""
    from jpqr import _rules  # type: ignore[attr-defined, unused-ignore]

    names = _compiled.compiled_profiles()
    assert {"emvco", "jpqr"} <= set(names) <= set(jpqr.profiles.PROFILES)
    for name, module in jpqr.profiles.PROFILES.items():
        if name not in names:
            with pytest.raises(_rules.Unsupported):
                _rules.compile_profile(module.TABLE)


def test_a_profile_with_rows_it_does_not_know_stays_with_the_reference() -> None:
    from jpqr import _rules  # type: ignore[attr-defined, unused-ignore]
    from jpqr.profiles import _functions, emvco
    from jpqr.profiles._table import Rule

    def mine(checker: Any, level: Any, row: Any) -> None:
        """A rule function of a national profile: not compiled."""

    for row in (
        Rule(function=mine, path="59"),
        Rule(function=_functions.amount, path="54", options={"scale": 2}),
        Rule(function=_functions.whole_yen, path="54"),
    ):
        with pytest.raises(_rules.Unsupported):
            _rules.compile_profile(emvco.TABLE.extend("mine", "Mine", [row]))


@pytest.mark.parametrize(
    ("module", "engine"), [("jpqr._rules", "rule engine"), ("jpqr._rules_model", "typed model")]
)
def test_a_compiled_engine_that_cannot_be_imported_is_said(module: str, engine: str) -> None:
    """Auditor's 11c: where one module of the compiled pass fails to import (simulated: None in
    sys.modules), the package falls back to the reference engine, warns once, and the version
    line says which engine is pure; the verdicts stay right."""
    import subprocess
    import sys

    code = (
        f"import sys; sys.modules[{module!r}] = None\n"
        "import jpqr\n"
        "from jpqr.cli import version_line\n"
        "print(version_line())\n"
        f"print(jpqr.is_valid({JPQR_CLEAN!r}), jpqr.is_valid({JPQR_CLEAN[:-1] + '0'!r}))\n"
        f"print(jpqr.parse({JPQR_CLEAN!r}).to_payload() == {JPQR_CLEAN!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    line, verdicts, parsed = done.stdout.splitlines()
    assert "compiled twin (Cython)" in line
    assert f", {engine} pure ({module} cannot be imported: " in line
    assert verdicts == "True False" and parsed == "True"
    notices = [text for text in done.stderr.splitlines() if text.startswith("jpqr: ")]
    assert len(notices) == 1 and module in notices[0], done.stderr
    # and an install that is whole says nothing of the kind
    whole = subprocess.run(
        [sys.executable, "-m", "jpqr", "--version"], capture_output=True, text=True, check=True
    )
    assert " pure (" not in whole.stdout and whole.stderr == ""


ASCII_CLEAN = next(
    v["payload"]
    for v in PUBLISHED
    if v["payload"].isascii() and (r := reference(v["payload"], "auto")).ok and not r.warnings
)


def test_ascii_bytes_are_judged_and_parsed_as_their_text() -> None:
    data = ASCII_CLEAN.encode("ascii")
    with twin("cython"):
        assert judge(data, "auto", False) == judge(ASCII_CLEAN, "auto", False)
        assert judge(data, "auto", False)[0] == 1
        report = jpqr.validate(data)
        assert type(report.payload) is str and report == reference(ASCII_CLEAN, "auto")
        assert jpqr.parse(data) == reference_parse(ASCII_CLEAN)
        # non-ASCII bytes (UTF-8 or not), bytearray and memoryview: the reference decides
        for other in ("最".encode() + data, data[:-1] + b"\xff", bytearray(data), memoryview(data)):
            assert judge(other, "auto", False) == (0, None)
            assert jpqr.validate(other) == reference(other, "auto")
        assert judge(b"", "auto", False) == (-1, None)
        assert judge(data + b"0" * 600, "auto", False) == (-1, None)  # longer than a code may be
        assert judge(b"\xef\xbb\xbf" + data, "auto", True) == (0, None)


def reference_parse(payload: Any) -> Any:
    with twin("python"):
        return jpqr.parse(payload)


def test_a_guid_kind_that_runs_the_pass_itself_leaves_the_verdict_right() -> None:
    """Asking guid_kind runs Python, which may run the pass on another code (another thread, or
    guid_kind itself): the pass is made again afterwards, not continued on memory reused."""
    kind = _classify.guid_kind
    other = with_template(JPQR_CLEAN, "45", "A000000777")

    def reentrant(guid: str) -> int:
        assert judge(other, "jpqr", False) == (1, "jpqr")  # the same pass, on another code
        return kind(guid)

    payload = with_template(EMVCO_CLEAN, "45", "A000000888")
    broken = payload[:-1] + ("0" if payload[-1] != "0" else "1")  # a wrong CRC
    with twin("cython"), schemes(guid_kind=reentrant):
        assert judge(payload, "auto", False) == (1, "emvco")
        assert judge(broken, "auto", False) == (-1, None)
        assert judge(with_template(JPQR_CLEAN, "45", "A000000999"), "auto", False) == (1, "jpqr")


@pytest.mark.parametrize("index", DECODABLE)
def test_compiled_models_pickle_and_compare_as_the_pure_ones(index: int) -> None:
    """The compiled from_tree sets each field into the instance's shared-key storage, the pure
    one a whole __dict__: the same attributes in the same order, so the same pickle, repr,
    equality and hash, and both stay frozen."""
    import dataclasses
    import pickle

    from jpqr import _rules_model, model  # type: ignore[attr-defined, unused-ignore]

    decoded = _tlv_py.decode(PUBLISHED[index]["payload"])
    pure, compiled = model.from_tree(decoded), _rules_model.from_tree(decoded)
    assert pickle.dumps(compiled) == pickle.dumps(pure)
    assert pickle.loads(pickle.dumps(compiled)) == pure
    assert list(vars(compiled).items()) == list(vars(pure).items())
    assert repr(compiled) == repr(pure) and hash(compiled) == hash(pure)
    with pytest.raises(dataclasses.FrozenInstanceError):
        compiled.country = "XX"
    for account in compiled.merchant_accounts:
        assert list(vars(account)) == [f.name for f in dataclasses.fields(account)]
