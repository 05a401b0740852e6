"""A small HTTP/1.1 server and client on asyncio streams (standard library only).

Enough HTTP for a payment provider's API and its webhooks on 127.0.0.1: one request per
connection (``Connection: close``), a ``Content-Length`` body, bounded sizes and bounded waits, so
a slow or hostile peer costs a few kilobytes and a few seconds, never the process.

>>> import asyncio
>>> async def echo(request: Request) -> Response:
...     return Response(200, {"path": request.path, "body": request.json()})
>>> async def demo() -> tuple[int, object]:
...     server = await serve(echo, "127.0.0.1", 0)
...     try:
...         return await post_json(f"http://127.0.0.1:{port_of(server)}/x", {"a": 1})
...     finally:
...         server.close()
...         await server.wait_closed()
>>> asyncio.run(demo())
(200, {'path': '/x', 'body': {'a': 1}})
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Request", "Response", "get_json", "port_of", "post_json", "request", "serve"]

LOG = logging.getLogger("jpqr.ocpp.http")

MAX_HEAD = 16 * 1024  # request line + headers
MAX_BODY = 256 * 1024  # a webhook or an API call is a few hundred bytes
TIMEOUT = 10.0  # seconds for a whole exchange

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    500: "Internal Server Error",
}


@dataclass(frozen=True)
class Request:
    """One HTTP request: method, path (no query), lower-case headers, the raw body."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` when it is not."""
        return json.loads(self.body.decode("utf-8"))


@dataclass(frozen=True)
class Response:
    """A JSON response."""

    status: int
    body: Any = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response]]


class HTTPError(Exception):
    """A peer that does not speak the HTTP this module expects."""


async def _read_message(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError as err:
        raise HTTPError("header too long") from err
    except asyncio.IncompleteReadError as err:
        raise HTTPError("connection closed in the header") from err
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, sep, value = line.partition(":")
            if not sep:
                raise HTTPError(f"malformed header line {line[:40]!r}")
            headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError as err:
        raise HTTPError("bad Content-Length") from err
    if not 0 <= length <= MAX_BODY:
        raise HTTPError("body too large")
    body = await reader.readexactly(length) if length else b""
    return lines[0], headers, body


def _encode(start: str, headers: Mapping[str, str], body: bytes) -> bytes:
    head = [start, f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


async def serve(handler: Handler, host: str, port: int) -> asyncio.Server:
    """Serve ``handler`` on ``host:port`` (0: the OS chooses; see :func:`port_of`)."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                start, headers, body = await asyncio.wait_for(_read_message(reader), TIMEOUT)
                method, path, _version = start.split(" ", 2)
                response = await handler(Request(method, path.split("?", 1)[0], headers, body))
            except (HTTPError, ValueError, asyncio.IncompleteReadError):
                response = Response(400, {"error": "malformed HTTP request"})
            except asyncio.TimeoutError:
                return
            except Exception as error:  # a bug in a handler: answer, keep serving
                LOG.exception("HTTP handler failed")
                response = Response(500, {"error": repr(error)[:200]})
            payload = json.dumps(response.body).encode("utf-8")
            reason = _REASONS.get(response.status, "Status")
            writer.write(
                _encode(
                    f"HTTP/1.1 {response.status} {reason}",
                    {"Content-Type": "application/json"},
                    payload,
                )
            )
            await asyncio.wait_for(writer.drain(), TIMEOUT)
        except (ConnectionError, asyncio.TimeoutError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(connection, host, port, limit=MAX_HEAD)


def port_of(server: asyncio.Server) -> int:
    """The TCP port a server listens on."""
    return int(server.sockets[0].getsockname()[1])


async def request(
    method: str, url: str, body: bytes = b"", headers: Mapping[str, str] | None = None
) -> tuple[int, bytes]:
    """One HTTP exchange; returns the status and the raw body. Bounded by ``TIMEOUT``."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"expected an http:// URL, found {url!r}")

    async def exchange() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection(
            parts.hostname, parts.port or 80, limit=MAX_HEAD
        )
        try:
            sent = {"Host": parts.netloc, "Content-Type": "application/json", **(headers or {})}
            writer.write(_encode(f"{method} {parts.path or '/'} HTTP/1.1", sent, body))
            await writer.drain()
            start, _headers, answer = await _read_message(reader)
            return int(start.split(" ", 2)[1]), answer
        finally:
            writer.close()

    return await asyncio.wait_for(exchange(), TIMEOUT)


async def post_json(
    url: str, document: Any, headers: Mapping[str, str] | None = None
) -> tuple[int, Any]:
    """POST a JSON document; returns the status and the decoded JSON answer."""
    status, answer = await request("POST", url, json.dumps(document).encode(), headers)
    return status, json.loads(answer) if answer else None


async def get_json(url: str) -> tuple[int, Any]:
    """GET a JSON document; returns the status and the decoded answer."""
    status, answer = await request("GET", url)
    return status, json.loads(answer) if answer else None
