"""The OCPP JSON schemas shipped in the ``ocpp`` package, as validators.

OCPP-J (OCPP 2.0.1 part 4, and 2.1 likewise) carries each message as a JSON object whose shape is
fixed by ``<Action>Request.json`` / ``<Action>Response.json``, draft-06 JSON schemas. The station
checks every payload it sends (a failure is a bug in the station) and every payload it receives (a
failure is a finding against the CSMS) with these files and nothing else.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema  # type: ignore[import-untyped]  # no stubs in the test extra
import ocpp

Direction = Literal["Request", "Response"]

SCHEMA_FOLDERS = {"2.0.1": "v201", "2.1": "v21"}
_ROOT = Path(ocpp.__file__).parent


def schema_path(version: str, action: str, direction: Direction) -> Path:
    """The schema file of ``action`` in ``version``: ``v21/schemas/HeartbeatRequest.json``."""
    return _ROOT / SCHEMA_FOLDERS[version] / "schemas" / f"{action}{direction}.json"


@cache
def actions(version: str) -> frozenset[str]:
    """Every action the version defines (a Request schema exists for it)."""
    folder = _ROOT / SCHEMA_FOLDERS[version] / "schemas"
    return frozenset(p.name.removesuffix("Request.json") for p in folder.glob("*Request.json"))


@cache
def _validator(version: str, action: str, direction: Direction) -> jsonschema.Draft6Validator:
    schema = json.loads(schema_path(version, action, direction).read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema)


def violations(version: str, action: str, direction: Direction, payload: Any) -> list[str]:
    """Every way ``payload`` breaks the schema, as ``"<json path>: <message>"``; empty when valid.

    >>> violations("2.1", "Heartbeat", "Response", {"currentTime": "2026-01-01T00:00:00Z"})
    []
    >>> violations("2.0.1", "Heartbeat", "Response", {})
    ["$: 'currentTime' is a required property"]
    """
    if action not in actions(version):
        return [f"$: {action!r} is not an OCPP {version} action"]
    found = _validator(version, action, direction).iter_errors(payload)
    return sorted(f"{error.json_path}: {error.message}" for error in found)
