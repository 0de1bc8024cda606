"""Seller commands: /start, /status, /back, /restart, /language, /help."""

from __future__ import annotations

import contextlib
from dataclasses import replace

from telegram import Update
from telegram.error import BadRequest

from bot.db import repo
from bot.db.models import utcnow
from bot.platform.i18n import Translator
from bot.sellers.confirmations import Confirmation
from bot.sellers.dialog import (
    Answered,
    answered,
    bind_confirmation,
    chat_of,
    outcome_write,
    run_for_sender,
    run_unit,
    send,
    write_if_changed,
)
from bot.sellers.unit import DuplicateUpdate, Result, SellerView, Write
from bot.transport.buttons import checked_tap, stale
from bot.transport.context import BotContext
from bot.transport.keyboards import LANGUAGE, RESTART, language_keyboard, restart_keyboard
from bot.transport.render import Reply, outcome_reply, prompt_reply, summary_text
from flows.answers import ChoiceAnswer
from flows.engine import advance, go_back, prompt
from flows.normalize import without_lone_surrogates
from flows.progress import FlowEnv, Progress
from flows.steps import N_
from flows.tracks import FINAL_STATES, LANGUAGES


def _reprompt(view: SellerView, env: FlowEnv, *before_ids: str) -> Answered:
    """The current question again, after the given messages."""
    now = prompt(view.progress, env)
    return answered(
        env, view.progress, lambda t: prompt_reply(now, t, before=[t(m) for m in before_ids])
    )


async def start(update: Update, context: BotContext) -> None:
    """Welcome a new seller (keeping a deep-link payload); an old one continues where they were."""
    # a lone surrogate could be neither stored nor looked up: it matches no token anyway
    payload = without_lone_surrogates(context.args[0])[:64] if context.args else None

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        greeting = N_("welcome") if view.is_new else N_("welcome_back")
        return None, _reprompt(view, env, greeting)

    await run_for_sender(update, context, unit, start_payload=payload)


async def status(update: Update, context: BotContext) -> None:
    """Everything entered so far, then the current question."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        now = prompt(view.progress, env)
        return None, answered(
            env,
            view.progress,
            lambda t: prompt_reply(now, t, before=[summary_text(view.progress, env, t)]),
        )

    await run_for_sender(update, context, unit)


async def back(update: Update, context: BotContext) -> None:
    """One step back; answers already given are kept."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        outcome = go_back(view.progress, env)
        now = prompt(outcome.progress, env)
        write = write_if_changed(view, outcome.progress) if outcome.accepted else None
        return write, answered(env, outcome.progress, lambda t: outcome_reply(outcome, now, env, t))

    await run_for_sender(update, context, unit)


async def restart(update: Update, context: BotContext) -> None:
    """Ask before throwing the application away; a submitted one cannot be thrown away.

    The question's buttons carry a fresh nonce, stored with the seller together with
    the id of the message that asks (known once it is sent): only they can confirm.
    """
    issued = Confirmation.issue(RESTART, now=utcnow())
    replaced: Confirmation | None = None  # the question this one supersedes

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        nonlocal replaced, issued
        if view.progress.state in FINAL_STATES:
            return None, _reprompt(view, env, N_("restart_refused_submitted"))
        replaced = Confirmation.from_json(view.confirmation)
        # bound to this application too: after a switch, the old question restarts nothing
        issued = replace(issued, action=_restart_of(view))

        def ask(t: Translator) -> Reply:
            keyboard = restart_keyboard(issued.nonce, t("button_restart_yes"), t("button_no"))
            return Reply(t("ask_restart_confirm"), keyboard)

        return Write(confirmation=issued.to_json()), answered(env, view.progress, ask)

    try:
        result = await run_unit(update, context, unit)
    except DuplicateUpdate:
        return
    chat_id = chat_of(update)
    sent = await send(context, chat_id, result)
    if sent is None or Confirmation.from_json(result.seller.confirmation) != issued:
        return  # refused, or not delivered: nothing to bind (the question stays unbound)
    await run_unit(
        update, context, bind_confirmation(issued.sent_as(sent.message_id)), follow_up=True
    )
    if replaced is not None and replaced.message_id is not None:  # its buttons are stale now
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(
                chat_id, replaced.message_id, reply_markup=None
            )


