"""A small HTTP/1.1 server on asyncio streams, just enough for the fake Bot API.

Keep-alive, ``Content-Length`` and chunked request bodies, ``application/x-www-form-urlencoded``,
``multipart/form-data`` and JSON bodies. Every connection's task is tracked so that ``close()``
ends them all and no socket is left for the garbage collector (tests run with warnings as
errors). Not a general-purpose server: no TLS, no pipelining guarantees beyond in-order replies.
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

__all__ = ["CloseConnection", "HttpServer", "Request", "Response", "UploadedFile"]

_LOGGER = logging.getLogger(__name__)
_MAX_HEAD = 64 * 1024
_MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    reader: asyncio.StreamReader | None = field(default=None, repr=False)

    def client_gone(self) -> bool:
        """Whether the client has closed its end (e.g. PTB cancelled a long poll)."""
        return self.reader is not None and self.reader.at_eof()

    def form(self) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        """Query and body parameters (strings, or decoded JSON for a JSON body) and uploaded files."""
        params: dict[str, Any] = dict(parse_qsl(self.query, keep_blank_values=True))
        files: dict[str, UploadedFile] = {}
        content_type = self.headers.get("content-type", "")
        kind = content_type.split(";", 1)[0].strip().lower()
        if not self.body:
            return params, files
        if kind == "application/json":
            decoded = json.loads(self.body)
            if not isinstance(decoded, dict):
                raise ValueError("a JSON body must be an object")
            params.update(decoded)
        elif kind == "multipart/form-data":
            values, files = _parse_multipart(self.body, content_type)
            params.update(values)
        else:
            params.update(_parse_urlencoded(self.body))
        return params, files


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())

    def encode(self, keep_alive: bool) -> bytes:
        try:
            reason = HTTPStatus(self.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [
            f"HTTP/1.1 {self.status} {reason}",
            f"Content-Type: {self.content_type}",
            f"Content-Length: {len(self.body)}",
            f"Connection: {'keep-alive' if keep_alive else 'close'}",
            "Server: fake-telegram-bot-api",
        ]
        lines.extend(f"{name}: {value}" for name, value in self.headers.items())
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


class CloseConnection(Exception):
    """Raised by a handler to drop the connection without answering (a simulated network fault)."""


Handler = Callable[[Request], Awaitable[Response]]


_MALFORMED_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _unquote_plus(raw: bytes) -> str:
    """``urllib.parse.unquote_plus`` for a form value, in C: binascii's quoted-printable decoder
    does the ``%XX`` work once ``=`` is protected and ``%`` becomes ``=``. Malformed escapes fall
    back to the stdlib so the result is always the same."""
    if b"%" not in raw and b"+" not in raw:
        return raw.decode("utf-8", "replace")
    if _MALFORMED_ESCAPE.search(raw):
        return unquote_plus(raw.decode("utf-8", "replace"))
    return binascii.a2b_qp(raw.replace(b"=", b"=3D").replace(b"+", b" ").replace(b"%", b"=")).decode(
        "utf-8", "replace"
    )


def _parse_urlencoded(body: bytes) -> list[tuple[str, str]]:
    """``parse_qsl(body, keep_blank_values=True)``, faster on long percent-encoded Arabic text."""
    pairs: list[tuple[str, str]] = []
    for field_ in body.split(b"&"):
        if not field_:
            continue
        name, _, value = field_.partition(b"=")
        pairs.append((_unquote_plus(name), _unquote_plus(value)))
    return pairs


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    boundary = ""
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        raise ValueError("multipart body without a boundary")
    values: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    delimiter = b"--" + boundary.encode("latin-1")
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        disposition: dict[str, str] = {}
        part_type = "application/octet-stream"
        for line in head.decode("utf-8", "replace").split("\r\n"):
            header, _, value = line.partition(":")
            if header.strip().lower() == "content-disposition":
                for item in value.split(";")[1:]:
                    key, _, val = item.strip().partition("=")
                    disposition[key.lower()] = unquote(val.strip().strip('"'))
            elif header.strip().lower() == "content-type":
                part_type = value.strip()
        name = disposition.get("name", "")
        if "filename" in disposition:
            files[name] = UploadedFile(name, disposition["filename"], part_type, data)
        else:
            values[name] = data.decode("utf-8")
    return values, files


class HttpServer:
    """Serves ``handler`` on ``host:port`` (port 0: an ephemeral one) until ``close()``."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not started")
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port, limit=_MAX_HEAD)

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                keep_alive = request.headers.get("connection", "").lower() != "close"
                try:
                    response = await self._handler(request)
                except CloseConnection:
                    break
                except Exception:
                    _LOGGER.exception("fake Bot API handler failed for %s %s", request.method, request.path)
                    response = Response.json(
                        {"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500
                    )
                writer.write(response.encode(keep_alive))
                await writer.drain()
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except asyncio.CancelledError:
            # close() cancels us; end normally, because asyncio's stream callback (3.11) reports
            # a cancelled connection task as an unhandled error.
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        length = int(headers.get("content-length", "0"))
        if length > _MAX_BODY:
            raise ValueError("request body too large")
        body = await reader.readexactly(length) if length else b""
    url = urlsplit(target)
    return Request(method.upper(), unquote(url.path), url.query, headers, body, reader)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            # Trailers, if any, end with an empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(parts)
        total += size
        if total > _MAX_BODY:
            raise ValueError("request body too large")
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
