"""getMe, the bot's commands and menu buttons, and the methods the fake just answers True."""

from __future__ import annotations

import json
from typing import Any

from tests.fakebotapi.decoding import Req
from tests.fakebotapi.rules import COMMAND, BotAPIError
from tests.fakebotapi.state import FakeState

__all__ = ["HousekeepingMethods"]


class HousekeepingMethods(FakeState):
    """Methods that do not touch messages or updates; several are simply answered True."""

    async def _true(self, req: Req) -> Any:
        return True

    async def _get_me(self, req: Req) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @staticmethod
    def _commands_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code") or ""

    async def _set_my_commands(self, req: Req) -> Any:
        commands = req.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise BotAPIError(400, "Bad Request: commands must be a list of at most 100")
        for command in commands:
            if not COMMAND.fullmatch(str(command.get("command", ""))):
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(req.params)] = commands
        return True

    async def _delete_my_commands(self, req: Req) -> Any:
        self.commands.pop(self._commands_key(req.params), None)
        return True

    async def _get_my_commands(self, req: Req) -> Any:
        return self.commands.get(self._commands_key(req.params), [])

    async def _set_chat_menu_button(self, req: Req) -> Any:
        self.menu_buttons[req.params.get("chat_id")] = req.params.get("menu_button") or {
            "type": "default"
        }
        return True

    async def _get_chat_menu_button(self, req: Req) -> Any:
        return self.menu_buttons.get(req.params.get("chat_id"), {"type": "default"})