def _restart_of(view: SellerView) -> str:
    """The confirmation's action: restarting this very application."""
    return f"{RESTART}@{view.application_id}"


async def on_restart(update: Update, context: BotContext) -> None:
    """Start over after a confirmation, at the market question; the language is kept.

    Honoured once, from the message that asked, before it expires; any other tap gets
    the stale notice and changes nothing. A used question loses its buttons.
    """
    tap = await checked_tap(update, context, RESTART)
    if tap is None:
        return
    user_id = tap.query.from_user.id
    locale = await context.services.db.run(
        lambda session: repo.chosen_locale(session, telegram_user_id=user_id)
    )
    if locale is None or tap.callback.value not in ("yes", "no"):  # not asked by this bot
        await stale(tap.query, context, locale=locale)
        return
    now = utcnow()

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered | None]:
        pending = Confirmation.from_json(view.confirmation)
        if pending is None or not pending.accepts(
            _restart_of(view), nonce=tap.callback.key, message_id=tap.message_id, now=now
        ):
            return None, None
        used = Write(confirmation={})
        if tap.callback.value != "yes":
            return used, _reprompt(view, env, N_("restart_cancelled"))
        if view.progress.state in FINAL_STATES:
            return used, _reprompt(view, env, N_("restart_refused_submitted"))
        fresh = Progress(state="market", answers={"language": view.locale})
        now_asked = prompt(fresh, env)
        reply = answered(
            env, fresh, lambda t: prompt_reply(now_asked, t, before=[t("restart_done")])
        )
        return Write(progress=fresh, confirmation={}), reply

    try:
        result = await run_unit(update, context, unit)
    except DuplicateUpdate:
        return
    if result.value is None:
        await stale(tap.query, context, locale=result.seller.locale)
        return
    await tap.query.answer()
    with contextlib.suppress(BadRequest):  # the message may be too old to edit
        await tap.query.edit_message_reply_markup(reply_markup=None)  # used: no second tap
    await send(context, tap.chat_id, Result(result.seller, result.value))


async def on_continue(update: Update, context: BotContext) -> None:
    """A seller's "continue my application" / "show the step" button: the current question."""
    query = update.callback_query
    if query is not None:
        await query.answer()
    await status(update, context)


async def language(update: Update, context: BotContext) -> None:
    """Offer the three languages; the current one is ticked."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        keyboard = language_keyboard(view.locale)
        return None, answered(env, view.progress, lambda t: Reply(t("ask_language"), keyboard))

    await run_for_sender(update, context, unit)


async def on_language(update: Update, context: BotContext) -> None:
    """Switch language at any point, then ask the current question in it."""
    tap = await checked_tap(update, context, LANGUAGE)
    if tap is None:
        return
    chosen = tap.callback.value
    if chosen not in LANGUAGES:
        await stale(tap.query, context)
        return
    await tap.query.answer()

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        if view.progress.state == "language":  # the intake's own question: answer it
            outcome = advance(view.progress, ChoiceAnswer("language", chosen), env)
            now = prompt(outcome.progress, env)
            reply = answered(env, outcome.progress, lambda t: outcome_reply(outcome, now, env, t))
            return outcome_write(view, outcome), reply
        progress = view.progress.copy()
        progress.answers["language"] = chosen
        return write_if_changed(view, progress, locale=chosen), _reprompt(
            view, env, N_("language_changed")
        )

    await run_for_sender(update, context, unit)


async def help_command(update: Update, context: BotContext) -> None:
    """What the bot does and the commands."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        return None, _reprompt(view, env, N_("help_text"))

    await run_for_sender(update, context, unit)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know: say which ones it does."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        return None, _reprompt(view, env, N_("unknown_command"))

    await run_for_sender(update, context, unit)
