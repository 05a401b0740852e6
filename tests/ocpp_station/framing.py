"""OCPP-J frames: how a message travels over the WebSocket (OCPP 2.0.1 / 2.1 part 4, section 4).

A frame is a JSON array: CALL ``[2, "<messageId>", "<action>", {payload}]``, CALLRESULT
``[3, "<messageId>", {payload}]``, CALLERROR ``[4, "<messageId>", "<errorCode>",
"<errorDescription>", {errorDetails}]``. The message id is a string of at most 36 characters, and
the subprotocol (``ocpp2.0.1`` / ``ocpp2.1``) is agreed in the WebSocket handshake.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

CALL, CALLRESULT, CALLERROR = 2, 3, 4
OCPP_VERSIONS = ("2.0.1", "2.1")
SUBPROTOCOLS = {"2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}
MAX_MESSAGE_ID = 36

# The CALLERROR codes of part 4 (4.3): 2.0.1 and 2.1 share them, 2.1 adds MessageTypeNotSupported.
ERROR_CODES = frozenset(
    {
        "FormatViolation",
        "GenericError",
        "InternalError",
        "MessageTypeNotSupported",
        "NotImplemented",
        "NotSupported",
        "OccurrenceConstraintViolation",
        "PropertyConstraintViolation",
        "ProtocolError",
        "RpcFrameworkError",
        "SecurityError",
        "TypeConstraintViolation",
    }
)


class FrameError(ValueError):
    """A text that is not an OCPP-J frame; ``reason`` says what was expected and found."""


@dataclass(frozen=True)
class Call:
    message_id: str
    action: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class CallResult:
    message_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class CallError:
    message_id: str
    code: str
    description: str
    details: dict[str, Any] = field(default_factory=dict)


Frame = Call | CallResult | CallError


def encode(frame: Frame) -> str:
    """The frame as the text sent on the WebSocket.

    >>> encode(Call("1", "Heartbeat", {}))
    '[2, "1", "Heartbeat", {}]'
    """
    if isinstance(frame, Call):
        items: list[Any] = [CALL, frame.message_id, frame.action, frame.payload]
    elif isinstance(frame, CallResult):
        items = [CALLRESULT, frame.message_id, frame.payload]
    else:
        items = [CALLERROR, frame.message_id, frame.code, frame.description, frame.details]
    return json.dumps(items, ensure_ascii=False)


def decode(text: str | bytes) -> Frame:
    """Read one frame; raises :class:`FrameError` for anything part 4 does not allow.

    >>> decode('[3, "7", {"status": "Accepted"}]')
    CallResult(message_id='7', payload={'status': 'Accepted'})
    >>> decode('[3, 7, {}]')
    Traceback (most recent call last):
    ...
    tests.ocpp_station.framing.FrameError: message id: expected a string, found 7
    """
    if isinstance(text, bytes):
        raise FrameError("frame: expected a text message, found a binary one")
    try:
        items = json.loads(text)
    except ValueError as error:
        raise FrameError(f"frame: expected JSON, found {text[:60]!r} ({error})") from None
    if not isinstance(items, list) or not items:
        raise FrameError(f"frame: expected a JSON array, found {text[:60]!r}")
    kind, rest = items[0], items[1:]
    if not rest or not isinstance(rest[0], str):
        raise FrameError(f"message id: expected a string, found {rest[0] if rest else None!r}")
    message_id = rest[0]
    if len(message_id) > MAX_MESSAGE_ID:
        raise FrameError(f"message id: expected at most 36 characters, found {len(message_id)}")
    if kind == CALL and len(items) == 4 and isinstance(items[2], str):
        return Call(message_id, items[2], _object(items[3], "CALL payload"))
    if kind == CALLRESULT and len(items) == 3:
        return CallResult(message_id, _object(items[2], "CALLRESULT payload"))
    if kind == CALLERROR and len(items) == 5 and all(isinstance(x, str) for x in items[2:4]):
        return CallError(message_id, items[2], items[3], _object(items[4], "CALLERROR details"))
    raise FrameError(f"frame: expected a CALL, CALLRESULT or CALLERROR, found {text[:80]!r}")


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FrameError(f"{where}: expected a JSON object, found {value!r:.60}")
    return value
