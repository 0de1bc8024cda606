"""What sellers and admins read about a question: FAQ answers, the ticket notice."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox.store import Message
from bot.platform.i18n import Translator
from bot.questions.store import TicketView
from bot.reports.state_names import state_label
from bot.transport.keyboards import pack
from flows.questions import Match
from flows.steps import N_
from flows.tracks import LANGUAGES, MARKETS, TRACK_NAMES

SELLER = "q"
"""The sellers' buttons under FAQ answers: ``q|ok|<ticket>``, ``q|ask|<ticket>``."""
ADMIN = "adm_t"
"""The admins' ticket buttons: ``adm_t|v|<ticket>`` (send it to me), ``adm_t|c|<ticket>``
(close), ``adm_t|f|<ticket>`` (add to the FAQ)."""
SNIPPET = 60
QUOTED = 3500
"""The most of a seller's question quoted in a notice, so the frame around it keeps the
message under Telegram's 4,096 characters (the whole question is in ``/mydata``)."""


def faq_reply(matches: Sequence[Match], t: Translator) -> str:
    """The best one to three answers, best first."""
    parts = [t(N_("faq_found"))]
    parts.extend(f"❓ {m.question}\n{m.answer}" for m in matches)
    return "\n\n".join(parts)


def faq_keyboard(ticket_id: int, t: Translator) -> InlineKeyboardMarkup:
    """ "That answers it" / "Ask a person"."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(N_("faq_button_helped")), callback_data=pack(SELLER, "ok", str(ticket_id))
                ),
                InlineKeyboardButton(
                    t(N_("faq_button_ask_person")),
                    callback_data=pack(SELLER, "ask", str(ticket_id)),
                ),
            ]
        ]
    )


def where(ticket: TicketView, t: Translator) -> str:
    """Where the seller stands, in words: market, track, step, language (no ids)."""
    market = t(MARKETS[ticket.market]) if ticket.market in MARKETS else "—"
    track = t(TRACK_NAMES[ticket.track]) if ticket.track and ticket.track in TRACK_NAMES else "—"
    return t(
        N_("ticket_where"),
        {
            "market": market,
            "track": track,
            "step": state_label(ticket.track, ticket.step, t),
            "language": LANGUAGES.get(ticket.locale, ticket.locale),
        },
    )


def notice_text(ticket: TicketView, t: Translator) -> str:
    """The ticket as an admin gets it: who, where they stand, the question, how to answer."""
    head = t(
        N_("ticket_notice"),
        {"id": ticket.id, "company": ticket.company or "—", "cohort": ticket.cohort_name or "—"},
    )
    question = ticket.question[:QUOTED]
    return "\n\n".join((head, where(ticket, t), question, t(N_("ticket_how_to_answer"))))


def notice(ticket: TicketView, chat_id: int, t: Translator) -> Message:
    """The outbox message carrying the ticket to one admin (a reply to it answers it)."""
    close = {
        "text": t(N_("ticket_button_close")),
        "callback_data": pack(ADMIN, "c", str(ticket.id)),
    }
    return Message(
        chat_id, notice_text(ticket, t), parse_mode=None, buttons=[[close]], ticket_id=ticket.id
    )


def listing(
    tickets: Sequence[TicketView], t: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    """``/tickets``: one line a ticket, and a button to have each sent to answer it."""
    if not tickets:
        return t(N_("tickets_none")), None
    lines = [t(N_("tickets_title"), {"count": len(tickets)})]
    buttons = []
    for ticket in tickets:
        question = ticket.question.replace("\n", " ")
        short = question if len(question) <= SNIPPET else question[: SNIPPET - 1] + "…"
        state = (
            t(N_("ticket_state_answered"))
            if ticket.state == "answered"
            else t(N_("ticket_state_open"))
        )
        lines.append(f"#{ticket.id} · {state} · {ticket.company or '—'}: {short}")
        buttons.append(
            [
                InlineKeyboardButton(
                    f"#{ticket.id} · {short[:24]}", callback_data=pack(ADMIN, "v", str(ticket.id))
                )
            ]
        )
    return "\n".join(lines), InlineKeyboardMarkup(buttons)
