"""What every fake platform server shares: an aiohttp site on 127.0.0.1:0 and a condition
tests wait on until the fake has seen what they expect (no sleeps).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web


class Loopback:
    def __init__(self) -> None:
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()

    async def serve(self, routes: list[web.AbstractRouteDef]) -> str:
        app = web.Application()
        app.add_routes(routes)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
