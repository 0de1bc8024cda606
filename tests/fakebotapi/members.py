"""getChatMember over the fake's memory: who administers which group.

A test says who created or administers a group (``set_member``); anybody else who wrote
in a group is a plain member, and a stranger has left. The answer has the fields PTB
needs to build each ``ChatMember`` kind.
"""

from __future__ import annotations

from typing import Any

from tests.fakebotapi.decoding import Req
from tests.fakebotapi.rules import BotAPIError
from tests.fakebotapi.state import FakeState

__all__ = ["MemberMethods"]

_ADMIN_RIGHTS = (
    "can_be_edited", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
    "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
    "can_post_stories", "can_edit_stories", "can_delete_stories",
)  # fmt: skip
STATUSES = ("creator", "administrator", "member", "left", "kicked")


class MemberMethods(FakeState):
    """Members of group chats, as ``getChatMember`` reports them."""

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """Make ``user_id`` a ``creator``, ``administrator``, ``member``… of the group."""
        assert status in STATUSES, status
        self._members[(chat_id, user_id)] = status

    async def _get_chat_member(self, req: Req) -> Any:
        chat_id, user_id = req.params.get("chat_id"), req.params.get("user_id")
        if not isinstance(chat_id, int) or chat_id not in self._chats:
            raise BotAPIError(400, "Bad Request: chat not found")
        if not isinstance(user_id, int):
            raise BotAPIError(400, "Bad Request: invalid user_id specified")
        status = self._members.get((chat_id, user_id)) or (
            "member" if (chat_id, user_id) in self._seen_in_chat else "left"
        )
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        member: dict[str, Any] = {"status": status, "user": user}
        if status in ("creator", "administrator"):
            member["is_anonymous"] = False
        if status == "administrator":
            member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
        if status == "kicked":
            member["until_date"] = 0
        return member
