"""Drive a fake Bot API running in another process (``python -m tests.fakes.bot_api``).

For the load benchmark, which keeps the bot and the fake on separate cores::

    async with spawn_fake_api() as remote:          # starts the process, stops it afterwards
        app = build_app(token=remote.token, base_url=remote.base_url, ...)
        await remote.push("text", [{"chat_id": u, "user_id": u, "text": q} for u, q in questions])
        stats = await remote.wait_replies(len(questions), timeout=120)

``RemoteFakeBotAPI`` wraps the HTTP control API documented in ``tests.fakes.bot_api``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.bot_api import DEFAULT_TOKEN

__all__ = ["RemoteFakeBotAPI", "spawn_fake_api"]

_REPO_ROOT = Path(__file__).resolve().parents[2]


class RemoteFakeBotAPI:
    """An async client for a fake Bot API's ``/_fake/`` control endpoints."""

    def __init__(self, url: str, token: str = DEFAULT_TOKEN) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self._client = httpx.AsyncClient(base_url=f"{self.url}/_fake/", timeout=httpx.Timeout(10.0))

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> RemoteFakeBotAPI:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _call(
        self,
        http_method: str,
        action: str,
        *,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - passed to httpx, not awaited here
    ) -> Any:
        response = await self._client.request(
            http_method,
            action,
            json=body,
            params=params,
            timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
        )
        payload = response.json()
        if not payload.get("ok"):
            if response.status_code == 408:
                raise TimeoutError(payload.get("description"))
            raise RuntimeError(f"fake Bot API control call {action} failed: {payload.get('description')}")
        return payload["result"]

    async def push(self, kind: str, items: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[Any]:
        """``push_<kind>(**item)`` on the server for each item (kind: text, command, mention,
        edited_text, callback, update, document with ``content_b64``); returns the updates."""
        return list(await self._call("POST", f"push/{kind}", body=items))

    async def push_text(self, chat_id: int, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        updates = await self.push("text", {"chat_id": chat_id, "user_id": user_id, "text": text, **kwargs})
        return dict(updates[0])

    async def push_document(
        self, chat_id: int, user_id: int, file_name: str, content: bytes, **kwargs: Any
    ) -> dict[str, Any]:
        item = {
            "chat_id": chat_id,
            "user_id": user_id,
            "file_name": file_name,
            "content_b64": base64.b64encode(content).decode("ascii"),
            **kwargs,
        }
        return dict((await self.push("document", item))[0])

    async def stats(self) -> dict[str, Any]:
        return dict(await self._call("GET", "stats"))

    async def wait_replies(self, count: int, *, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait until the server has seen ``count`` sendMessage/editMessageText calls; its stats."""
        return dict(
            await self._call(
                "GET", "wait", params={"replies": count, "timeout": timeout}, timeout=timeout + 5
            )
        )

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        return list(await self._call("GET", "calls", params={"since": since}))

    async def rejected(self) -> list[dict[str, Any]]:
        return list(await self._call("GET", "rejected"))

    async def fail_next(self, method: str, error_code: int = 429, **kwargs: Any) -> None:
        await self._call("POST", "fail_next", body={"method": method, "error_code": error_code, **kwargs})

    async def delay(self, method: str, seconds: float, count: int | None = None) -> None:
        await self._call("POST", "delay", body={"method": method, "seconds": seconds, "count": count})

    async def reset(self) -> None:
        await self._call("POST", "reset")


@contextlib.asynccontextmanager
async def spawn_fake_api(
    *, port: int = 0, token: str = DEFAULT_TOKEN, startup_timeout: float = 10.0
) -> AsyncIterator[RemoteFakeBotAPI]:
    """Run ``python -m tests.fakes.bot_api`` in a child process; terminate and reap it afterwards."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(_REPO_ROOT), os.environ.get("PYTHONPATH")])),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.bot_api",
        "--port",
        str(port),
        "--token",
        token,
        cwd=_REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(startup_timeout):
            line = await process.stdout.readline()
        if not line.startswith(b"http://"):
            raise RuntimeError(f"the fake Bot API did not start (printed {line!r})")
        async with RemoteFakeBotAPI(line.decode().strip(), token) as remote:
            yield remote
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
