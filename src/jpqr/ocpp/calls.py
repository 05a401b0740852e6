"""The ``ocpp`` package's call objects for the payloads jpqr.ocpp builds (needs the ``ocpp`` extra).

The payload dicts of :mod:`jpqr.ocpp.display` and :mod:`jpqr.ocpp.trigger` are what goes on the
wire. ``ChargePoint.call`` of the ``ocpp`` package wants its own dataclasses instead; these
functions make them, so ``await cp.call(set_display_message_call(request, "2.1"),
suppress=False)`` sends exactly the dict jpqr checked. The ``ocpp`` package is imported here, on
first use, never by ``import jpqr``.

>>> from jpqr.ocpp import start_qr_payment_request
>>> call = data_transfer_call(start_qr_payment_request(1), "2.1")
>>> type(call).__module__, call.vendor_id, call.message_id, call.data
('ocpp.v21.call', 'org.openchargealliance.qrpayment', 'StartQRPayment', {'evseId': 1})
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from .display import check_version

__all__ = ["data_transfer_call", "data_transfer_result", "set_display_message_call"]


def _modules(version: str, kind: str = "call") -> tuple[ModuleType, ModuleType]:
    package = "ocpp.v21" if check_version(version) == "2.1" else "ocpp.v201"
    try:
        return (
            importlib.import_module(f"{package}.{kind}"),
            importlib.import_module(f"{package}.datatypes"),
        )
    except ImportError as err:
        raise ImportError(
            "jpqr.ocpp.calls needs the ocpp package: pip install 'jpqr[ocpp]'"
        ) from err


def set_display_message_call(request: Mapping[str, Any], version: str) -> Any:
    """``ocpp.v21.call.SetDisplayMessage`` (or ``ocpp.v201``'s) for a request payload dict."""
    call, types = _modules(version)
    info = request["message"]
    content = info["message"]
    display = info.get("display")
    component = None
    if display is not None:
        evse = display.get("evse")
        component = types.ComponentType(
            name=display["name"],
            instance=display.get("instance"),
            evse=types.EVSEType(id=evse["id"], connector_id=evse.get("connectorId"))
            if evse is not None
            else None,
        )
    message = types.MessageInfoType(
        id=info["id"],
        priority=info["priority"],
        message=types.MessageContentType(
            format=content["format"], content=content["content"], language=content.get("language")
        ),
        display=component,
        state=info.get("state"),
        start_date_time=info.get("startDateTime"),
        end_date_time=info.get("endDateTime"),
        transaction_id=info.get("transactionId"),
    )
    return call.SetDisplayMessage(message=message)


def data_transfer_call(request: Mapping[str, Any], version: str) -> Any:
    """``ocpp.v21.call.DataTransfer`` (or ``ocpp.v201``'s) for a request payload dict."""
    call, _ = _modules(version)
    return call.DataTransfer(
        vendor_id=request["vendorId"],
        message_id=request.get("messageId"),
        data=request.get("data"),
    )


def data_transfer_result(response: Mapping[str, Any], version: str) -> Any:
    """``ocpp.v21.call_result.DataTransfer`` (or ``ocpp.v201``'s) for a response payload dict.

    What an ``@on("DataTransfer")`` handler returns, from :meth:`TriggerAnswer.to_response`.
    """
    call_result, types = _modules(version, "call_result")
    info = response.get("statusInfo")
    return call_result.DataTransfer(
        status=response["status"],
        status_info=types.StatusInfoType(
            reason_code=info["reasonCode"], additional_info=info.get("additionalInfo")
        )
        if info is not None
        else None,
    )
