"""Service providers end to end: a provider from the CLI, an operator invited by link,
cohorts with their rules and QR codes, invite codes generated and imported, the audit log,
and tenancy — an admin of one provider reaches nothing of another's, whatever they type.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.cli import main as cli
from bot.db.models import Admin, AuditEvent, Cohort, InviteCode, Provider
from tests.fakebotapi import Call
from tests.harness import BotHarness, running_bot
from tests.updates import TelegramChat, TelegramUser

SUPERADMIN = TelegramUser(900, "Root", language_code="en")
OWNER_A = TelegramUser(5001, "Lin", language_code="zh-hans")
OPERATOR_A = TelegramUser(5002, "Wei", language_code="zh-hans")
OWNER_B = TelegramUser(6001, "Budi", language_code="id")
STRANGER = TelegramUser(7001, "Sam", language_code="en")
LINK = re.compile(r"https://t\.me/\w+\?start=(\S+)")


def provider_from_cli(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, name: str, owner: int
) -> int:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli(["provider", "create", "--name", name, "--owner", str(owner)]) == 0
    with Session(engine) as session:
        return session.exec(select(Provider.id).where(Provider.name == name)).one()


async def new_cohort(bot: BotHarness, admin: TelegramUser, args: str) -> tuple[int, str]:
    reply = await bot.say(admin, f"/cohort_new {args}")
    number = re.search(r"#(\d+)", reply)
    link = LINK.search(reply)
    assert number and link, reply
    return int(number.group(1)), link.group(1)


def cohort_row(engine: Engine, cohort_id: int) -> Cohort:
    with Session(engine) as session:
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        session.expunge(cohort)
        return cohort


async def test_provider_owner_invites_an_operator_who_sees_the_cohorts(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)
    async with running_bot(engine) as bot:
        assert "还没有入驻批次" in await bot.say(OWNER_A, "/cohorts")
        cohort_id, token = await new_cohort(bot, OWNER_A, "uk track=uk_crossborder 英国第一批")
        invite = await bot.say(OWNER_A, "/admin_invite")
        match = LINK.search(invite)
        assert match and "运营人员" in invite
        assert "欢迎" in await bot.say(OPERATOR_A, f"/start {match.group(1)}")
        # one-time: a second person opening the same link is refused
        assert "already been used" in await bot.say(STRANGER, f"/start {match.group(1)}")
        listing = await bot.say(OPERATOR_A, "/cohorts")
        assert f"#{cohort_id}" in listing and "英国第一批" in listing
        # operators do not manage admins nor read the audit log
        assert "只有服务商负责人" in await bot.say(OPERATOR_A, "/admin_invite")
        assert "只有服务商负责人" in await bot.say(OPERATOR_A, "/audit")
        audit = await bot.say(OWNER_A, "/audit")
        assert "创建了批次 · 批次 #" in audit and "加入成为管理员" in audit
        assert "创建了管理员邀请链接 · 运营人员" in audit and "市场: 🇬🇧 英国" in audit
        assert "cohort.create" not in audit and "uk_crossborder" not in audit  # words, not codes
    with Session(engine) as session:
        roles = {a.telegram_user_id: a.role for a in session.exec(select(Admin)).all()}
    assert roles == {OWNER_A.id: "owner", OPERATOR_A.id: "operator"}
    assert token.startswith("c_")


async def test_admin_menu_is_set_for_the_new_admin_chat_only(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    async with running_bot(engine) as bot:
        match = LINK.search(await bot.say(OWNER_A, "/admin_invite"))
        assert match
        await bot.say(OPERATOR_A, f"/start {match.group(1)}")
        scoped = [
            call
            for call in bot.api.calls_to("setMyCommands")
            if (call.params.get("scope") or {}).get("type") == "chat"
        ]
    # the owner made by the command line gets theirs at start-up, the operator on joining
    assert [call.params["scope"]["chat_id"] for call in scoped] == [OWNER_A.id, OPERATOR_A.id]
    owner = [command["command"] for command in scoped[0].params["commands"]]
    assert "audit" in owner and "admin_invite" in owner and "provider_new" not in owner
    names = [command["command"] for command in scoped[1].params["commands"]]
    assert "cohorts" in names and "audit" not in names  # an operator's menu


@pytest.mark.parametrize(
    ("user", "owner_line", "title"),
    [
        (TelegramUser(5301, "Ann", language_code="en"), "/audit [page] — Audit log",
         "You are the owner of Agency A"),
        (TelegramUser(5302, "Lin", language_code="zh-hans"), "/audit [page] — 操作日志",
         "你是「Agency A」的负责人"),
        (TelegramUser(5303, "Budi", language_code="id"), "/audit [page] — Log audit",
         "Anda pemilik di Agency A"),
    ],
)  # fmt: skip
async def test_an_admin_help_lists_the_commands_of_their_role_in_their_language(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, user: TelegramUser, owner_line: str,
    title: str,
) -> None:  # fmt: skip
    provider_from_cli(engine, monkeypatch, "Agency A", user.id)
    operator = TelegramUser(5399, "Op", language_code=user.language_code)
    async with running_bot(engine) as bot:
        helped = await bot.say(user, "/help")
        invite = LINK.search(await bot.say(user, "/admin_invite"))
        assert invite
        await bot.say(operator, f"/start {invite.group(1)}")
        operator_help = await bot.say(operator, "/help")
        started = await bot.push(bot.updates.message_text(user, "/start"))
    assert title in helped and owner_line in helped
    assert "/queue — " in helped and "/broadcast — " in helped and "/provider_new" not in helped
    assert "/queue — " in operator_help and "/audit" not in operator_help  # the operator's role
    assert len(helped.splitlines()) == 1 + 22 + 1  # title, one line per command, seller side
    said = [call.text or "" for call in started if call.method == "sendMessage"]
    assert len(said) == 2 and "/help" in said[1]  # the seller's welcome, then the admin side


async def test_the_command_line_without_an_owner_prints_a_link_the_owner_opens(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = TelegramUser(5401, "Mei", language_code="zh-hans")
    async with running_bot(engine) as bot:
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("BOT_TOKEN", bot.api.token)
        monkeypatch.setenv("BOT_API_URL", bot.api.url)
        assert await asyncio.to_thread(cli, ["provider", "create", "--name", "星河"]) == 0
        printed = capsys.readouterr().out
        link = LINK.search(printed)
        assert link and "/start adm_" not in printed, printed
        assert "负责人" in await bot.say(owner, f"/start {link.group(1)}")
    with Session(engine) as session:
        assert session.exec(select(Admin.role).where(Admin.telegram_user_id == owner.id)).one()


async def test_a_stranger_gets_the_ordinary_unknown_command_reply(engine: Engine) -> None:
    async with running_bot(engine) as bot:
        await bot.say(STRANGER, "/start")
        ordinary = await bot.say(STRANGER, "/nonsense")
        for command in (
            "/cohorts",
            "/cohort_new uk X",
            "/admins",
            "/audit",
            "/codes 1",
            "/provider_new X",
        ):
            assert await bot.say(STRANGER, command) == ordinary
    assert "admin" not in ordinary.lower()


async def test_superadmin_creates_a_provider_whose_owner_joins_by_link(engine: Engine) -> None:
    async with running_bot(engine, superadmin_ids=(SUPERADMIN.id,)) as bot:
        created = await bot.say(SUPERADMIN, "/provider_new PT Mitra Digital")
        match = LINK.search(created)
        assert match, created
        assert "Selamat datang" in await bot.say(OWNER_B, f"/start {match.group(1)}")
        cohort_id, _ = await new_cohort(bot, OWNER_B, "id Angkatan Januari")
        assert f"#{cohort_id}" in await bot.say(OWNER_B, "/cohorts")
    with Session(engine) as session:
        admin = session.exec(select(Admin).where(Admin.telegram_user_id == OWNER_B.id)).one()
        assert admin.role == "owner" and admin.locale == "id"


async def test_an_admin_of_one_provider_reaches_nothing_of_another(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    provider_from_cli(engine, monkeypatch, "Agency B", OWNER_B.id)
    async with running_bot(engine) as bot:
        cohort_a, _ = await new_cohort(bot, OWNER_A, "uk Cohort of A")
        cohort_b, _ = await new_cohort(bot, OWNER_B, "id Cohort of B")
        assert "Cohort of A" not in await bot.say(OWNER_B, "/cohorts")
        assert f"#{cohort_a}" in await bot.say(OWNER_B, f"/cohort {cohort_a}")  # "no cohort #…"
        assert "Tidak ada angkatan" in await bot.say(OWNER_B, f"/cohort {cohort_a}")
        assert "Tidak ada angkatan" in await bot.say(OWNER_B, f"/codes {cohort_a} new 5")
        assert "Tidak ada angkatan" in await bot.say(
            OWNER_B, f"/cohort_rule {cohort_a} min_products 9"
        )
        for action in ("arch", "inv", "qr"):  # forged buttons of A's cohort
            calls = await bot.tap_data(OWNER_B, f"adm_c|{action}|{cohort_a}")
            notices = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
            assert notices and notices[0], calls
            assert not [c for c in calls if c.method == "sendPhoto"]
        # and a guessed admin id of A's provider
        with Session(engine) as session:
            owner_a = session.exec(select(Admin).where(Admin.telegram_user_id == OWNER_A.id)).one()
        assert "tidak dapat dihapus" in await bot.say(OWNER_B, f"/admin_remove {owner_a.id}")
    before = cohort_row(engine, cohort_a)
    assert not before.archived and before.rules == {}
    with Session(engine) as session:
        assert session.exec(select(InviteCode)).all() == []
        assert cohort_b != cohort_a


async def test_cohort_rules_are_checked_and_audited(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    async with running_bot(engine) as bot:
        cohort_id, _ = await new_cohort(bot, OWNER_A, "uk track=uk_crossborder 跨境一批")
        refused = await bot.say(OWNER_A, f"/cohort_rule {cohort_id} price_max 200")
        assert "134.5" in refused  # the platform's cross-border ceiling
        assert "已保存" in await bot.say(OWNER_A, f"/cohort_rule {cohort_id} min_products 3")
        assert "已保存" in await bot.say(OWNER_A, f"/cohort_rule {cohort_id} price_max 99.5")
        assert "整数" in await bot.say(OWNER_A, f"/cohort_rule {cohort_id} min_products many")
        shown = await bot.say(OWNER_A, f"/cohort_rule {cohort_id} skip invite_code")
        assert "跳过的步骤：邀请码\n" in shown, shown  # the step's label, not its id
        await bot.say(OWNER_A, f"/cohort_rule {cohort_id} unskip invite_code")
        keyboard = bot.last_keyboard(OWNER_A)
        await bot.tap_data(OWNER_A, f"adm_c|inv|{cohort_id}", keyboard["message_id"])
        photo = await bot.tap_data(OWNER_A, f"adm_c|qr|{cohort_id}", keyboard["message_id"])
    cohort = cohort_row(engine, cohort_id)
    assert cohort.rules == {"min_products": 3, "require_invite_code": False, "skip_steps": []}
    assert cohort.product_rules == {"price_max": "99.5"}
    sent = [call for call in photo if call.method == "sendPhoto"]
    assert sent and next(iter(sent[0].files.values())).data.startswith(b"\x89PNG")
    with Session(engine) as session:
        actions = [event.action for event in session.exec(select(AuditEvent)).all()]
    assert actions.count("cohort.rule") == 4 and "cohort.inv" in actions


async def test_invite_codes_generated_as_csv_and_imported_from_a_file(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    async with running_bot(engine) as bot:
        cohort_id, _ = await new_cohort(bot, OWNER_A, "uk track=uk_crossborder 一批")
        calls = await bot.push(bot.updates.message_text(OWNER_A, f"/codes {cohort_id} new 3 2 10"))
        documents = [call for call in calls if call.method == "sendDocument"]
        data = next(iter(documents[0].files.values())).data
        assert data.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) == 3 and all(row["max_uses"] == "2" for row in rows)
        assert all(
            re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{5}", r["code"])
            for r in rows
        )
        upload = "code\nTTS-UK-IMPORT-1\nTTS-UK-IMPORT-1\nbad code!\n" + rows[0]["code"] + "\n"
        bot.api.add_file("codes-file", upload.encode())
        update = bot.updates.document(
            OWNER_A,
            "codes-file",
            "codes.csv",
            "text/csv",
            len(upload),
            caption=f"/codes_import {cohort_id}",
        )
        report = "".join(call.text or "" for call in await bot.push(update))
        assert "新增 1 个" in report and "已存在 1 个" in report and "格式错误 1 个" in report
        revoked = await bot.say(OWNER_A, f"/codes {cohort_id} revoke all")
        assert "4" in revoked
    with Session(engine) as session:
        codes = session.exec(select(InviteCode).where(InviteCode.cohort_id == cohort_id)).all()
    assert len(codes) == 4 and all(code.revoked for code in codes)


async def test_a_group_linked_to_a_cohort_follows_migration_and_removal(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.updates import TelegramChat

    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    group = TelegramChat.group(-4001, "英国一批对接群")
    async with running_bot(engine) as bot:
        cohort_id, token = await new_cohort(bot, OWNER_A, "uk 英国一批")
        await bot.push(bot.updates.bot_added_to_group(OWNER_A, group))
        # a stranger's /link and chat traffic get nothing: the bot is quiet in groups
        quiet = await bot.push(bot.updates.message_text(STRANGER, "/link", chat=group))
        quiet += await bot.push(bot.updates.message_text(STRANGER, "hello all", chat=group))
        assert [c for c in quiet if c.method == "sendMessage"] == []
        bot.api.set_member(group.id, OWNER_A.id, "creator")
        calls = await bot.push(bot.updates.message_text(OWNER_A, "/link", chat=group))
        choose = next(c for c in calls if c.method == "sendMessage")
        data = choose.inline_keyboard[0][0]["callback_data"]
        linked = await bot.push(
            bot.updates.callback(OWNER_A, data, choose.result["message_id"], chat=group)
        )
        welcome = [c.text or "" for c in linked if c.method == "sendMessage"]
        assert welcome and token in welcome[0] and "欢迎" in welcome[0]
        joined = await bot.push(bot.updates.message_text(STRANGER, "/join", chat=group))
        assert token in "".join(c.text or "" for c in joined)
        assert cohort_row(engine, cohort_id).group_chat_id == group.id
        migrated = bot.updates.message_text(OWNER_A, "", chat=group)
        migrated["message"].pop("text")
        migrated["message"]["migrate_to_chat_id"] = -1009876543210
        await bot.push(migrated)
        assert cohort_row(engine, cohort_id).group_chat_id == -1009876543210
        supergroup = TelegramChat(-1009876543210, "supergroup", "英国一批对接群")
        left = bot.updates.bot_added_to_group(OWNER_A, supergroup)
        left["my_chat_member"]["old_chat_member"]["status"] = "member"
        left["my_chat_member"]["new_chat_member"].update(status="kicked", until_date=0)
        notices = await bot.push(left)
        told = [c for c in notices if c.method == "sendMessage" and c.chat_id == OWNER_A.id]
        assert told and "取消关联" in (told[0].text or "")
    assert cohort_row(engine, cohort_id).group_chat_id is None


async def link_by_mention(
    bot: BotHarness, admin: TelegramUser, group: TelegramChat, cohort_id: int
) -> list[Call]:
    """``/link@<bot>`` as typed in a group, then the cohort's button; every call made."""
    mention = f"/link@{bot.api.bot_user['username']}"
    calls = await bot.push(bot.updates.message_text(admin, mention, chat=group))
    choose = [c for c in calls if c.method == "sendMessage" and c.inline_keyboard]
    if not choose:
        return calls
    (data,) = [b["callback_data"] for row in choose[0].inline_keyboard for b in row
               if b["text"].startswith(f"#{cohort_id} ")]  # fmt: skip
    update = bot.updates.callback(admin, data, choose[0].result["message_id"], chat=group)
    return calls + await bot.push(update)


