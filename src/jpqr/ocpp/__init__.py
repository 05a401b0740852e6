"""jpqr for OCPP: show a payment code on a charging station (SPEC.md §5, OCA white paper).

The flow of the OCA white paper's model 2, and the piece of jpqr for each step:

1. the station asks for a code: DataTransfer ``StartQRPayment`` (:mod:`jpqr.ocpp.trigger`);
2. the CSMS gets a dynamic JPQR code for that EVSE and keeps a :class:`PaymentSession`;
3. the CSMS sends it in a SetDisplayMessageRequest (:func:`set_display_message`), checked first
   against the station's limits and with :func:`jpqr.validate`;
4. the station reads it back (:func:`read_display_message`) and can check it with jpqr too.

Only the standard library is needed to build and read payload dicts; :mod:`jpqr.ocpp.calls`
turns them into the ``ocpp`` package's call objects (``pip install 'jpqr[ocpp]'``).

The whole flow, from the code shown to capture or refund (docs/ocpp.md): the payment states
(:mod:`jpqr.ocpp.flow`), the provider protocol and webhook signature (:mod:`jpqr.ocpp.provider`),
a simulated provider over HTTP (:mod:`jpqr.ocpp.simulator`), the SQLite store
(:mod:`jpqr.ocpp.store`), the service that runs the flow for every station
(:mod:`jpqr.ocpp.service`) and the handlers a CSMS mounts on the ``ocpp`` package's ChargePoint
(:mod:`jpqr.ocpp.csms`, which needs the ``ocpp`` extra).

>>> from jpqr.ocpp import start_qr_payment_request, answer_start_qr_payment
>>> request = start_qr_payment_request(1)
>>> answer_start_qr_payment(request["vendorId"], request["messageId"], request["data"]).status
'Accepted'
"""

from __future__ import annotations

from . import http
from .display import (
    CONTENT_LIMITS,
    QR_CODE_DISPLAY,
    SUBPROTOCOLS,
    DisplayedMessage,
    Version,
    format_datetime,
    qr_code_display_enabled,
    read_display_message,
    set_display_message,
)
from .errors import OCPPError
from .flow import FINAL_STATES, FlowEvent, FlowState, advance
from .provider import CreatedPayment, PaymentProvider, WebhookEvent, read_webhook, sign
from .session import PaymentModel, PaymentSession, SessionState
from .trigger import (
    START_QR_PAYMENT,
    VENDOR_ID,
    TriggerAnswer,
    answer_start_qr_payment,
    read_start_qr_payment,
    start_qr_payment_request,
)

__all__ = [
    "CONTENT_LIMITS",
    "FINAL_STATES",
    "QR_CODE_DISPLAY",
    "START_QR_PAYMENT",
    "SUBPROTOCOLS",
    "VENDOR_ID",
    "CreatedPayment",
    "DisplayedMessage",
    "FlowEvent",
    "FlowState",
    "OCPPError",
    "PaymentModel",
    "PaymentProvider",
    "PaymentSession",
    "SessionState",
    "TriggerAnswer",
    "Version",
    "WebhookEvent",
    "advance",
    "answer_start_qr_payment",
    "format_datetime",
    "http",
    "qr_code_display_enabled",
    "read_display_message",
    "read_start_qr_payment",
    "read_webhook",
    "set_display_message",
    "sign",
    "start_qr_payment_request",
]
