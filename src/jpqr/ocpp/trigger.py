"""The station's "Pay with QR code" trigger: DataTransfer StartQRPayment (OCA white paper §2.2).

The station sends a DataTransferRequest with vendorId ``org.openchargealliance.qrpayment``,
messageId ``StartQRPayment`` and data ``{"evseId": n}``; the CSMS answers ``Accepted`` (and then
makes a payment code for that EVSE) or ``Rejected``. The ``ocpp`` package rewrites the keys inside
``data`` before a handler sees them (``evseId`` arrives as ``evse_id``), and stations coming from
OCPP 1.6 habits send ``data`` as a JSON string: both are read here.

>>> start_qr_payment_request(1)
{'vendorId': 'org.openchargealliance.qrpayment', 'messageId': 'StartQRPayment', 'data': {...}}
>>> answer = answer_start_qr_payment(VENDOR_ID, "StartQRPayment", {"evse_id": 2})
>>> answer.status, answer.evse_id
('Accepted', 2)
>>> answer_start_qr_payment(VENDOR_ID, "StartQRPayment", "{}").to_response()
{'status': 'Rejected', 'statusInfo': {'reasonCode': 'InvalidData', 'additionalInfo': ...}}
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from .errors import OCPPError

__all__ = [
    "START_QR_PAYMENT",
    "VENDOR_ID",
    "TriggerAnswer",
    "answer_start_qr_payment",
    "read_start_qr_payment",
    "start_qr_payment_request",
]

VENDOR_ID = "org.openchargealliance.qrpayment"
START_QR_PAYMENT = "StartQRPayment"

# DataTransferStatusEnumType and StatusInfo reasonCode (at most 20 characters) of each refusal.
_REFUSALS: dict[str, tuple[str, str]] = {
    "ocpp.unknown_vendor": ("UnknownVendorId", "UnknownVendorId"),
    "ocpp.unknown_message": ("UnknownMessageId", "UnknownMessageId"),
    "ocpp.trigger_data": ("Rejected", "InvalidData"),
    "ocpp.unknown_evse": ("Rejected", "UnknownEVSE"),
    "ocpp.display_disabled": ("Rejected", "NoQRCodeDisplay"),
}


def start_qr_payment_request(evse_id: int) -> dict[str, Any]:
    """The station's DataTransferRequest payload asking the CSMS for a payment code for an EVSE."""
    return {
        "vendorId": VENDOR_ID,
        "messageId": START_QR_PAYMENT,
        "data": {"evseId": _evse(evse_id)},
    }


def _evse(value: object) -> int:
    # EVSE ids count from 1; 0 is the station as a whole, which cannot take a payment.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OCPPError("ocpp.trigger_data", f"evseId must be an integer >= 1, found {value!r}")
    return value


def read_start_qr_payment(
    vendor_id: str,
    message_id: str | None,
    data: object,
    *,
    evse_ids: Collection[int] | None = None,
) -> int:
    """The EVSE id of a StartQRPayment DataTransfer, or an :class:`~jpqr.ocpp.OCPPError`.

    ``data``: a mapping with ``evseId`` (or ``evse_id``, as the ``ocpp`` package delivers it), or
    the same as a JSON string. ``evse_ids``: the EVSEs the station has, when the CSMS knows them.
    Codes: ``ocpp.unknown_vendor``, ``ocpp.unknown_message``, ``ocpp.trigger_data``,
    ``ocpp.unknown_evse``.

    >>> read_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, '{"evseId": 3}')
    3
    >>> read_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, {"evseId": 3}, evse_ids={1, 2})
    Traceback (most recent call last):
    ...
    jpqr.ocpp.errors.OCPPError: [ocpp.unknown_evse] the station has no EVSE 3
    """
    if vendor_id != VENDOR_ID:
        raise OCPPError("ocpp.unknown_vendor", f"vendorId {vendor_id!r} is not {VENDOR_ID!r}")
    if message_id != START_QR_PAYMENT:
        raise OCPPError(
            "ocpp.unknown_message", f"messageId {message_id!r} is not {START_QR_PAYMENT!r}"
        )
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as err:  # RecursionError: absurdly deep nesting
            raise OCPPError("ocpp.trigger_data", "data is a string but not usable JSON") from err
    if not isinstance(data, dict):
        raise OCPPError(
            "ocpp.trigger_data", f"data must be an object with evseId, found {type(data).__name__}"
        )
    keys = [key for key in ("evseId", "evse_id") if key in data]
    if not keys:
        raise OCPPError("ocpp.trigger_data", "data has no evseId")
    if len(keys) == 2 and data["evseId"] != data["evse_id"]:
        raise OCPPError("ocpp.trigger_data", "data has two different evseId values")
    evse_id = _evse(data[keys[0]])
    if evse_ids is not None and evse_id not in evse_ids:
        raise OCPPError("ocpp.unknown_evse", f"the station has no EVSE {evse_id}")
    return evse_id


@dataclass(frozen=True)
class TriggerAnswer:
    """The CSMS's answer: ``status``, the ``evse_id`` when Accepted, the refusal otherwise."""

    status: str
    evse_id: int | None = None
    error: OCPPError | None = None

    @property
    def accepted(self) -> bool:
        """True when the CSMS takes the request and will send a payment code."""
        return self.status == "Accepted"

    def to_response(self) -> dict[str, Any]:
        """The DataTransferResponse payload (camelCase, JSON-ready)."""
        if self.error is None:
            return {"status": self.status}
        reason = _REFUSALS[self.error.code][1]
        return {
            "status": self.status,
            "statusInfo": {"reasonCode": reason, "additionalInfo": self.error.message[:512]},
        }


def answer_start_qr_payment(
    vendor_id: str,
    message_id: str | None,
    data: object,
    *,
    evse_ids: Collection[int] | None = None,
    can_display: bool = True,
) -> TriggerAnswer:
    """Read a DataTransfer and decide the answer; never raises for a malformed request.

    A different vendorId gives ``UnknownVendorId``, another messageId of this vendor
    ``UnknownMessageId`` (the DataTransfer statuses meant for those), bad data or an unknown EVSE
    ``Rejected``. ``can_display=False`` (an OCPP 2.0.1 station that did not report
    ``QRCodeDisplay.Enabled = true``) rejects a valid request with reason ``NoQRCodeDisplay``:
    the CSMS could not show the code.

    >>> answer_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, {"evseId": 1},
    ...                         can_display=False).to_response()["statusInfo"]["reasonCode"]
    'NoQRCodeDisplay'
    """
    try:
        evse_id = read_start_qr_payment(vendor_id, message_id, data, evse_ids=evse_ids)
        if not can_display:
            raise OCPPError(
                "ocpp.display_disabled",
                "the station has not reported QRCodeDisplay.Enabled = true",
            )
    except OCPPError as err:
        return TriggerAnswer(_REFUSALS[err.code][0], None, err)
    return TriggerAnswer("Accepted", evse_id)