async def test_link_checks_with_telegram_who_runs_the_group_and_tells_the_provider_it_left(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "星河出海服务", OWNER_A.id)
    provider_from_cli(engine, monkeypatch, "Agensi Nusantara", OWNER_B.id)
    group = TelegramChat.group(-4002, "Grup penjual")
    async with running_bot(engine) as bot:
        cohort_a, _ = await new_cohort(bot, OWNER_A, "uk 英国一批")
        cohort_b, token_b = await new_cohort(bot, OWNER_B, "id Angkatan Jakarta")
        await bot.push(bot.updates.bot_added_to_group(OWNER_A, group))
        bot.api.set_member(group.id, OWNER_A.id, "creator")
        # an admin of the bot who is a plain member of the group may not link it
        refused = await link_by_mention(bot, OWNER_B, group, cohort_b)
        asked = [c for c in refused if c.method == "getChatMember"]
        assert asked and asked[0].params["user_id"] == OWNER_B.id
        assert "bukan admin grup" in " ".join(c.text or "" for c in refused)
        await link_by_mention(bot, OWNER_A, group, cohort_a)
        assert cohort_row(engine, cohort_a).group_chat_id == group.id
        # the group's creator makes B an administrator; B moves the group to their cohort
        bot.api.set_member(group.id, OWNER_B.id, "administrator")
        moved = await link_by_mention(bot, OWNER_B, group, cohort_b)
    welcome = [c.text or "" for c in moved if c.method == "sendMessage" and c.chat_id == group.id]
    assert token_b in welcome[-1] and "Selamat datang" in welcome[-1]
    assert "欢迎" not in welcome[-1] and "Welcome" not in welcome[-1]  # Indonesian only
    told = [c.text or "" for c in moved if c.method == "sendMessage" and c.chat_id == OWNER_A.id]
    assert told and "英国一批" in told[0] and "另一个服务商" in told[0]
    assert cohort_row(engine, cohort_a).group_chat_id is None
    assert cohort_row(engine, cohort_b).group_chat_id == group.id


async def test_a_seller_opening_the_join_link_joins_the_cohort(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider_from_cli(engine, monkeypatch, "Agency A", OWNER_A.id)
    seller = TelegramUser(8001, "Zhang", language_code="zh-hans")
    async with running_bot(engine) as bot:
        cohort_id, token = await new_cohort(bot, OWNER_A, "uk 英国一批")
        await bot.say(seller, f"/start {token}")
        assert bot.seller(seller).cohort_id == cohort_id
