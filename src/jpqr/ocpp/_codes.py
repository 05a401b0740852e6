"""Adapter between jpqr.ocpp and the code layers of jpqr (validation and reading fields).

Everything jpqr.ocpp needs from the schema layer goes through here, so the OCPP code does not care
how a code is checked: it asks for the problems of a payload and for a few raw fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import jpqr

from .. import _kernels
from .errors import OCPPError

__all__ = ["CodeFields", "check_code", "code_fields"]


def check_code(payload: str, profile: str) -> None:
    """Raise ``ocpp.invalid_code`` unless ``jpqr.validate`` finds ``payload`` valid.

    The message names the first error of the report and how many there are, so a CSMS log line
    says what the payment provider got wrong.
    """
    report = jpqr.validate(payload, profile)
    if report.ok:
        return
    first = report.errors[0]
    more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
    raise OCPPError(
        "ocpp.invalid_code",
        f"the payment code is not a valid {report.profile} code: {first.code}: "
        f"{first.message}{more}",
        offset=first.offset,
        path=first.path,
    )


@dataclass(frozen=True)
class CodeFields:
    """The fields of a code that a payment session cross-checks (raw text as decoded)."""

    point_of_initiation: str | None
    amount: Decimal | None
    reference_label: str | None
    terminal_label: str | None


def code_fields(payload: str) -> CodeFields:
    """Read 01, 54, 62-05 and 62-07 from a payload that :func:`check_code` accepted."""
    root = {obj.id: obj for obj in _kernels.decode(payload)}
    additional = root.get("62")
    amount: Decimal | None = None
    if "54" in root:
        try:
            amount = Decimal(root["54"].value)
        except InvalidOperation:  # pragma: no cover - check_code refuses such codes first
            amount = None

    def sub(id: str) -> str | None:
        found = additional.find(id) if additional is not None else None
        return found.value if found is not None else None

    return CodeFields(
        point_of_initiation=root["01"].value if "01" in root else None,
        amount=amount,
        reference_label=sub("05"),
        terminal_label=sub("07"),
    )
