"""A provider's own FAQ entries, end to end on both databases: ``/faq`` adds, edits, lists
and removes them; a CSV goes out and comes back in Chinese; an entry changes what
``faq_matcher`` answers for its cohort only; no admin reaches another provider's entries,
whatever they type or tap.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db.models import AuditEvent, FaqEntry
from bot.db.units import Database
from bot.providers.access import AdminIdentity
from bot.providers.cohorts.store import create_cohort
from bot.providers.store import create_provider
from bot.questions.faq import faq_matcher
from bot.questions.faq_files import COLUMNS
from bot.questions.faq_store import Texts, add_entry, merged_entries, rows_for_cohort, scope_of
from bot.transport.context import Services
from tests.bot.providers.test_providers import LINK, new_cohort, provider_from_cli
from tests.fakebotapi import Call
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramUser

OWNER_A = TelegramUser(5101, "Lin", language_code="zh-hans")
OPERATOR_A = TelegramUser(5102, "Wei", language_code="en")
OWNER_B = TelegramUser(6101, "Budi", language_code="id")
STRANGER = TelegramUser(7101, "Sam", language_code="en")
DURIAN = "Can I sell durian ice cream in the UK?"


def services(bot: BotHarness) -> Services:
    assert bot.app is not None
    found: Services = bot.app.bot_data["services"]
    return found


def rows(engine: Engine) -> list[FaqEntry]:
    with Session(engine) as session:
        found = list(session.exec(select(FaqEntry).order_by(FaqEntry.id)).all())  # type: ignore[arg-type]
        for row in found:
            session.expunge(row)
        return found


def buttons(calls: list[Call]) -> list[tuple[str, str, int]]:
    """(label, callback data, message id) of every inline button the calls sent."""
    found = []
    for call in calls:
        markup = call.params.get("reply_markup") or {}
        result = call.result if isinstance(call.result, dict) else {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                found.append((button["text"], button["callback_data"], result.get("message_id", 1)))
    return found


def texts(calls: list[Call]) -> str:
    said = [c.text or "" for c in calls if c.method in ("sendMessage", "editMessageText")]
    notices = [str(c.params.get("text", "")) for c in calls if c.method == "answerCallbackQuery"]
    return "\n".join(said + notices)


async def top(bot: BotHarness, market: str, cohort: int | None, question: str) -> list[str]:
    matcher = await faq_matcher(services(bot), market, cohort)
    return [found.entry.id for found in matcher.match(question, "en")]


async def two_providers(bot: BotHarness) -> tuple[int, int, int]:
    """Provider A's cohorts X (UK) and Y (UK), provider B's cohort Z (UK)."""
    x, _ = await new_cohort(bot, OWNER_A, "uk 英国一批")
    y, _ = await new_cohort(bot, OWNER_A, "uk 英国二批")
    z, _ = await new_cohort(bot, OWNER_B, "uk UK Batch B")
    return x, y, z


async def test_an_admin_adds_edits_lists_and_removes_an_entry(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)
    async with running_bot(engine) as bot:
        cohort, _ = await new_cohort(bot, OWNER_A, "uk 英国一批")
        assert "/faq" in await bot.say(OWNER_A, "/help")
        template = await bot.say(OWNER_A, f"/faq {cohort} add")
        assert f"/faq {cohort} add\n需要英国手机号吗？" in template
        form = f"/faq {cohort} add\n榴莲冰淇淋可以在英国卖吗？\n不可以，食品类目需要额外资质。"
        saved = await bot.say(OWNER_A, form)
        assert "已保存为常见问题 #1" in saved and "英国一批" in saved and "简体中文" in saved
        assert "未做更改" in await bot.say(OWNER_A, form)  # the same message twice: one entry
        assert len(rows(engine)) == 1
        # one line works too; a mistyped built-in id is named, not saved as a question
        one_line = await bot.say(OWNER_A, f"/faq {cohort} add 可以开发票吗？ | 可以，请联系客服。")
        assert "#2" in one_line and "简体中文" in one_line
        assert "没有内置条目 uk_phone" in await bot.say(OWNER_A, f"/faq {cohort} add uk_phone")
        assert "删除" in await bot.say(OWNER_A, "/faq remove 2")
        assert len(rows(engine)) == 1
        edited = await bot.say(OWNER_A, f"/faq edit 1 en\n{DURIAN}\nNo: food needs extra approval.")
        assert "已更新（English）" in edited
        row = rows(engine)[0]
        assert row.questions == {"zh_Hans": ["榴莲冰淇淋可以在英国卖吗？"], "en": [DURIAN]}
        assert row.version == 2 and row.updated_by == OWNER_A.id

        listing = await bot.push(bot.updates.message_text(OWNER_A, f"/faq {cohort}"))
        text = texts(listing)
        assert "#1 ➕ 榴莲冰淇淋可以在英国卖吗？" in text and "您的 1 条" in text
        assert "· uk_phone_required — 需要英国手机号吗？" in text or "第 1/" in text
        forward = [b for b in buttons(listing) if b[0] == "▶"]
        assert forward, "the built-in entries of a market fill more than one page"
        page = await bot.tap_data(OWNER_A, forward[0][1], forward[0][2])
        assert "第 2/" in texts(page)

        shown = await bot.push(bot.updates.message_text(OWNER_A, "/faq edit 1"))
        assert DURIAN in texts(shown) and "/faq remove 1" in texts(shown)
        remove = next(b for b in buttons(shown) if b[1].startswith("adm_faq|rm|"))
        assert remove[1] == "adm_faq|rm|1.2"
        assert "已删除" in texts(await bot.tap_data(OWNER_A, remove[1], remove[2]))
        again = texts(await bot.tap_data(OWNER_A, remove[1], remove[2]))  # a double tap
        assert "没有您的常见问题 #1" in again
        assert rows(engine) == []
        log = await bot.say(OWNER_A, "/audit")
        assert "新增了常见问题 · 常见问题 #1" in log and "删除了常见问题" in log
    with Session(engine) as session:
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("faq.add") == 2 and actions.count("faq.edit") == 1
    assert actions.count("faq.remove") == 2


async def test_an_entry_changes_the_answers_of_its_cohort_only(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    provider_from_cli(engine, monkeypatch, "Agency B", OWNER_B.id)
    async with running_bot(engine) as bot:
        x, y, z = await two_providers(bot)
        before = await faq_matcher(services(bot), "uk", x)
        assert await faq_matcher(services(bot), "uk", x) is before  # cached while unchanged
        assert (await top(bot, "uk", x, DURIAN))[:1] != ["provider_1"]
        await bot.say(OWNER_A, f"/faq {x} add en\n{DURIAN}\nNo: food needs extra approval.")
        assert (await top(bot, "uk", x, DURIAN))[:1] == ["provider_1"]
        for cohort in (y, z, None):
            assert "provider_1" not in await top(bot, "uk", cohort, DURIAN)

        # provider A's answer to a built-in entry, for cohort Y only
        phone = "Do I need a UK phone number?"
        override = f"/faq {y} add uk_phone_required en\n{phone}\nNo: our agency lends you one."
        assert "#2" in await bot.say(OWNER_A, override)
        matcher = await faq_matcher(services(bot), "uk", y)
        best = matcher.match(phone, "en")[0]
        assert best.entry.id == "uk_phone_required" and "agency lends" in best.answer
        # a Chinese seller is answered in English: the old Chinese answer may be false now
        assert "agency lends" in matcher.match("需要英国手机号吗", "zh_Hans")[0].answer
        for cohort in (x, z):
            answer = (await faq_matcher(services(bot), "uk", cohort)).match(phone, "en")[0]
            assert answer.entry.id == "uk_phone_required" and "agency" not in answer.answer

        # hidden for X; an entry for all of A's cohorts reaches X and Y, never B's Z
        assert "uk_sim" in await top(bot, "uk", x, "How do I buy a UK SIM card?")
        assert "/faq remove 3" in await bot.say(OWNER_A, f"/faq {x} hide uk_sim")
        assert "uk_sim" not in await top(bot, "uk", x, "How do I buy a UK SIM card?")
        assert "uk_sim" in await top(bot, "uk", y, "How do I buy a UK SIM card?")
        await bot.say(OWNER_A, "/faq all add en\nDo you run a WeChat group?\nYes: ask us for it.")
        for cohort, reached in ((x, True), (y, True), (z, False)):
            found = await top(bot, "uk", cohort, "Is there a WeChat group?")
            assert ("provider_4" in found) is reached
        assert "已删除" in await bot.say(OWNER_A, "/faq remove 3")
        assert "uk_sim" in await top(bot, "uk", x, "How do I buy a UK SIM card?")


async def test_no_admin_reaches_another_providers_entries(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    provider_from_cli(engine, monkeypatch, "Agency B", OWNER_B.id)
    async with running_bot(engine) as bot:
        x, _, z = await two_providers(bot)
        await bot.say(OWNER_A, f"/faq {x} add en\n{DURIAN}\nNo.")
        invite = LINK.search(await bot.say(OWNER_A, "/admin_invite"))
        assert invite
        await bot.say(OPERATOR_A, f"/start {invite.group(1)}")
        # B types A's ids: the cohort and the entry read as ones that do not exist
        assert "Tidak ada angkatan" in await bot.say(OWNER_B, f"/faq {x}")
        assert "Tidak ada angkatan" in await bot.say(OWNER_B, f"/faq {x} add en\nQ?\nA.")
        assert "Tidak ada angkatan" in await bot.say(OWNER_B, f"/faq {x} export")
        assert "Tidak ada angkatan" in await bot.say(OWNER_B, f"/faq {x} hide uk_sim")
        sheet = b"id,question_en,answer_en\n,Hacked?,Yes.\n"
        bot.api.add_file("b-sheet", sheet)
        forged = bot.updates.document(
            OWNER_B, "b-sheet", "faq.csv", "text/csv", len(sheet), caption=f"/faq {x} import"
        )
        assert "Tidak ada angkatan" in texts(await bot.push(forged))
        for typed in ("/faq edit 1", "/faq remove 1", "/faq edit 1 en\nQ?\nHacked."):
            assert "Tidak ada entri FAQ #1" in await bot.say(OWNER_B, typed)
        # forged buttons: another provider's entry, list or nonsense
        for data in ("adm_faq|rm|1.1", f"adm_faq|p|{x}.1", "adm_faq|zz|1", "adm_faq|rm|x.y"):
            told = texts(await bot.tap_data(OWNER_B, data))
            assert DURIAN not in told and "No." not in told
        assert len(rows(engine)) == 1
        # a stranger gets the seller's replies; A's operator may manage A's entries
        assert "Tidak" not in await bot.say(STRANGER, f"/faq {x}")
        assert "out of date" in texts(await bot.tap_data(STRANGER, "adm_faq|rm|1.1"))
        assert DURIAN in await bot.say(OPERATOR_A, f"/faq {x}")
        assert "(English)" in await bot.say(OPERATOR_A, "/faq edit 1 en\nDurian?\nNo, sorry.")
        # B's list of their own cohort shows none of A's entries
        assert DURIAN not in await bot.say(OWNER_B, f"/faq {z}")
    (row,) = rows(engine)
    assert row.answers == {"en": "No, sorry."} and row.updated_by == OPERATOR_A.id


def upload(bot: BotHarness, data: bytes, name: str, caption: str | None) -> dict[str, Any]:
    file_id = f"faq-{len(bot.api.calls)}"
    bot.api.add_file(file_id, data)
    return bot.updates.document(OWNER_A, file_id, name, "text/csv", len(data), caption=caption)


def exported(calls: list[Call]) -> list[dict[str, str]]:
    document = next(call for call in calls if call.method == "sendDocument")
    data = next(iter(document.files.values())).data
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def as_csv(records: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(records)
    return ("\ufeff" + out.getvalue()).encode()


async def test_a_faq_file_goes_out_and_comes_back_in_chinese(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)
    async with running_bot(engine) as bot:
        cohort, _ = await new_cohort(bot, OWNER_A, "uk 英国一批")
        await bot.say(OWNER_A, f"/faq {cohort} add\n榴莲可以卖吗？\n不可以。")
        records = exported(
            await bot.push(bot.updates.message_text(OWNER_A, f"/faq {cohort} export"))
        )
        assert records[0]["id"] == "#1" and records[0]["question_zh_Hans"] == "榴莲可以卖吗？"
        ids = [record["id"] for record in records]
        assert "uk_phone_required" in ids and "nik" not in ids  # the cohort's market only
        # the file sent back as it was changes nothing
        same = await bot.push(upload(bot, as_csv(records), "faq.csv", f"/faq {cohort} import"))
        assert "新增 0 条，修改 0 条，隐藏 0 条，未变 " in texts(same)
        # edited in Excel: an own answer, a built-in answer, a hidden row, a new row
        for record in records:
            if record["id"] == "#1":
                record["answer_zh_Hans"] = "不可以，食品需要额外资质。"
            elif record["id"] == "uk_phone_required":
                record["answer_zh_Hans"] = "需要。没有的话，我们可以代办英国手机卡。"
            elif record["id"] == "uk_sim":
                record["hide"] = "是"
        records.append(
            {"id": "", "question_zh_Hans": "有微信群吗？", "answer_zh_Hans": "有，请联系客服。"}
        )
        done = texts(
            await bot.push(upload(bot, as_csv(records), "faq.csv", f"/faq {cohort} import"))
        )
        assert "新增 2 条，修改 1 条，隐藏 1 条" in done
        matcher = await faq_matcher(services(bot), "uk", cohort)
        assert "代办英国手机卡" in matcher.match("需要英国手机号吗？", "zh_Hans")[0].answer
        assert matcher.match("有微信群吗", "zh_Hans")[0].answer == "有，请联系客服。"
        # exported again and sent back: every row unchanged, nothing doubled
        again = exported(await bot.push(bot.updates.message_text(OWNER_A, f"/faq {cohort} export")))
        kept = texts(await bot.push(upload(bot, as_csv(again), "faq.csv", f"/faq {cohort} import")))
        assert "新增 0 条，修改 0 条，隐藏 0 条" in kept
        assert len(rows(engine)) == 4

        # row errors, in the admin's language with row numbers, and nothing saved
        bad = [
            {"id": "", "question_zh_Hans": "新问题？", "answer_zh_Hans": "新答案。"},
            {"id": "", "question_zh_Hans": "没有答案的问题？"},
            {"id": "no_such_entry", "answer_en": "x"},
            {"id": "nik", "answer_en": "an Indonesian entry"},
        ]
        refused = texts(
            await bot.push(upload(bot, as_csv(bad), "faq.csv", f"/faq {cohort} import"))
        )
        assert "文件中有 3 处问题" in refused and "第 3 行：条目需要答案" in refused
        assert "第 4 行：no_such_entry 不是内置条目编号" in refused and "第 5 行" in refused
        assert "未保存任何内容" in refused and len(rows(engine)) == 4
        # a damaged workbook is unreadable, not an apology
        broken = await bot.push(
            upload(bot, b"PK\x03\x04 not a zip", "faq.xlsx", f"/faq {cohort} import")
        )
        assert "无法读取该文件" in texts(broken) and "出错" not in texts(broken)
        # without a caption: a sheet is the admin's own (as a seller) unless /faq … import
        # came first, and then only the next one
        assert "新增" not in texts(await bot.push(upload(bot, as_csv(bad[:1]), "faq.csv", None)))
        prompt = await bot.push(bot.updates.message_text(OWNER_A, f"/faq {cohort} import"))
        assert f"/faq {cohort} import" in texts(prompt)
        assert "新增 1 条" in texts(await bot.push(upload(bot, as_csv(bad[:1]), "faq.csv", None)))
        assert "新增" not in texts(await bot.push(upload(bot, as_csv(bad[:1]), "faq.csv", None)))
    assert len(rows(engine)) == 5


async def test_an_answered_ticket_becomes_an_entry_through_the_store(engine: Engine) -> None:
    """The one function the "turn into an FAQ entry" button calls (wired by the lead)."""
    database = Database(engine)

    def make(session: Session) -> tuple[int, int]:
        provider = create_provider(session, name="Agency A", owner_telegram_id=None)
        assert provider.id is not None
        cohort = create_cohort(session, provider_id=provider.id, name="UK 1", market="uk")
        assert cohort.id is not None
        return provider.id, cohort.id

    provider_id, cohort_id = database.run_sync(make)
    admin = AdminIdentity(OWNER_A.id, provider_id, "owner", "zh_Hans")

    def add(session: Session) -> str:
        scope = scope_of(session, actor=admin, key=str(cohort_id))
        assert scope is not None
        texts = Texts({"zh_Hans": ["可以开两家店吗？"]}, {"zh_Hans": "可以，请用 /new。"})
        row, new = add_entry(session, admin=admin, scope=scope, texts=texts)
        assert new
        return str(row.id)

    number = database.run_sync(add)
    entries = database.run_sync(
        lambda s: merged_entries("uk", rows_for_cohort(s, cohort_id=cohort_id))
    )
    assert f"provider_{number}" in [entry.id for entry in entries]
    assert re.fullmatch(r"\d+", number)
