"""Several applications per seller: ``/new``, ``/applications`` and their buttons.

A seller with one application never sees any of this unless they ask. ``/new`` asks what
the new application reuses: the language (always offered) and, for another shop of the
same company, the company answers already given; identifiers that allow only one
application (Companies House number, NIK, NIB) are never copied. ``/applications`` lists
every application with its state and step; one tap switches to another.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.platform.i18n import Translator
from bot.sellers.applications import COMPANY_FIELDS, NewApplication, Summary
from bot.sellers.dialog import Answered, answered, run_for_sender
from bot.sellers.labels import application_label, application_state
from bot.sellers.store import seller_store
from bot.sellers.unit import SellerView, Write
from bot.transport.context import BotContext
from bot.transport.keyboards import pack, unpack
from bot.transport.render import Reply, prompt_reply
from flows.engine import prompt
from flows.progress import FlowEnv
from flows.reuse import REUSED
from flows.steps import N_
from flows.tracks import LANGUAGES

NEW, SWITCH = "new", "app"
SAME_COMPANY, OTHER_COMPANY, FRESH = "same", "other", "fresh"


def _reprompt(view: SellerView, env: FlowEnv, *before: Callable[[Translator], str]) -> Answered:
    now = prompt(view.progress, env)
    return answered(
        env, view.progress, lambda t: prompt_reply(now, t, before=[line(t) for line in before])
    )


def _company_answers(view: SellerView, limit_fields: tuple[str, ...]) -> dict[str, object]:
    answers = view.progress.answers
    return {k: answers[k] for k in COMPANY_FIELDS if k in answers and k not in limit_fields}


async def new(update: Update, context: BotContext) -> None:
    """Ask what a new application should reuse (or say the limit is reached)."""
    limits = seller_store(context).limits

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        if len(view.applications) >= limits.applications_per_seller:
            most = limits.applications_per_seller
            return None, _reprompt(view, env, lambda t: t("error_application_limit", {"max": most}))
        current = view.current
        company = current.company if current else ""
        same = bool(company) and bool(_company_answers(view, limits.one_application_per))

        def reply(t: Translator) -> Reply:
            params = {"language": LANGUAGES.get(view.locale, view.locale), "company": company}
            choices = [
                (OTHER_COMPANY, t("button_new_other_company")),
                (FRESH, t("button_new_fresh")),
            ]
            question = t("ask_new_application_other", params)
            if same:
                choices.insert(0, (SAME_COMPANY, t("button_new_same_company")))
                question = t("ask_new_application", params)
            rows = [
                [InlineKeyboardButton(text, callback_data=pack(NEW, "pick", key))]
                for key, text in choices
            ]
            return Reply(question, InlineKeyboardMarkup(rows))

        return None, answered(env, view.progress, reply)

    await run_for_sender(update, context, unit)


async def on_new(update: Update, context: BotContext) -> None:
    """Open the new application with what the seller chose to reuse, and ask its question."""
    query = update.callback_query
    if query is None:
        return
    callback = unpack(query.data)
    choice = callback.value if callback is not None else ""
    await query.answer()
    if choice not in (SAME_COMPANY, OTHER_COMPANY, FRESH):
        return
    limits = seller_store(context).limits

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        if len(view.applications) >= limits.applications_per_seller:
            most = limits.applications_per_seller
            return None, _reprompt(view, env, lambda t: t("error_application_limit", {"max": most}))
        answers: dict[str, object] = {}
        if choice != FRESH:
            answers["language"] = view.locale
        if choice == SAME_COMPANY:
            reused = _company_answers(view, limits.one_application_per)
            answers.update(reused, **{REUSED: sorted(reused)})
        state = "language" if choice == FRESH else "market"

        def then(after: SellerView, after_env: FlowEnv) -> Answered:
            return _reprompt(after, after_env, lambda t: t("new_application_started"))

        write = Write(new_application=NewApplication(answers=answers, state=state), then=then)
        return write, _reprompt(view, env)

    await run_for_sender(update, context, unit)


async def list_applications(update: Update, context: BotContext) -> None:
    """Every application with its state and step; a button to switch to each other one."""

    def unit(view: SellerView, env: FlowEnv) -> tuple[None, Answered]:
        def reply(t: Translator) -> Reply:
            lines = [t("applications_title")]
            for summary in view.applications:
                mark = "▶️" if summary.id == view.application_id else "•"
                state = application_state(summary, env, t)
                lines.append(f"{mark} {application_label(summary, t)}: {state}")
            others = [a for a in view.applications if a.id != view.application_id]
            lines.append(t("applications_hint") if others else t("applications_only_one"))
            return Reply("\n".join(lines), _switch_keyboard(others, t))

        return None, answered(env, view.progress, reply)

    await run_for_sender(update, context, unit)


def _switch_keyboard(others: list[Summary], t: Translator) -> InlineKeyboardMarkup | None:
    if not others:
        return None
    rows = [
        [InlineKeyboardButton(application_label(a, t), callback_data=pack(SWITCH, "to", str(a.id)))]
        for a in others
    ]
    return InlineKeyboardMarkup(rows)


async def on_switch(update: Update, context: BotContext) -> None:
    """Make the tapped application current and ask its question."""
    query = update.callback_query
    if query is None:
        return
    callback = unpack(query.data)
    await query.answer()
    target = int(callback.value) if callback is not None and callback.value.isdecimal() else 0

    def unit(view: SellerView, env: FlowEnv) -> tuple[Write | None, Answered]:
        if target == view.application_id or all(a.id != target for a in view.applications):
            return None, _reprompt(view, env)  # already current, or not theirs: nothing moves

        def then(after: SellerView, after_env: FlowEnv) -> Answered:
            return _reprompt(after, after_env, lambda t: t(N_("switched_application")))

        return Write(switch_to=target, then=then), _reprompt(view, env)

    await run_for_sender(update, context, unit)
