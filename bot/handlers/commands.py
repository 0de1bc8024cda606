"""Seller commands: /start, /status, /back, /restart, /language, /help."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update

from bot.context import BotContext
from bot.handlers.dialog import (
    Answered,
    answered,
    outcome_write,
    run_for_sender,
    write_if_changed,
)
from bot.i18n import Translator
from bot.keyboards import language_keyboard, restart_keyboard, unpack
from bot.render import Reply, outcome_reply, prompt_reply, summary_text
from bot.sellers import SellerView, Write
from flows.answers import ChoiceAnswer
from flows.engine import advance, go_back, prompt
from flows.progress import FlowEnv, Progress
from flows.steps import N_
from flows.tracks import LANGUAGES


def _reprompt(view: SellerView, env: FlowEnv, *before_ids: str) -> Answered:
    """The current question again, after the given messages."""
    now = prompt(view.progress, env)
    return answered(
        env, view.progress, lambda t: prompt_reply(now, t, before=[t(m) for m in before_ids])
    )


async def start(update: Update, context: BotContext) -> None:
    """Welcome a new seller (keeping a deep-link payload); an old one continues where they were."""
    payload = context.args[0][:64] if context.args else None

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
    """Ask before throwing the application away."""
    await _send_locale_reply(
        update,
        context,
        lambda t: Reply(
            t("ask_restart_confirm"), restart_keyboard(t("button_restart_yes"), t("button_no"))
        ),
    )


async def on_restart(update: Update, context: BotContext) -> None:
    """Start over after a confirmation, at the market question; the language is kept."""
    query = update.callback_query
    assert query is not None
    callback = unpack(query.data)
    confirmed = callback is not None and callback.value == "yes"

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        if not confirmed:
            return None, _reprompt(view, env, N_("restart_cancelled"))
        fresh = Progress(state="market", answers={"language": view.locale})
        now = prompt(fresh, env)
        reply = answered(env, fresh, lambda t: prompt_reply(now, t, before=[t("restart_done")]))
        return write_if_changed(view, fresh), reply

    await query.answer()
    await run_for_sender(update, context, unit)


async def language(update: Update, context: BotContext) -> None:
    """Offer the three languages; the current one is ticked."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        keyboard = language_keyboard(view.locale)
        return None, answered(env, view.progress, lambda t: Reply(t("ask_language"), keyboard))

    await run_for_sender(update, context, unit)


async def on_language(update: Update, context: BotContext) -> None:
    """Switch language at any point, then ask the current question in it."""
    query = update.callback_query
    assert query is not None
    callback = unpack(query.data)
    chosen = callback.value if callback is not None else ""
    await query.answer()
    if chosen not in LANGUAGES:
        return

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


async def _send_locale_reply(
    update: Update, context: BotContext, make: Callable[[Translator], Reply]
) -> None:
    """A reply in the seller's language that changes nothing."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        return None, answered(env, view.progress, make)

    await run_for_sender(update, context, unit)
