"""Fetch a news page by link, for ``sanad ingest URL`` and for an admin's link in Telegram.

Only ``http``/``https``; one overall timeout; a size cap (read in chunks, stopped past the cap);
HTML only (``text/html``, ``application/xhtml+xml``). Unless :attr:`FetchPolicy.allow_private` is
set, every address the host resolves to must be public: private, loopback, link-local, multicast and
reserved addresses are refused, at the first request and after every redirect (each hop is resolved
and checked again). The connection goes to the address that was checked (the host name is kept for
the ``Host`` header and TLS), so a name that resolves differently a moment later cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from retrieval.errors import SanadError

__all__ = ["FetchError", "FetchPolicy", "FetchedPage", "fetch_page", "fetch_page_sync", "link_in"]

HTML_TYPES = ("text/html", "application/xhtml+xml")
USER_AGENT = "Mozilla/5.0 (compatible; Sanad news ingest)"
_LINK = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_MAGIC = ((b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a ZIP archive"))  # fmt: skip


class FetchError(SanadError):
    """The page could not be fetched, or is not something to ingest; the message says why."""


@dataclass(frozen=True)
class FetchPolicy:
    timeout_seconds: float = 15.0
    max_bytes: int = 3_000_000
    max_redirects: int = 5
    allow_private: bool = False  # the CLI fetches any address; the bot only public ones by default


@dataclass(frozen=True)
class FetchedPage:
    url: str  # after redirects
    data: bytes
    content_type: str
    charset: str | None  # as the server declared it


def link_in(text: str) -> str | None:
    """The link when the whole message is one http(s) link (surrounding whitespace allowed), else None."""
    stripped = text.strip()
    match = _LINK.fullmatch(stripped)
    return match.group(0) if match else None


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a valid link: {url} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(
            f"only http:// and https:// links can be fetched, not {parts.scheme or 'this'}: {url}"
        )
    if not parts.hostname:
        raise FetchError(f"the link names no host: {url}")
    return parts.scheme.lower(), parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80)


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast or ip.is_reserved


async def _address(host: str, port: int, policy: FetchPolicy) -> str:
    """The address to connect to; refuses a non-public one unless the policy allows it."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve the host {host} (DNS: {exc})") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FetchError(f"cannot resolve the host {host}")
    if not policy.allow_private:
        refused = [address for address in addresses if _refused(address)]
        if refused:
            raise FetchError(
                f"refused to fetch {host}: it resolves to a private, loopback or link-local address "
                f"({refused[0]})"
            )
    return addresses[0]


def _pinned(url: str, address: str) -> tuple[str, str]:
    """The URL with its host replaced by the checked address, and the original ``Host`` header value."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), parts.netloc.rsplit(
        "@", 1
    )[-1]


def _content_type(response: httpx.Response) -> tuple[str, str | None]:
    header = response.headers.get("content-type", "")
    kind = header.split(";", 1)[0].strip().lower()
    match = re.search(r"charset\s*=\s*[\"']?([\w.:\-]+)", header, re.IGNORECASE)
    return kind, match.group(1) if match else None


def _check_kind(kind: str, head: bytes, url: str) -> None:
    for magic, name in _MAGIC:
        if head.startswith(magic):
            raise FetchError(f"not a web page: {url} is {name}")
    if kind and kind not in HTML_TYPES:
        raise FetchError(f"not a web page: {url} is {kind}, not HTML")


async def _get(client: httpx.AsyncClient, url: str, policy: FetchPolicy) -> httpx.Response | FetchedPage:
    scheme, host, port = _split(url)
    address = await _address(host, port, policy)
    target, host_header = _pinned(url, address)
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    request = client.build_request("GET", target, headers={"Host": host_header}, extensions=extensions)
    response = await client.send(request, stream=True)
    try:
        if response.is_redirect:
            return response
        if response.status_code >= 400:
            raise FetchError(f"the server answered HTTP {response.status_code} for {url}")
        kind, charset = _content_type(response)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > policy.max_bytes:
            raise FetchError(
                f"the page is too large ({int(length):,} bytes; the limit is {policy.max_bytes:,})"
            )
        if kind and kind not in HTML_TYPES:
            _check_kind(kind, b"", url)
        data = bytearray()
        async for chunk in response.aiter_bytes():
            data.extend(chunk)
            if len(data) > policy.max_bytes:
                raise FetchError(f"the page is too large (more than {policy.max_bytes:,} bytes)")
        _check_kind(kind, bytes(data[:8]), url)
        return FetchedPage(url, bytes(data), kind, charset)
    finally:
        await response.aclose()


async def fetch_page(url: str, policy: FetchPolicy) -> FetchedPage:
    """GET ``url`` under ``policy``; raises :class:`FetchError` with a one-line reason."""
    timeout = httpx.Timeout(policy.timeout_seconds)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"}
    current = url.strip()
    try:
        async with (
            asyncio.timeout(policy.timeout_seconds),
            httpx.AsyncClient(
                timeout=timeout, headers=headers, follow_redirects=False, trust_env=False
            ) as client,
        ):
            for _ in range(policy.max_redirects + 1):
                got = await _get(client, current, policy)
                if isinstance(got, FetchedPage):
                    return got
                location = got.headers.get("location", "")
                if not location:
                    raise FetchError(f"the server redirected {current} without saying where")
                current = urljoin(current, location)
    except TimeoutError:
        raise FetchError(f"timed out after {policy.timeout_seconds:g} s fetching {url}") from None
    except httpx.TimeoutException:
        raise FetchError(f"timed out after {policy.timeout_seconds:g} s fetching {url}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {type(exc).__name__}: {exc or 'connection failed'}") from None
    raise FetchError(f"too many redirects (more than {policy.max_redirects}) from {url}")


def fetch_page_sync(url: str, policy: FetchPolicy) -> FetchedPage:
    """Blocking :func:`fetch_page`, for the command line."""
    return asyncio.run(fetch_page(url, policy))
