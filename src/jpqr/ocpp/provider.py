"""What a CSMS needs from a QR payment provider (PayPay, d払い, au PAY, ...): the
``PaymentProvider`` protocol, its webhook signature, and a client of the simulated provider's
HTTP API.

A provider makes a **dynamic code** for one payment (an amount for prepaid, a limit for
authorisation, and a lifetime), and later cancels, captures, releases or refunds it. It confirms a
payment with a **webhook** whose raw body is signed with HMAC-SHA256 under a shared secret, as
wallet providers do; :func:`verify_signature` is the CSMS's check. Every money operation carries
an idempotency key (the reference and the operation), so a retried call never moves money twice.

>>> body = b'{"reference": "EV2026112100000001", "event": "authorised"}'
>>> header = sign(body, "s3cret")
>>> header.startswith("sha256="), verify_signature(body, header, "s3cret")
(True, True)
>>> verify_signature(body + b" ", header, "s3cret"), verify_signature(body, None, "s3cret")
(False, False)
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from . import http
from .errors import OCPPError

__all__ = [
    "SIGNATURE_HEADER",
    "CreatedPayment",
    "HTTPPaymentProvider",
    "PaymentProvider",
    "ProviderModel",
    "WebhookEvent",
    "read_webhook",
    "sign",
    "verify_signature",
]

ProviderModel = Literal["prepaid", "authorisation"]
SIGNATURE_HEADER = "X-Signature"


def sign(body: bytes, secret: str) -> str:
    """The ``X-Signature`` header value for a raw webhook body: ``sha256=<hex HMAC>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """Whether ``header`` is the HMAC-SHA256 of exactly ``body`` (compared in constant time)."""
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(body, secret), header.strip())


@dataclass(frozen=True)
class CreatedPayment:
    """A provider's answer to create or refresh: the payment reference (62-05) and its code."""

    reference: str
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook: ``event`` is ``paid`` (prepaid) or ``authorised`` (authorisation)."""

    event_id: str
    reference: str
    event: str
    amount: Decimal


def read_webhook(body: bytes, header: str | None, secret: str) -> WebhookEvent:
    """Check the signature, then read the event; ``ocpp.webhook_signature`` / ``ocpp.webhook``.

    >>> import json
    >>> raw = json.dumps({"eventId": "e1", "reference": "R1", "event": "paid",
    ...                   "amount": "3000"}).encode()
    >>> read_webhook(raw, sign(raw, "k"), "k").amount
    Decimal('3000')
    >>> read_webhook(raw, sign(raw, "other"), "k")
    Traceback (most recent call last):
    ...
    jpqr.ocpp.errors.OCPPError: ...the webhook signature does not match its body
    """
    import json

    if not verify_signature(body, header, secret):
        raise OCPPError("ocpp.webhook_signature", "the webhook signature does not match its body")
    try:
        document = json.loads(body.decode("utf-8"))
        event = WebhookEvent(
            event_id=str(document["eventId"])[:64],
            reference=str(document["reference"])[:25],
            event=str(document["event"]),
            amount=Decimal(str(document["amount"])),
        )
    except (ValueError, KeyError, TypeError, ArithmeticError) as err:
        raise OCPPError("ocpp.webhook", f"malformed webhook body: {err!r}") from err
    return event


class PaymentProvider(Protocol):
    """The provider API a CSMS calls. Amounts are whole yen; ``reference`` is the 62-05 label.

    ``create`` makes a dynamic code for a new payment at one EVSE (``terminal`` is its 62-07);
    ``refresh`` a new code for the same unpaid payment; ``cancel`` ends an unpaid one (``reason``
    ``"cancelled"`` or ``"expired"``); ``capture`` / ``release`` settle an authorisation;
    ``refund`` returns part of a prepaid payment. Each is idempotent per reference and operation.
    """

    async def create(
        self,
        reference: str,
        model: ProviderModel,
        amount: Decimal,
        lifetime_s: float,
        terminal: str,
    ) -> CreatedPayment: ...

    async def refresh(self, reference: str, lifetime_s: float) -> CreatedPayment: ...

    async def cancel(self, reference: str, reason: str = "cancelled") -> None: ...

    async def capture(self, reference: str, amount: Decimal) -> None: ...

    async def release(self, reference: str, amount: Decimal) -> None: ...

    async def refund(self, reference: str, amount: Decimal) -> None: ...


class HTTPPaymentProvider:
    """:class:`PaymentProvider` over the simulated provider's HTTP API (see jpqr.ocpp.simulator).

    A real provider's client has the same six methods over its own API; see docs/ocpp.md.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    async def _post(self, path: str, document: dict[str, Any]) -> Any:
        status, answer = await http.post_json(f"{self.base_url}{path}", document)
        if status != 200:
            raise OCPPError("ocpp.provider", f"the provider answered {status} to {path}: {answer}")
        return answer

    @staticmethod
    def _created(answer: Any) -> CreatedPayment:
        return CreatedPayment(
            answer["reference"], answer["code"], datetime.fromisoformat(answer["expiresAt"])
        )

    async def create(
        self,
        reference: str,
        model: ProviderModel,
        amount: Decimal,
        lifetime_s: float,
        terminal: str,
    ) -> CreatedPayment:
        answer = await self._post(
            "/api/payments",
            {
                "reference": reference,
                "model": model,
                "amount": str(amount),
                "lifetime": lifetime_s,
                "terminal": terminal,
            },
        )
        return self._created(answer)

    async def refresh(self, reference: str, lifetime_s: float) -> CreatedPayment:
        answer = await self._post(f"/api/payments/{reference}/refresh", {"lifetime": lifetime_s})
        return self._created(answer)

    async def cancel(self, reference: str, reason: str = "cancelled") -> None:
        await self._post(f"/api/payments/{reference}/cancel", {"reason": reason})

    async def capture(self, reference: str, amount: Decimal) -> None:
        await self._post(f"/api/payments/{reference}/capture", {"amount": str(amount)})

    async def release(self, reference: str, amount: Decimal) -> None:
        await self._post(f"/api/payments/{reference}/release", {"amount": str(amount)})

    async def refund(self, reference: str, amount: Decimal) -> None:
        await self._post(f"/api/payments/{reference}/refund", {"amount": str(amount)})
