"""A local stand-in for the Telegram Bot API, served over real HTTP.

python-telegram-bot talks to it exactly as to api.telegram.org (the product's
TELEGRAM_API_BASE_URL points at it), and it records what was sent so tests can
assert on staff alerts.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeTelegram:
    def __init__(self, token: str) -> None:
        self.token = token
        self.sent: list[dict[str, Any]] = []
        self.port = free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _method(self, request: Request) -> JSONResponse:
        token, method = request.path_params["token"], request.path_params["method"]
        if token != f"bot{self.token}":
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        form = dict(await request.form()) if request.method == "POST" else {}
        if not form and request.headers.get("content-type", "").startswith("application/json"):
            form = await request.json()
        if method == "getMe":
            result: Any = {
                "id": 4242,
                "is_bot": True,
                "first_name": "Alerts",
                "username": "alerts_bot",
            }
        elif method == "sendMessage":
            self.sent.append({"chat_id": str(form.get("chat_id")), "text": form.get("text")})
            result = {
                "message_id": len(self.sent),
                "date": int(time.time()),
                "chat": {"id": int(form.get("chat_id", 0)), "type": "group", "title": "Staff"},
                "text": form.get("text"),
            }
        else:
            result = True
        return JSONResponse({"ok": True, "result": result})

    def start(self) -> None:
        app = Starlette(routes=[Route("/{token}/{method}", self._method, methods=["GET", "POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", ws="none"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.time() + 10
        while not self._server.started and time.time() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        if self._server:
            self._server.should_exit = True
        if self._thread:
            self._thread.join(timeout=5)
