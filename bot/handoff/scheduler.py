"""The hand-off watcher: tells a waiting user honestly when nobody came.

Rasa's own reminders do not fire while a conversation is paused, so the wait
is watched from the transcript store instead: a request still waiting after
COPING_HANDOFF_TIMEOUT_SECONDS is marked timed out, the conversation resumed,
and the user told so with the contacts again. The request stays visible to
staff; the flag and the alert remain open.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.config import Settings, load_settings
from bot.handoff.alerts import StaffAlert, alert_staff, configured_sinks
from bot.handoff.rasa_api import RasaApi
from bot.store import Store, get_store

logger = logging.getLogger(__name__)


async def handle_timeouts(settings: Settings, api: RasaApi, store: Store) -> int:
    sinks = configured_sinks(settings, store)
    waiting = await asyncio.to_thread(
        store.handoffs_waiting_longer_than, settings.handoff_timeout_seconds
    )
    handled = 0
    for handoff in waiting:
        try:
            await api.resume(handoff.sender_id, intent="handoff_timeout")
        except Exception:
            logger.exception("could not tell user of hand-off %s about the time-out", handoff.id)
            continue
        await asyncio.to_thread(store.set_handoff_status, handoff.id, "timed_out")
        await alert_staff(
            StaffAlert(
                handoff.channel,
                handoff.sender_id,
                "handoff_timeout",
                f"request {handoff.id} not taken in time",
            ),
            sinks,
        )
        handled += 1
    return handled


async def run_forever(settings: Settings, interval: float) -> None:
    api, store = RasaApi(settings), get_store()
    while True:
        try:
            await handle_timeouts(settings, api, store)
        except Exception:
            logger.exception("hand-off watcher round failed; trying again")
        await asyncio.sleep(interval)


def scheduler_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot scheduler")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between rounds")
    parser.add_argument("--once", action="store_true", help="run one round and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = load_settings()
    if args.once:
        handled = asyncio.run(handle_timeouts(settings, RasaApi(settings), get_store()))
        print(f"timed out: {handled}")
        return 0
    asyncio.run(run_forever(settings, args.interval))
    return 0


def resume_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot resume", description="Hand a paused conversation back to the bot."
    )
    parser.add_argument("sender_id")
    args = parser.parse_args(argv)
    settings = load_settings()
    asyncio.run(RasaApi(settings).resume(args.sender_id))
    waiting = [
        h for h in get_store().handoffs_waiting_longer_than(0) if h.sender_id == args.sender_id
    ]
    for handoff in waiting:
        get_store().set_handoff_status(handoff.id, "closed", staff="cli")
    print(f"resumed {args.sender_id}")
    return 0
