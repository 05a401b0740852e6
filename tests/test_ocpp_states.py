"""The payment-session state machine (jpqr.ocpp.flow), the webhook signature and the simulated
provider's bookkeeping, without a network.

The stateful test drives :func:`jpqr.ocpp.flow.advance` with every event in every order and holds
it to the rules of the OCA white paper §3 and the issue: money comes in once (pay for prepaid,
authorise for authorisation), charging only after it, a final state takes no event, an
authorisation never ends refunded and a prepaid payment never ends released.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import jpqr
from jpqr.ocpp import OCPPError
from jpqr.ocpp.flow import FINAL_STATES, FlowEvent, advance, can
from jpqr.ocpp.provider import read_webhook, sign, verify_signature
from jpqr.ocpp.service import PaymentConfig, energy_wh, terminal_label
from jpqr.ocpp.simulator import SimulatedProvider

EVENTS = list(get_args(FlowEvent))  # every event, in every state
# Where the money is, per state, written from the white paper, not from flow.py.
BEFORE_PAYMENT = {"created", "shown", "cancelled", "expired"}


class PaymentLife(RuleBasedStateMachine):
    """One payment; every rule tries an event, legal or not."""

    def __init__(self) -> None:
        super().__init__()
        self.model = "prepaid"
        self.state = "created"
        self.history: list[str] = []
        self.paid = False

    @rule(model=st.sampled_from(["prepaid", "authorisation"]))
    @precondition(lambda self: not self.history)
    def choose_model(self, model: str) -> None:
        self.model = model

    @rule(event=st.sampled_from(EVENTS), cost=st.integers(0, 3000))
    def event(self, event: str, cost: int) -> None:
        before = self.state
        legal = can(self.model, before, event)
        try:
            after = advance(self.model, before, event, cost=Decimal(cost), amount=Decimal(3000))
        except OCPPError as error:
            assert error.code == "ocpp.session_state"
            assert not legal
            return
        assert legal
        self.history.append(event)
        self.state = after
        assert before not in FINAL_STATES, "a final state took an event"
        if event in ("pay", "authorise"):
            assert not self.paid, "money came in twice"
            assert (event == "pay") == (self.model == "prepaid")
            self.paid = True
        if after in ("charging", "failed"):
            assert self.paid
        if after in BEFORE_PAYMENT:
            assert not self.paid
        if event == "ended" and self.model == "authorisation":
            assert after == ("captured" if cost > 0 else "released")
        if event == "ended" and self.model == "prepaid":
            assert after == ("refunded" if cost < 3000 else "captured")

    @invariant()
    def ends_fit_the_model(self) -> None:
        if self.model == "authorisation":
            assert self.state not in ("paid", "refunded")
        else:
            assert self.state not in ("authorised", "released")


PaymentLife.TestCase.settings = settings(max_examples=150, stateful_step_count=12, deadline=None)
TestPaymentLife = PaymentLife.TestCase


def test_unknown_model_is_refused() -> None:
    with pytest.raises(OCPPError) as caught:
        advance("postpaid", "created", "shown")
    assert caught.value.code == "ocpp.session"


# --- webhook signature ----------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_the_raw_body() -> None:
    # RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert sign(b"what do ya want for nothing?", "Jefe") == f"sha256={expected}"


@given(st.binary(max_size=64), st.text(min_size=1, max_size=8))
def test_any_change_breaks_the_signature(body: bytes, secret: str) -> None:
    header = sign(body, secret)
    assert verify_signature(body, header, secret)
    assert not verify_signature(body + b"x", header, secret)
    assert not verify_signature(body, header, secret + "x")
    assert not verify_signature(body, header.upper(), secret) or header == header.upper()


@pytest.mark.parametrize("body", [b"[]", b"{}", b"not json", b'{"reference": "R"}'])
def test_a_signed_but_malformed_webhook_is_refused(body: bytes) -> None:
    with pytest.raises(OCPPError) as caught:
        read_webhook(body, sign(body, "k"), "k")
    assert caught.value.code == "ocpp.webhook"


# --- pieces of the flow ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wh", "cost"),
    [
        (0, 0),
        (9, 0),
        (10, 1),
        (12345, 617),
        (12350, 618),
        (59980, 2999),
        (59990, 3000),
        (10**9, 3000),
    ],
)
def test_final_cost_is_kwh_times_tariff_rounded_and_capped(wh: int, cost: int) -> None:
    # 50 yen/kWh: 12.345 kWh -> 617.25 -> 617; 12.35 kWh -> 617.5 -> 618 and 10 Wh -> 0.5 -> 1
    # (half up); 59.99 kWh -> 2999.5 -> 3000, at the cap.
    assert PaymentConfig().final_cost(Decimal(wh)) == Decimal(cost)


def test_energy_prefers_the_transaction_end_sample() -> None:
    sample = {"measurand": "Energy.Active.Import.Register"}
    payload = {
        "meterValue": [
            {"sampledValue": [{**sample, "value": 999, "context": "Transaction.End"}]},
            {
                "sampledValue": [
                    {**sample, "value": 5, "context": "Sample.Periodic"},
                    {"value": 7, "measurand": "Power.Active.Import"},
                ]
            },
        ]
    }
    assert energy_wh(payload) == Decimal(999)
    assert energy_wh({}) == Decimal(0)
    assert energy_wh({"meterValue": [{"sampledValue": [{**sample, "value": "NaN"}]}]}) == 0


@given(st.text(alphabet="ABC-~.0123456789", min_size=1, max_size=48), st.integers(1, 64))
def test_terminal_labels_are_unique_and_fit(station_id: str, evse: int) -> None:
    label = terminal_label(station_id, 7, evse)
    assert 0 < len(label) <= 25
    other = terminal_label(station_id + "X", 8, evse)
    assert label != other
    assert terminal_label(station_id, 7, evse % 64 + 1) != label


def test_the_simulator_moves_money_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        provider = SimulatedProvider(str(tmp_path / "p.sqlite3"), "http://127.0.0.1:9/x", "k")
        created = provider.create("R1", "authorisation", Decimal(3000), 60, "CS-1-1")
        assert jpqr.validate(created["code"], "jpqr").ok
        assert provider.pay("R1")[0] == 200
        assert provider.settle("R1", "capture", Decimal(100))[0] == 200
        assert provider.settle("R1", "capture", Decimal(100))[0] == 200  # a retry
        assert provider.settle("R1", "release", Decimal(3000))[0] == 409  # above the rest
        assert provider.settle("R1", "release", Decimal(2900))[0] == 200
        assert provider.settle("R1", "refund", Decimal(1))[0] == 409  # not prepaid
        view = provider.view("R1")
        assert view is not None
        assert [(o["op"], o["amount"]) for o in view["operations"]] == [
            ("authorise", "3000"),
            ("capture", "100"),
            ("release", "2900"),
        ]
        assert (view["state"], view["captured"], view["released"]) == ("captured", "100", "2900")
        status, _body = provider.pay("NOPE")
        assert status == 404
        await provider.stop()

    asyncio.run(asyncio.wait_for(scenario(), 20))


def test_webhook_body_is_what_the_contract_says(tmp_path: Path) -> None:
    provider = SimulatedProvider(str(tmp_path / "p.sqlite3"), "http://127.0.0.1:9/x", "k")
    provider.create("R2", "prepaid", Decimal(1500), 60, "CS-1-1")
    assert json.loads(json.dumps(provider.view("R2")))["amount"] == "1500"
    asyncio.run(provider.stop())


def test_the_http_server_answers_bad_requests_and_handler_bugs() -> None:
    from jpqr.ocpp import http

    async def handler(request: http.Request) -> http.Response:
        if request.path == "/bug":
            raise RuntimeError("a bug")
        return http.Response(200, {"n": len(request.body)})

    async def scenario() -> None:
        server = await http.serve(handler, "127.0.0.1", 0)
        port = http.port_of(server)
        try:
            assert await http.request("POST", f"http://127.0.0.1:{port}/bug") == (
                500,
                b'{"error": "RuntimeError(\'a bug\')"}',
            )
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /x HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n")
            answer = await asyncio.wait_for(reader.read(), 5)
            assert answer.startswith(b"HTTP/1.1 400 ")
            writer.close()
            status, body = await http.post_json(f"http://127.0.0.1:{port}/ok", {"a": 1})
            assert (status, body) == (200, {"n": 8})
        finally:
            server.close()
            await server.wait_closed()

    asyncio.run(asyncio.wait_for(scenario(), 20))
