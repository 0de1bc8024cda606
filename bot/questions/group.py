"""Questions in a cohort's group: answered only when the bot is mentioned or replied to.

The group is busy (a hundred people), so the bot says nothing unless addressed, answers
one message per question at most (a redelivered update is not answered twice), and at
most ``FLOOD_ANSWERS`` times per ``FLOOD_SECONDS`` per group; past that it stays silent.
The answer is the FAQ's best, in the asker's Telegram language, from the linked
cohort's FAQ; a group linked to no cohort gets nothing, as before. Nothing is stored:
a question that needs a person is for the private chat (``/ask``).
"""

from __future__ import annotations

import collections
import logging
import time

from telegram import Message, MessageEntity, ReplyParameters, Update

from bot.platform.i18n import telegram_locale
from bot.providers.cohorts import store as cohorts
from bot.questions.faq import faq_matcher
from bot.transport.context import BotContext, translator
from flows.steps import N_

log = logging.getLogger(__name__)
FLOOD_ANSWERS = 5
FLOOD_SECONDS = 60.0
SEEN = 2048
"""Group messages remembered as answered, so a redelivered one gets no second answer."""
_STATE = "group_questions"


class _GroupState:
    """This process's memory of what it answered in groups, and when."""

    def __init__(self) -> None:
        self.answered: collections.OrderedDict[tuple[int, int], None] = collections.OrderedDict()
        self.times: dict[int, collections.deque[float]] = {}

    def first_time(self, chat_id: int, message_id: int) -> bool:
        key = (chat_id, message_id)
        if key in self.answered:
            return False
        self.answered[key] = None
        while len(self.answered) > SEEN:
            self.answered.popitem(last=False)
        return True

    def allowed(self, chat_id: int, now: float) -> bool:
        recent = self.times.setdefault(chat_id, collections.deque())
        while recent and now - recent[0] > FLOOD_SECONDS:
            recent.popleft()
        if len(recent) >= FLOOD_ANSWERS:
            return False
        recent.append(now)
        return True


def addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """The question with the bot's mention taken out, when the message is addressed to
    the bot (a mention of it, or a reply to its message); None otherwise."""
    text = message.text or ""
    replied = message.reply_to_message
    to_bot = (
        replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
    )
    mention = f"@{username}".casefold()
    for entity, value in message.parse_entities([MessageEntity.MENTION]).items():
        if value.casefold() == mention:
            to_bot = True
            text = text.replace(value, " ")
        del entity
    return " ".join(text.split()) if to_bot else None


async def on_group_text(update: Update, context: BotContext) -> None:
    """A text in a group: answered from the linked cohort's FAQ only when addressed."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or user.is_bot:
        return
    question = addressed_text(message, context.bot.id, context.bot.username)
    if not question:
        return
    chat_id = message.chat.id
    cohort = await context.services.db.run(
        lambda session: cohorts.cohort_for_group(session, chat_id=chat_id)
    )
    if cohort is None or cohort.archived or cohort.id is None:
        return
    state: _GroupState = context.application.bot_data.setdefault(_STATE, _GroupState())
    if not state.first_time(chat_id, message.message_id):
        return
    if not state.allowed(chat_id, time.monotonic()):
        log.info("group %d asked more than %d questions a minute: quiet", chat_id, FLOOD_ANSWERS)
        return
    services = context.services
    locale = telegram_locale(user.language_code, default=services.settings.default_locale)
    matcher = await faq_matcher(services, cohort.market, cohort.id)
    matches = matcher.match(question, locale)
    t = translator(locale)
    if matches:
        best = matches[0]
        text = f"💡 {best.question}\n{best.answer}"  # FAQ texts are data, not catalog messages
    else:
        text = t(N_("group_no_answer"), {"bot": context.bot.username})
    await context.bot.send_message(
        chat_id,
        text,
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
    )
