"""How updates reach the bot: getUpdates long polling, confirming offsets, webhooks."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from tests.fakebotapi.decoding import Req
from tests.fakebotapi.rules import BotAPIError
from tests.fakebotapi.state import FakeState

__all__ = ["UpdateMethods"]


class UpdateMethods(FakeState):
    """getUpdates, setWebhook, deleteWebhook and getWebhookInfo."""

    async def _get_updates(self, req: Req) -> Any:
        if self.webhook_url:
            raise BotAPIError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(req.params.get("offset") or 0)
        limit = min(max(int(req.params.get("limit") or 100), 1), 100)
        timeout = min(max(float(req.params.get("timeout") or 0), 0.0), 50.0)
        self._confirm(offset)

        def pending() -> list[dict[str, Any]]:
            return [u for u in self._updates if u["update_id"] >= offset][:limit]

        if not pending() and timeout > 0:
            arrived = asyncio.ensure_future(
                self._wait_until(lambda: bool(pending()) or self._closing, timeout)
            )
            gone = asyncio.ensure_future(req.disconnected())
            await asyncio.wait({arrived, gone}, return_when=asyncio.FIRST_COMPLETED)
            for task in (arrived, gone):
                task.cancel()
            await asyncio.gather(arrived, gone, return_exceptions=True)
            if gone.done() and not gone.cancelled():
                return []  # the client hung up (PTB stopped polling); nobody to hand updates to
        return copy.deepcopy(pending())

    def _confirm(self, offset: int) -> None:
        """Forget updates before ``offset`` as Telegram does; negative keeps the last -offset."""
        if offset < 0:
            kept = self._updates[offset:]
            offset = kept[0]["update_id"] if kept else (self._last_update_id or 0) + 1
        if offset > self._confirmed_below:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            self._confirmed_below = offset
            self._notify()

    async def _set_webhook(self, req: Req) -> Any:
        url = req.params.get("url") or ""
        if url and not url.startswith("https://"):
            raise BotAPIError(
                400, "Bad Request: bad webhook: HTTPS url must be provided for webhook"
            )
        self.webhook_url = url
        if req.params.get("drop_pending_updates"):
            self._confirm((self._last_update_id or 0) + 1)
        return True

    async def _delete_webhook(self, req: Req) -> Any:
        self.webhook_url = ""
        if req.params.get("drop_pending_updates"):
            self._confirm((self._last_update_id or 0) + 1)
        return True

    async def _get_webhook_info(self, req: Req) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
        return info
