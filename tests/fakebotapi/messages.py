"""sendMessage, edits, deletes, documents, photos and getFile, over the fake's memory."""

from __future__ import annotations

import time
from pathlib import PurePosixPath
from typing import Any

from tests.fakebotapi.decoding import Req
from tests.fakebotapi.rules import (
    MAX_CAPTION,
    MAX_DOWNLOAD,
    MAX_TEXT,
    BotAPIError,
    inline_markup,
    raw_content,
    rendered,
)
from tests.fakebotapi.state import FakeState, StoredFile

__all__ = ["MessageMethods"]


class MessageMethods(FakeState):
    """The methods that send, edit and delete the bot's messages and hand out files."""

    def _now(self) -> int:
        return int(time.time())

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if not isinstance(chat_id, int):
            raise BotAPIError(400, "Bad Request: chat not found")
        if chat_id not in self._chats:
            if chat_id > 0:
                self._chats[chat_id] = {"id": chat_id, "first_name": "User", "type": "private"}
            else:
                kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
                self._chats[chat_id] = {"id": chat_id, "title": "Group", "type": kind}
        return dict(self._chats[chat_id])

    def _store(self, chat_id: int, content: dict[str, Any], raw: dict[str, Any]) -> Any:
        message = {
            "message_id": self.next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": self._now(),
            **content,
        }
        key = (chat_id, message["message_id"])
        self._messages[key], self._raw[key] = message, raw
        return message

    def _target(self, p: dict[str, Any], missing: str) -> tuple[int, int] | None:
        """The (chat, message) an edit addresses; None for inline messages (answer True)."""
        if p.get("inline_message_id"):
            return None
        chat_id: int = self._chat(p.get("chat_id"))["id"]
        message_id = p.get("message_id")
        if not isinstance(message_id, int) or (chat_id, message_id) in self._deleted:
            raise BotAPIError(400, f"Bad Request: {missing}")
        return chat_id, message_id

    def _edit(self, key: tuple[int, int], content: dict[str, Any], raw: dict[str, Any]) -> Any:
        if self._raw.get(key) == raw:
            raise BotAPIError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message = self._messages.get(key) or {
            "message_id": key[1],
            "from": self.bot_user,
            "chat": self._chat(key[0]),
            "date": self._now(),
        }
        message = {k: v for k, v in message.items() if k not in content and k != "reply_markup"}
        message.update(content, edit_date=self._now())
        self._messages[key], self._raw[key] = message, raw
        return message

    async def _send_message(self, req: Req) -> Any:
        p = req.params
        self._chat(p.get("chat_id"))
        text = rendered(p.get("text"), p.get("parse_mode"), MAX_TEXT, "message is too long")
        if not text.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        content = {"text": text, **inline_markup(p.get("reply_markup"))}
        return self._store(p["chat_id"], content, raw_content(p))

    async def _edit_message_text(self, req: Req) -> Any:
        p = req.params
        key = self._target(p, "message to edit not found")
        text = rendered(p.get("text"), p.get("parse_mode"), MAX_TEXT, "message is too long")
        if not text.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        if key is None:
            return True
        if "text" not in self._messages.get(key, {"text": ""}):
            raise BotAPIError(400, "Bad Request: there is no text in the message to edit")
        content = {"text": text, **inline_markup(p.get("reply_markup"))}
        return self._edit(key, content, raw_content(p))

    async def _edit_message_reply_markup(self, req: Req) -> Any:
        p = req.params
        key = self._target(p, "message to edit not found")
        markup = inline_markup(p.get("reply_markup"))
        if key is None:
            return True
        raw = {**self._raw.get(key, {}), "reply_markup": p.get("reply_markup")}
        return self._edit(key, markup, raw)

    async def _delete_message(self, req: Req) -> Any:
        key = self._target(req.params, "message to delete not found")
        if key is not None:
            self._deleted.add(key)
            self._messages.pop(key, None)
        return True

    async def _send_document(self, req: Req) -> Any:
        p = req.params
        self._chat(p.get("chat_id"))
        stored = self._media(req, "document", "documents")
        upload = req.files.get("document")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_name": (upload.filename if upload else None)
            or PurePosixPath(stored.file_path).name,
        }
        if upload and upload.content_type:
            document["mime_type"] = upload.content_type
        content = {"document": document, **self._caption(p)}
        return self._store(p["chat_id"], content, raw_content(p))

    async def _send_photo(self, req: Req) -> Any:
        p = req.params
        self._chat(p.get("chat_id"))
        stored = self._media(req, "photo", "photos")
        # Telegram resizes; the fake cannot, so it reports a thumbnail and the original size.
        sizes = [(90, 68), (1280, 960)]
        photo = [
            {
                "file_id": stored.file_id if i == len(sizes) - 1 else f"{stored.file_id}_{w}",
                "file_unique_id": f"{stored.file_unique_id}{i}",
                "file_size": len(stored.data),
                "width": w,
                "height": h,
            }
            for i, (w, h) in enumerate(sizes)
        ]
        return self._store(p["chat_id"], {"photo": photo, **self._caption(p)}, raw_content(p))

    async def _send_media_group(self, req: Req) -> Any:
        """An album of 2-10 photos (or 2-10 documents): one message each, sent together."""
        p = req.params
        self._chat(p.get("chat_id"))
        media = p.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise BotAPIError(400, "Bad Request: wrong number of media in the album")
        kinds = {item.get("type") for item in media if isinstance(item, dict)}
        if kinds not in ({"photo"}, {"document"}):
            raise BotAPIError(400, "Bad Request: documents can't be mixed with other media")
        group_id = f"{next(self._file_numbers):012d}"
        sent = []
        for item in media:
            kind = item["type"]
            reference = str(item.get("media", ""))
            name = reference.removeprefix("attach://")
            fake = Req({kind: reference}, {}, req.disconnected)
            if name != reference and name in req.files:  # an upload in the same request
                fake = Req({}, {kind: req.files[name]}, req.disconnected)
            stored = self._media(fake, kind, "photos" if kind == "photo" else "documents")
            upload = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                      "file_size": len(stored.data)}  # fmt: skip
            if kind == "photo":
                upload.update(width=1280, height=960)
            content: dict[str, Any] = {kind: [upload] if kind == "photo" else upload}
            content["media_group_id"] = group_id
            content.update(self._caption({**item, "reply_markup": None}))
            sent.append(self._store(p["chat_id"], content, {"media": item}))
        return sent

    def _media(self, req: Req, field_name: str, folder: str) -> StoredFile:
        """The uploaded part (registered so getFile finds it) or a known file_id."""
        upload = req.files.get(field_name)
        if upload is not None:
            number = next(self._file_numbers)
            suffix = PurePosixPath(upload.filename or "").suffix
            file_id = f"{'BQ' if field_name == 'document' else 'Ag'}ACAgIAAxkBAAI{number:06d}"
            self.add_file(file_id, upload.data, file_path=f"{folder}/file_{number}{suffix}")
            return self._files[file_id]
        reference = req.params.get(field_name)
        if not isinstance(reference, str) or not reference:
            raise BotAPIError(400, f"Bad Request: there is no {field_name} in the request")
        if reference.startswith(("http://", "https://")):
            raise BotAPIError(400, "Bad Request: failed to get HTTP URL content")  # no network
        if reference not in self._files:
            raise BotAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return self._files[reference]

    def _caption(self, p: dict[str, Any]) -> dict[str, Any]:
        content = inline_markup(p.get("reply_markup"))
        if p.get("caption") is not None:
            content["caption"] = rendered(
                p["caption"], p.get("parse_mode"), MAX_CAPTION, "message caption is too long"
            )
        return content

    async def _get_file(self, req: Req) -> Any:
        stored = self._files.get(req.params.get("file_id"))  # type: ignore[arg-type]
        if stored is None:
            raise BotAPIError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise BotAPIError(400, "Bad Request: file is too big")
        size = len(stored.data) if stored.reported_size is None else stored.reported_size
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": size,
            "file_path": stored.file_path,
        }
