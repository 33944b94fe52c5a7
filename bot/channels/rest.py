"""The REST channel with input checks, rate limiting and crisis precedence.

It keeps Rasa's path (`/webhooks/rest/webhook`) and response format (a JSON
list of bot messages) so that any Rasa REST client works, but answers bad
requests with a 4xx and a clear JSON explanation instead of a 500 or silence.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.crisis_gate import is_crisis, open_for_crisis
from bot.channels.validation import (
    RATE_LIMITED,
    RateLimiter,
    Rejection,
    check_sender,
    check_text,
    clean_text,
    too_long,
)

logger = logging.getLogger(__name__)


def _reject(rejection: Rejection) -> HTTPResponse:
    return response.json(rejection.as_json(), status=rejection.status)


class SafeRestInput(RestInput):
    def __init__(self, max_messages: int = 20, window_seconds: float = 10.0) -> None:
        self.rate_limiter = RateLimiter(max_messages, window_seconds)

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SafeRestInput:
        credentials = credentials or {}
        return cls(
            max_messages=int(credentials.get("max_messages", 20)),
            window_seconds=float(credentials.get("window_seconds", 10.0)),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("safe_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return _reject(
                    Rejection(400, "invalid_body", "Send a JSON object encoded as UTF-8.")
                )
            if not isinstance(body, dict):
                return _reject(Rejection(400, "invalid_body", "Send a JSON object."))
            sender, text = body.get("sender"), body.get("message")
            rejection = check_sender(sender) or check_text(text)
            if rejection:
                return _reject(rejection)
            if not self.rate_limiter.allow(sender):
                return _reject(RATE_LIMITED)
            text = clean_text(text)
            agent = request.app.ctx.agent
            oversized = too_long(text)
            if oversized and not is_crisis(await agent.parse_message(text)):
                # A long message that is not a crisis is returned to the sender
                # to split; one that is a crisis is always answered.
                return _reject(oversized)
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            try:
                await open_for_crisis(agent, sender, text)
                await on_new_message(
                    UserMessage(
                        text, collector, sender, input_channel=self.name(), metadata=metadata
                    )
                )
            except Exception:
                logger.exception("Error while handling a REST message")
                return response.json(
                    {
                        "error": "server_error",
                        "detail": "Something went wrong on our side. Please try again in a "
                        "moment; if you are in danger, call your local emergency number.",
                    },
                    status=503,
                )
            return response.json(collector.messages)

        return webhook
