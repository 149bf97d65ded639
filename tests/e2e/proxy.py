"""A reverse proxy for the browser tests, as oauth2-proxy stands in front of Goldset: it
forwards HTTP and the websocket to the app and sets the identity header itself, from
whom the browser signed in as (here the `proxy_identity` cookie), dropping any identity
header the browser sent. Chromium 150 no longer adds a context's extra HTTP headers to
the websocket handshake, where Streamlit reads them, so the header has to come from a
proxy, as it does in use."""

from __future__ import annotations

import asyncio
import socket
import threading

import aiohttp
from aiohttp import web

COOKIE = "proxy_identity"
HOP = {"content-length", "transfer-encoding", "connection", "content-encoding", "host"}


class Proxy:
    """Serves on 127.0.0.1 (`url`) in a thread of its own until `stop`."""

    def __init__(self, upstream: str, header: str) -> None:
        self.upstream, self.header = upstream.rstrip("/"), header
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def start() -> None:
            self.session = aiohttp.ClientSession(auto_decompress=False)
            app = web.Application(client_max_size=1024**3)
            app.router.add_route("*", "/{tail:.*}", self.handle)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            await web.SockSite(self.runner, self.sock).start()
            ready.set()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(start())
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        ready.wait(10)

    def headers(self, request: web.Request) -> dict[str, str]:
        """The request's headers as the app receives them: identity from the sign-in."""
        out = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in HOP
            and k.lower() != self.header.lower()
            and not k.lower().startswith("sec-websocket")
            and k.lower() not in ("upgrade",)
        }
        who = request.cookies.get(COOKIE)
        if who:
            out[self.header] = who
        return out

    async def handle(self, request: web.Request) -> web.StreamResponse:
        target = self.upstream + request.rel_url.path_qs
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._socket(request, target)
        async with self.session.request(
            request.method,
            target,
            headers=self.headers(request),
            data=await request.read(),
            allow_redirects=False,
        ) as reply:
            body = await reply.read()
            headers = {k: v for k, v in reply.headers.items() if k.lower() not in HOP}
            if "Content-Encoding" in reply.headers:
                headers["Content-Encoding"] = reply.headers["Content-Encoding"]
            return web.Response(status=reply.status, body=body, headers=headers)

    async def _socket(self, request: web.Request, target: str) -> web.StreamResponse:
        offered = [
            p.strip()
            for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        ]
        upstream = await self.session.ws_connect(
            target.replace("http://", "ws://", 1),
            headers=self.headers(request),
            protocols=offered,
            max_msg_size=0,
        )
        client = web.WebSocketResponse(
            protocols=[upstream.protocol] if upstream.protocol else (), max_msg_size=0
        )
        await client.prepare(request)

        async def pump(
            src: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
            dst: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
        ) -> None:
            async for message in src:
                if message.type == aiohttp.WSMsgType.BINARY:
                    await dst.send_bytes(message.data)
                elif message.type == aiohttp.WSMsgType.TEXT:
                    await dst.send_str(message.data)
                else:
                    break
            await dst.close()

        await asyncio.gather(pump(client, upstream), pump(upstream, client))
        return client

    def stop(self) -> None:
        async def close() -> None:
            await self.runner.cleanup()
            await self.session.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
