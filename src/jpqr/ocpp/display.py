"""SetDisplayMessageRequest payloads that carry a payment code (SPEC.md §5, OCA white paper §2.2).

OCPP 2.1 shows a code with message format ``QRCODE`` (the wire value has no underscore; content up
to 1024 characters, or the length the station configured). OCPP 2.0.1 has no QR format: the code
travels as an ``ASCII`` message (``UTF8`` when it holds non-ASCII text, as every JPQR code does in
its 64 template) whose ``display`` is the component ``QRCodeDisplay`` (content up to 512), and only
to a station that reported ``QRCodeDisplay.Enabled = true``.

The payload is checked before anything is built: the length for the station, then the code itself
with :func:`jpqr.validate`. The result is the JSON-ready request payload (camelCase keys, as on the
wire); :func:`jpqr.ocpp.calls.set_display_message_call` turns it into the ``ocpp`` package's call.

>>> from datetime import datetime, timezone
>>> request = set_display_message(
...     "https://pay.example/s/8f3a",
...     version="2.1",
...     message_id=7,
...     expires_at=datetime(2026, 11, 21, 17, 30, tzinfo=timezone.utc),
...     profile=None,  # opaque content (a provider URL), not an EMVCo code
... )
>>> request["message"]["message"]
{'format': 'QRCODE', 'content': 'https://pay.example/s/8f3a'}
>>> request["message"]["endDateTime"]
'2026-11-21T17:30:00Z'
>>> set_display_message("https://pay.example/s/8f3a", version="2.0.1", message_id=7, profile=None)
Traceback (most recent call last):
...
jpqr.ocpp.errors.OCPPError: [ocpp.display_disabled] the station has not reported ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from ._codes import check_code
from .errors import OCPPError

__all__ = [
    "CONTENT_LIMITS",
    "QR_CODE_DISPLAY",
    "SUBPROTOCOLS",
    "DisplayedMessage",
    "Version",
    "check_version",
    "format_datetime",
    "qr_code_display_enabled",
    "read_display_message",
    "set_display_message",
]

Version = Literal["2.1", "2.0.1"]

# The websocket subprotocol names of OCPP-J, mapped to the versions jpqr.ocpp speaks.
SUBPROTOCOLS: dict[str, Version] = {"ocpp2.1": "2.1", "ocpp2.0.1": "2.0.1"}

# maxLength of MessageContentType.content in the official JSON schemas.
CONTENT_LIMITS: dict[str, int] = {"2.1": 1024, "2.0.1": 512}

# The device-model component the OCA white paper names for 2.0.1 stations.
QR_CODE_DISPLAY = "QRCodeDisplay"

_FORMATS: dict[str, frozenset[str]] = {
    "2.1": frozenset({"ASCII", "HTML", "URI", "UTF8", "QRCODE"}),
    "2.0.1": frozenset({"ASCII", "HTML", "URI", "UTF8"}),
}
_PRIORITIES = frozenset({"AlwaysFront", "InFront", "NormalCycle"})
_STATES: dict[str, frozenset[str]] = {
    "2.1": frozenset({"Charging", "Faulted", "Idle", "Unavailable", "Suspended", "Discharging"}),
    "2.0.1": frozenset({"Charging", "Faulted", "Idle", "Unavailable"}),
}
_TRANSACTION_ID_LIMIT = 36
_LANGUAGE_LIMIT = 8


def check_version(version: str) -> Version:
    """Return ``version`` if jpqr.ocpp speaks it, else raise ``ocpp.version``.

    >>> check_version("2.0.1")
    '2.0.1'
    >>> check_version("1.6")
    Traceback (most recent call last):
    ...
    jpqr.ocpp.errors.OCPPError: [ocpp.version] OCPP version '1.6' is not supported; expected ...
    """
    if version == "2.1":
        return "2.1"
    if version == "2.0.1":
        return "2.0.1"
    raise OCPPError(
        "ocpp.version", f"OCPP version {version!r} is not supported; expected '2.1' or '2.0.1'"
    )


def format_datetime(moment: datetime) -> str:
    """RFC 3339 UTC text for an aware datetime, as OCPP date-time fields want it.

    >>> from datetime import timedelta
    >>> format_datetime(datetime(2026, 11, 22, 2, 0, tzinfo=timezone(timedelta(hours=9))))
    '2026-11-21T17:00:00Z'
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise OCPPError(
            "ocpp.datetime",
            f"expected a timezone-aware datetime, found the naive {moment.isoformat()}",
        )
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


