"""What the seller hears about a decision, in the seller's own language.

A rejection lists each reason's explanation (a free-text note as the admin wrote it,
inside a localized frame) and names the step to fix; an approval gives the market's next
steps. Both go through the outbox: they are not replies to anything the seller sent.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from bot.db.models import utcnow
from bot.db.units import Database
from bot.outbox.store import Message
from bot.platform.i18n import Translator
from bot.providers.access import AdminIdentity
from bot.providers.review import decisions as review
from bot.providers.review.decisions import Decision, Verdict
from bot.providers.review.notices import enqueue_in_order, step_name
from bot.transport.context import translator
from flows.rejections import REASONS_BY_CODE
from flows.steps import N_
from flows.tracks import APPROVED, REVIEW

NEXT_STEPS = {
    "uk": (N_("approved_next_creators_uk"), N_("approved_next_sim_uk")),
    "id": (N_("approved_next_creators_id"), N_("approved_next_cod_id")),
}
"""Market → the next steps an approved seller is told, in order."""


def seller_text(decision: Decision, t: Translator) -> str:
    """The seller's message about ``decision`` (which must be decided)."""
    case = decision.case
    assert case is not None
    company = case.company or f"#{case.id}"
    if decision.to_state == APPROVED:
        lines = [t("review_approved_seller", {"company": company})]
        lines += [f"• {t(step)}" for step in NEXT_STEPS.get(case.market or "", ())]
        return "\n\n".join(lines)
    lines = [t("review_rejected_seller", {"company": company})]
    lines += [f"• {t(REASONS_BY_CODE[code].explanation)}" for code in decision.reasons]
    if decision.note:
        lines.append("• " + t("review_rejected_note", {"note": decision.note}))
    if decision.to_state == REVIEW:
        lines.append(t("review_rejected_back_to_summary"))
    else:
        lines.append(
            t("review_rejected_back_to_step", {"step": step_name(case, decision.to_state, t)})
        )
    return "\n".join(lines)


async def tell_seller(engine: Engine, decision: Decision) -> None:
    """Enqueue the seller's notice (after the decision committed)."""
    case = decision.case
    assert case is not None and case.seller_chat_id is not None  # decide refuses erased ones
    t = translator(case.seller_locale)
    message = Message(
        case.seller_chat_id,
        seller_text(decision, t),
        seller_id=case.seller_id,
        parse_mode=None,
        application_id=case.id,
    )
    await enqueue_in_order(engine, [[message]])


async def decide_and_tell_seller(
    db: Database,
    admin: AdminIdentity,
    *,
    application_id: int,
    version: int,
    approve: bool,
    mask: int = 0,
    note: str = "",
    from_note: bool = False,
) -> Decision:
    """One decision, whoever asks (a chat button, a note, the review desk): the conditional
    update in one transaction, then, if it won, the seller told in their language.

    A note is used once, whatever the decision: a refused one does not swallow the admin's
    next replies."""

    def work(session: Session) -> Decision:
        decision = review.decide(
            session, admin, application_id=application_id, version=version,
            approve=approve, mask=mask, note=note, now=utcnow(),
        )  # fmt: skip
        if from_note:
            review.drop_note(session, admin)
        return decision

    decision = await db.run(work)
    if decision.verdict is Verdict.DECIDED:
        await tell_seller(db.engine, decision)
    return decision
