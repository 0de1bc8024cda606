"""The in-process Bot API plays every method the bot's source calls.

The bot's source is scanned for calls of PTB's ``Bot`` methods and of the shortcuts on
``Message``, ``CallbackQuery``, ``Chat``, ``User`` and ``File`` that call them (found in
PTB's own source, so a new shortcut is covered too); the start-up calls PTB makes itself
are added. A Bot API method among them that ``LocalBotAPI`` does not play fails here,
before the demo or the benchmarks meet it.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

from telegram import Bot, CallbackQuery, Chat, File, Message, User
from telegram.request import RequestData

from bot.offline.local_api import SERVED, LocalBotAPI

ROOT = Path(__file__).resolve().parents[3]
IMPLICIT = {"getMe", "getUpdates", "deleteWebhook"}
"""What ``Application.initialize`` and ``Updater.start_polling`` call on their own."""
TELEGRAM_IMPORT = re.compile(r"^(from|import) telegram\b", re.M)
NOT_TELEGRAM = {"copy"}
"""Shortcut names the bot uses for something else (``Progress.copy``, ``dict.copy``)."""


def camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def api_methods() -> dict[str, str]:
    """Python name → Bot API method, for ``Bot``'s methods and the objects' shortcuts."""
    found = {
        name: camel(name)
        for name, _ in inspect.getmembers(Bot, inspect.iscoroutinefunction)
        if not name.startswith("_") and hasattr(Bot, camel(name)) and "_" in name
    }
    found.update({name: name for name in ("close",)})
    for cls in (Message, CallbackQuery, Chat, User, File):
        for name, function in inspect.getmembers(cls, inspect.iscoroutinefunction):
            if name.startswith("_"):
                continue
            targets = re.findall(r"get_bot\(\)\.(\w+)\(", inspect.getsource(function))
            if len(set(targets)) == 1 and targets[0] in found:
                found.setdefault(name, found[targets[0]])
    return found


def called_by_the_bot() -> set[str]:
    methods = api_methods()
    called = set(IMPLICIT)
    for path in (ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path.name == "local_api.py" or not TELEGRAM_IMPORT.search(source):
            continue  # a module that does not import telegram calls no Bot API method
        for name in re.findall(r"\.(\w+)\(", source):
            if name in methods and name not in NOT_TELEGRAM:
                called.add(methods[name])
    return called


def test_the_scan_sees_the_calls_the_bot_is_known_to_make() -> None:
    called = called_by_the_bot()
    expected = {"sendMessage", "sendDocument", "answerCallbackQuery", "getFile"}
    assert expected | {"editMessageReplyMarkup", "setMyCommands"} <= called


def test_every_bot_api_method_the_bot_calls_is_played_locally() -> None:
    assert sorted(called_by_the_bot() - set(SERVED)) == []


async def test_a_method_it_does_not_play_is_refused_and_kept() -> None:
    api = LocalBotAPI()
    status, body = await api.do_request("https://x/bot1:a/sendPoll", "POST", RequestData([]))
    assert status == 404 and "not played locally" in json.loads(body)["description"]
    assert api.unserved == ["sendPoll"]
