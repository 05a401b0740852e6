"""Library ergonomics, on both twins: path lookup on trees and typed codes (``find_path``,
``MerchantPresentedCode.get``), the typed code's ``to_dynamic``/``to_static``, and
``ValidationReport.format()`` (the text ``jpqr validate`` prints).

The expected objects come from a walk of the payload text written here (IDs and lengths read by
hand), not from the decoder under test.
"""

from __future__ import annotations

from decimal import Decimal
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jpqr
from jpqr.dataobject import NESTED_TEMPLATE_IDS, ROOT_TEMPLATE_IDS, find_path
from jpqr.model import from_tree

from .conftest import load_vectors

pytestmark = pytest.mark.usefixtures("impl")

# A published JPQR code (mercari/go-emv-code), valid under the jpqr profile.
MERCARI = (
    "0002016003xxx01021129300012D156000000000510A93FO3230Q31280012D1560000000103081234"
    "567826680019jp.or.paymentsjapan0113000000000000102040001030600000104060000015303392"
    "5903xxx64180002JA0108メルペイ カフェ520441115802JP610710661436304DEE9"
)


def walk(text: str, parent: str = "") -> dict[str, str]:
    """The first value at every ID path of ``text``, read by hand (no jpqr code)."""
    found: dict[str, str] = {}
    index = 0
    while index + 4 <= len(text):
        id, length = text[index : index + 2], text[index + 2 : index + 4]
        if not length.isdigit() or index + 4 + int(length) > len(text):
            raise ValueError("not TLV")
        value = text[index + 4 : index + 4 + int(length)]
        path = f"{parent}.{id}" if parent else id
        found.setdefault(path, value)
        templates = NESTED_TEMPLATE_IDS.get(parent, ()) if parent else ROOT_TEMPLATE_IDS
        nested = id in templates
        if nested and "." not in path:
            try:
                inner = walk(value, path)
            except ValueError:
                inner = {}
            for key, inner_value in inner.items():
                found.setdefault(key, inner_value)
        index += 4 + int(length)
    if index != len(text):
        raise ValueError("not TLV")
    return found


def _decodable() -> list[str]:
    payloads = []
    for vector in load_vectors():
        try:
            jpqr.decode(vector["payload"])
        except jpqr.JPQRError:
            continue
        payloads.append(vector["payload"])
    return payloads


@pytest.mark.parametrize("payload", _decodable())
def test_find_path_finds_what_a_hand_walk_finds(impl: ModuleType, payload: str) -> None:
    try:
        expected = walk(payload)
    except ValueError:
        pytest.skip("the hand walk reads only plain TLV")
    tree = impl.decode(payload)
    for path, value in expected.items():
        found = find_path(tree, path)
        assert found is not None and found.value == value, path
    assert find_path(tree, "65.99") is None or "65" in expected


def test_code_get(impl: ModuleType) -> None:
    code = from_tree(impl.decode(MERCARI))
    assert code.get("26.00") == "jp.or.paymentsjapan"
    assert code.get("64.01") == "メルペイ カフェ"
    assert code.get("59") == "xxx"
    assert code.get("62") is None and code.get("62.05") is None
    assert jpqr.parse(MERCARI).get("61") == "1066143"


@pytest.mark.parametrize("path", ["", "6205", "62.5", "62..05", "62.05.", "620.5", 62])
def test_a_malformed_path_is_a_clear_error(impl: ModuleType, path: object) -> None:
    with pytest.raises(ValueError, match="expected an ID path"):
        find_path(impl.decode(MERCARI), path)  # type: ignore[arg-type]


@given(st.text(alphabet="0123456789.", max_size=12))
def test_any_path_text_gives_an_object_none_or_value_error(path: str) -> None:
    tree = jpqr.decode(MERCARI)
    try:
        found = find_path(tree, path)
    except ValueError:
        assert any(len(part) != 2 for part in path.split("."))
        return
    expected = walk(MERCARI).get(path)
    assert (found.value if found else None) == expected


def test_typed_code_to_dynamic_and_back(impl: ModuleType) -> None:
    code = jpqr.parse(MERCARI)
    dynamic = code.to_dynamic(amount=1500, reference="S-20261202-1")
    assert dynamic.is_dynamic and dynamic.amount == Decimal(1500)
    assert dynamic.get("62.05") == "S-20261202-1"
    assert jpqr.validate(dynamic.to_payload()).ok
    static = dynamic.to_static()
    assert not static.is_dynamic and static.amount is None and static.get("62.05") is None
    assert jpqr.validate(static.to_payload()).ok
    # everything else is kept
    assert static.get("26.01") == code.get("26.01") and static.get("64.01") == code.get("64.01")


def test_typed_code_to_dynamic_refuses_what_the_profile_refuses(impl: ModuleType) -> None:
    with pytest.raises(jpqr.BuildError) as caught:
        jpqr.parse(MERCARI).to_dynamic(amount="10.5")  # JPY has no minor unit
    assert caught.value.code.startswith("amount")


@pytest.mark.parametrize("index", range(0, 40, 4))
def test_report_format_is_what_jpqr_validate_prints(impl: ModuleType, index: int) -> None:
    import os
    import subprocess
    import sys

    vectors = load_vectors()
    payload = vectors[index % len(vectors)]["payload"]
    if "\x00" in payload:
        pytest.skip("an argument cannot hold NUL")
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    if impl.IMPLEMENTATION == "python":
        env["JPQR_NO_EXTENSIONS"] = "1"
    shown = subprocess.run(
        [sys.executable, "-m", "jpqr", "validate", "--", payload],
        capture_output=True,
        env=env,
        timeout=60,
    )
    expected = jpqr.validate(payload).format() + "\n"
    assert shown.stdout.decode("utf-8") == expected
