"""Every published payload (tests/data/published.jsonl) yields its recorded tlv and crc facts."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from jpqr import DataObject, DecodeError
from jpqr.dataobject import is_template

from .conftest import PUBLISHED


def tlv_fact(impl: ModuleType, payload: str) -> str:
    """``ok`` when the text and every template in it read as data objects, else ``error``."""
    try:
        objects = impl.decode(payload)
    except DecodeError:
        return "error"

    def all_templates_read(objects: tuple[DataObject, ...], parent: str) -> bool:
        for obj in objects:
            path = f"{parent}.{obj.id}" if parent else obj.id
            if is_template(path) and (
                obj.children is None or not all_templates_read(obj.children, path)
            ):
                return False
        return True

    return "ok" if all_templates_read(objects, "") else "error"


@pytest.mark.parametrize("vector", PUBLISHED, ids=[f"v{i}" for i in range(len(PUBLISHED))])
def test_published_facts(impl: ModuleType, vector: dict[str, Any]) -> None:
    payload = vector["payload"]
    assert tlv_fact(impl, payload) == vector["tlv"], vector["source"]
    assert impl.crc_verdict(payload) == vector["crc"], vector["source"]
    assert impl.crc_verdict(payload.encode("utf-8")) == vector["crc"]


@pytest.mark.parametrize("vector", [v for v in PUBLISHED if v["tlv"] == "ok"])
def test_published_round_trip(impl: ModuleType, vector: dict[str, Any]) -> None:
    payload = vector["payload"]
    objects = impl.decode(payload)
    assert impl.encode(objects, crc=any(o.id == "63" for o in objects)) == payload


def test_collection_is_complete() -> None:
    # The copy in tests/data must not silently shrink.
    assert len(PUBLISHED) >= 53
    assert {v["crc"] for v in PUBLISHED} == {"ok", "lowercase", "mismatch", "missing"}