def _resolve_format(requested: str | None, version: Version, content: str) -> str:
    if requested == "QR_CODE":
        raise OCPPError(
            "ocpp.format",
            "message format 'QR_CODE' does not exist on the wire; OCPP 2.1 spells it 'QRCODE'",
        )
    if requested == "QRCODE" and version == "2.0.1":
        raise OCPPError(
            "ocpp.qrcode_unsupported",
            "OCPP 2.0.1 has no QRCODE message format; send ASCII or UTF8 with display "
            f"component {QR_CODE_DISPLAY} to a station that reported it enabled",
        )
    if requested is None:
        if version == "2.1":
            return "QRCODE"
        requested = "ASCII" if content.isascii() else "UTF8"
    if requested not in _FORMATS[version]:
        raise OCPPError(
            "ocpp.format", f"message format {requested!r} is not an OCPP {version} format"
        )
    if requested == "ASCII" and not content.isascii():
        raise OCPPError(
            "ocpp.format", "the content has non-ASCII characters; send it with format UTF8"
        )
    if requested not in ("QRCODE", "ASCII", "UTF8"):
        raise OCPPError(
            "ocpp.format",
            f"a payment code is sent as QRCODE, ASCII or UTF8, not as {requested!r}",
        )
    return requested


def set_display_message(
    content: str,
    *,
    version: str,
    message_id: int,
    priority: str = "InFront",
    expires_at: datetime | None = None,
    starts_at: datetime | None = None,
    transaction_id: str | None = None,
    language: str | None = None,
    state: str | None = None,
    message_format: str | None = None,
    qr_code_display: bool = False,
    evse_id: int | None = None,
    max_length: int | None = None,
    profile: str | None = "auto",
) -> dict[str, Any]:
    """The SetDisplayMessageRequest payload (camelCase, JSON-ready) showing ``content`` as a QR.

    ``version``: ``"2.1"`` or ``"2.0.1"``. ``message_id``: the display message id; reuse it to
    replace a shown code (a refresh). ``expires_at`` becomes ``endDateTime`` so the station stops
    showing a code the provider no longer honours. ``qr_code_display``: the station reported
    ``QRCodeDisplay.Enabled = true`` (see :func:`qr_code_display_enabled`); required for the
    ASCII/UTF8 route (2.0.1, or 2.1 with ``message_format`` "ASCII"/"UTF8"). ``evse_id`` puts the
    EVSE on that ``QRCodeDisplay`` component, or, for QRCODE, on the display component ``EVSE``.
    ``message_format``: ``None`` gives ``QRCODE`` on
    2.1 and ``ASCII`` (``UTF8`` for non-ASCII content) on 2.0.1.
    ``max_length``: the station's configured length of the content field, when it reported one
    (the ``ocpp`` package validates against the schema's 1024/512 unless told to skip it).
    ``profile``: passed to :func:`jpqr.validate`; ``None`` sends opaque content (a provider's
    URL) with the length check only.

    Raises :class:`~jpqr.ocpp.OCPPError`: ``ocpp.version``, ``ocpp.message_id``,
    ``ocpp.format``, ``ocpp.qrcode_unsupported``, ``ocpp.display_disabled``,
    ``ocpp.max_length``, ``ocpp.content_empty``, ``ocpp.content_too_long``,
    ``ocpp.invalid_code``, ``ocpp.priority``, ``ocpp.state``, ``ocpp.datetime``,
    ``ocpp.transaction_id``, ``ocpp.language``, ``ocpp.evse_id``.

    >>> set_display_message("x" * 513, version="2.0.1", message_id=1, qr_code_display=True,
    ...                     profile=None)
    Traceback (most recent call last):
    ...
    jpqr.ocpp.errors.OCPPError: [ocpp.content_too_long] the content has 513 characters; ...
    """
    version = check_version(version)
    if isinstance(message_id, bool) or not isinstance(message_id, int) or message_id < 0:
        raise OCPPError(
            "ocpp.message_id", f"expected a display message id >= 0, found {message_id!r}"
        )
    if not isinstance(content, str):
        raise TypeError(f"content must be str, not {type(content).__name__}")
    chosen = _resolve_format(message_format, version, content)
    if chosen != "QRCODE" and not qr_code_display:
        raise OCPPError(
            "ocpp.display_disabled",
            f"the station has not reported {QR_CODE_DISPLAY}.Enabled = true; "
            f"a {chosen} message would be shown as text, not as a QR code",
        )
    # Length first: it is the station's limit, and it is cheaper than validating the code.
    if max_length is not None and (
        isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1
    ):
        raise OCPPError(
            "ocpp.max_length", f"expected a configured length >= 1, found {max_length!r}"
        )
    limit = CONTENT_LIMITS[version] if max_length is None else max_length
    if not content:
        raise OCPPError("ocpp.content_empty", "the content is empty")
    if len(content) > limit:
        configured = f"OCPP {version}" if max_length is None else "the station's configured length"
        raise OCPPError(
            "ocpp.content_too_long",
            f"the content has {len(content)} characters; {configured} allows at most {limit}",
        )
    if profile is not None:
        check_code(content, profile)

    if priority not in _PRIORITIES:
        raise OCPPError(
            "ocpp.priority", f"expected one of {sorted(_PRIORITIES)}, found {priority!r}"
        )
    message_content: dict[str, Any] = {"format": chosen, "content": content}
    if language is not None:
        if not language or len(language) > _LANGUAGE_LIMIT:
            raise OCPPError(
                "ocpp.language",
                f"expected a language tag of 1 to {_LANGUAGE_LIMIT} characters, found {language!r}",
            )
        message_content["language"] = language
    info: dict[str, Any] = {"id": message_id, "priority": priority}
    if state is not None:
        if state not in _STATES[version]:
            raise OCPPError(
                "ocpp.state",
                f"expected one of {sorted(_STATES[version])} on OCPP {version}, found {state!r}",
            )
        info["state"] = state
    if starts_at is not None:
        info["startDateTime"] = format_datetime(starts_at)
    if expires_at is not None:
        info["endDateTime"] = format_datetime(expires_at)
        if starts_at is not None and expires_at <= starts_at:
            raise OCPPError("ocpp.datetime", "the code expires before it is shown")
    if transaction_id is not None:
        if not transaction_id or len(transaction_id) > _TRANSACTION_ID_LIMIT:
            raise OCPPError(
                "ocpp.transaction_id",
                f"expected a transaction id of 1 to {_TRANSACTION_ID_LIMIT} characters, "
                f"found {len(transaction_id)}",
            )
        info["transactionId"] = transaction_id
    if chosen != "QRCODE":
        display: dict[str, Any] = {"name": QR_CODE_DISPLAY}
        if evse_id is not None:
            display["evse"] = {"id": _check_evse_id(evse_id)}
        info["display"] = display
    elif evse_id is not None:
        # OCPP 2.1: every MessageInfo may name a display component; the EVSE component says
        # which EVSE the code pays for (a station with one screen for two EVSEs needs it).
        info["display"] = {"name": "EVSE", "evse": {"id": _check_evse_id(evse_id)}}
    info["message"] = message_content
    return {"message": info}


