"""Settlement retries: a provider that refuses capture is tried again by ``resume()`` after a
wait that doubles with each failure (``PaymentConfig.settle_retry_s``, capped at
``settle_retry_max_s``), and once the money moved it is never called again."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from functools import partial

from jpqr.ocpp import OCPPError
from jpqr.ocpp.provider import CreatedPayment, ProviderModel
from jpqr.ocpp.service import PaymentConfig, QRPaymentService
from jpqr.ocpp.store import PaymentRecord, Store


class DownProvider:
    """Refuses every capture while ``down``; counts the calls it gets."""

    def __init__(self) -> None:
        self.down = True
        self.calls: list[str] = []

    async def create(
        self,
        reference: str,
        model: ProviderModel,
        amount: Decimal,
        lifetime_s: float,
        terminal: str,
    ) -> CreatedPayment:
        raise AssertionError("not used")

    async def refresh(self, reference: str, lifetime_s: float) -> CreatedPayment:
        raise AssertionError("not used")

    async def cancel(self, reference: str, reason: str = "cancelled") -> None:
        raise AssertionError("not used")

    async def capture(self, reference: str, amount: Decimal) -> None:
        self.calls.append(f"capture {amount}")
        if self.down:
            raise OCPPError("ocpp.provider", "provider unavailable")

    async def release(self, reference: str, amount: Decimal) -> None:
        self.calls.append(f"release {amount}")

    async def refund(self, reference: str, amount: Decimal) -> None:
        self.calls.append(f"refund {amount}")


def ended_payment(store: Store) -> None:
    store.add_payment(
        PaymentRecord(
            reference="R1", station_id="CS-1", evse_id=1, message_id=1, model="authorisation",
            amount=Decimal(3000), state="captured", code="", expires_at="2026-12-02T00:00:00+00:00",
            terminal="CS-1-1", remote_start_id=None, transaction_id="T1", cost=Decimal(1000),
            start_accepted=True, start_sent=1, settled=False, revision=0,
        )
    )  # fmt: skip


def run_resumes(times: list[float], config: PaymentConfig, up_at: float | None) -> list[float]:
    """Call resume() at each of ``times`` (the service's clock); the provider comes back at
    ``up_at``. The times at which the provider was called."""
    store = Store(":memory:")
    ended_payment(store)
    provider = DownProvider()
    service = QRPaymentService(store, provider, config, "secret")
    called: list[float] = []

    async def main() -> None:
        for now in times:
            service.clock = partial(float, now)
            provider.down = up_at is None or now < up_at
            before = len(provider.calls)
            service.resume()
            while service._tasks:
                await asyncio.sleep(0)
            if len(provider.calls) > before:
                called.append(now)

    asyncio.run(main())
    record = store.payment("R1")
    assert record is not None and record.settled == (up_at is not None and bool(called))
    return called


def test_retries_wait_longer_after_each_failure() -> None:
    config = PaymentConfig(settle_retry_s=2.0, settle_retry_max_s=300.0)
    # tried at 0; failed: next at 2; failed: next at 2+4 = 6; failed: next at 6+8 = 14
    called = run_resumes([t / 2 for t in range(0, 40)], config, up_at=None)
    assert called == [0.0, 2.0, 6.0, 14.0]


def test_the_wait_is_capped() -> None:
    config = PaymentConfig(settle_retry_s=1.0, settle_retry_max_s=3.0)
    called = run_resumes([float(t) for t in range(20)], config, up_at=None)
    # waits 1, 2, then 3 (capped) each time
    assert called == [0.0, 1.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0]


def test_once_settled_the_provider_is_not_called_again() -> None:
    config = PaymentConfig(settle_retry_s=2.0)
    called = run_resumes([float(t) for t in range(30)], config, up_at=5.0)
    assert called == [0.0, 2.0, 6.0]  # the third try succeeds; nothing after it