def _check_evse_id(evse_id: object) -> int:
    if isinstance(evse_id, bool) or not isinstance(evse_id, int) or evse_id < 1:
        raise OCPPError("ocpp.evse_id", f"expected an EVSE id >= 1, found {evse_id!r}")
    return evse_id


def qr_code_display_enabled(report_data: object) -> bool:
    """Whether a station reported ``QRCodeDisplay.Enabled = true``.

    ``report_data``: the ``reportData`` list of NotifyReportRequests (or the ``getVariableResult``
    list of a GetVariablesResponse), with camelCase or the ``ocpp`` package's snake_case keys.
    Anything that does not say ``true`` for that variable (absent, "false", malformed) is False.

    >>> qr_code_display_enabled([{
    ...     "component": {"name": "QRCodeDisplay"},
    ...     "variable": {"name": "Enabled"},
    ...     "variableAttribute": [{"type": "Actual", "value": "true"}],
    ... }])
    True
    >>> qr_code_display_enabled([])
    False
    """
    if not isinstance(report_data, list):
        return False
    for entry in report_data:
        if not isinstance(entry, Mapping):
            continue
        component = entry.get("component")
        variable = entry.get("variable")
        if not (isinstance(component, Mapping) and isinstance(variable, Mapping)):
            continue
        if component.get("name") != QR_CODE_DISPLAY or variable.get("name") != "Enabled":
            continue
        values = []
        attributes = _get(entry, "variableAttribute", "variable_attribute")
        if isinstance(attributes, list):
            values = [
                a.get("value")
                for a in attributes
                if isinstance(a, Mapping) and a.get("type", "Actual") == "Actual"
            ]
        elif _get(entry, "attributeStatus", "attribute_status") == "Accepted":  # GetVariables
            values = [_get(entry, "attributeValue", "attribute_value")]
        if any(isinstance(v, str) and v.lower() == "true" for v in values):
            return True
    return False


def _get(mapping: Mapping[str, Any], camel: str, snake: str) -> Any:
    # The ocpp package hands handlers snake_case keys; raw JSON has camelCase.
    return mapping[camel] if camel in mapping else mapping.get(snake)


@dataclass(frozen=True)
class DisplayedMessage:
    """A SetDisplayMessageRequest as the station reads it (``message_id``, ``content``, …)."""

    message_id: int
    priority: str
    format: str
    content: str
    language: str | None = None
    display: str | None = None
    evse_id: int | None = None
    state: str | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    transaction_id: str | None = None

    @property
    def is_qr_code(self) -> bool:
        """Shown as a QR code: format QRCODE, or text sent to the QRCodeDisplay component."""
        return self.format == "QRCODE" or (
            self.display == QR_CODE_DISPLAY and self.format in ("ASCII", "UTF8")
        )


def read_display_message(message: Mapping[str, Any]) -> DisplayedMessage:
    """Read the ``message`` (MessageInfo) of a SetDisplayMessageRequest, station side.

    Takes camelCase (raw JSON) or snake_case keys (what an ``ocpp`` ``@on`` handler receives).
    Raises ``ocpp.display_message`` for a malformed one.

    >>> shown = read_display_message({"id": 7, "priority": "InFront",
    ...     "display": {"name": "QRCodeDisplay", "evse": {"id": 1}},
    ...     "message": {"format": "ASCII", "content": "000201..."}})
    >>> shown.message_id, shown.evse_id, shown.is_qr_code
    (7, 1, True)
    """
    try:
        content = message["message"]
        display = message.get("display")
        evse = display.get("evse") if isinstance(display, Mapping) else None
        shown = DisplayedMessage(
            message_id=message["id"],
            priority=message["priority"],
            format=content["format"],
            content=content["content"],
            language=content.get("language"),
            display=display.get("name") if isinstance(display, Mapping) else None,
            evse_id=evse.get("id") if isinstance(evse, Mapping) else None,
            state=message.get("state"),
            starts_at=_get(message, "startDateTime", "start_date_time"),
            ends_at=_get(message, "endDateTime", "end_date_time"),
            transaction_id=_get(message, "transactionId", "transaction_id"),
        )
    except (KeyError, TypeError, AttributeError) as err:
        raise OCPPError(
            "ocpp.display_message", f"malformed SetDisplayMessageRequest message: {err!r}"
        ) from err
    if (
        not isinstance(shown.content, str)
        or not isinstance(shown.message_id, int)
        or isinstance(shown.message_id, bool)
    ):
        raise OCPPError("ocpp.display_message", "malformed SetDisplayMessageRequest message")
    return shown
