"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

Why a server and not a request double: what breaks in production is the whole
python-telegram-bot stack — the ``Updater``'s long polling, the httpx request layer, multipart
uploads, de-json of every response, file downloads. Tests run that stack unchanged against
this server and never reach Telegram::

    async with FakeBotAPI() as api:
        app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
               .base_file_url(api.base_file_url).build())
        ...  # initialize, start, updater.start_polling(poll_interval=0, timeout=1)
        api.push_update(updates.message_text(ann, "/start"))
        await settle(app, api)
        assert api.sent_to(ann.id)[0].params["text"] == "Welcome"

Modelled as Telegram does it: method names are case-insensitive; a wrong token is 401 and an
unknown method 404 (both JSON errors, so PTB raises ``InvalidToken``); ``getUpdates`` long-polls
and an ``offset`` confirms (forgets) every earlier update; ``getUpdates`` while a webhook is set is
409; ``parse_mode="HTML"`` is parsed as tdlib parses it (unsupported, unbalanced or malformed tags
are 400 "can't parse entities"); empty or over-long texts, callback data over 64 bytes and an edit
that changes nothing are 400; a returned Message carries only an *inline* ``reply_markup``.

Lenient on purpose, so tests need not stage history: sending to a chat never seen in an update
invents the chat; editing or deleting a message id the fake never sent succeeds.

Not modelled: entities in returned messages, MarkdownV2 validation, media groups. Rate limits
and random faults are off unless a test sets ``api.traffic`` (``traffic``); single faults are
injected with :meth:`FakeBotAPI.fail_next`.

The modules, one job each:

- ``server``: :class:`FakeBotAPI` — lifecycle, routing, recording calls, waiting, fault injection.
- ``state``: what the fake remembers (updates, chats, the bot's messages, files).
- ``messages``, ``updates``, ``housekeeping``: the Bot API methods, as mixins over that state.
- ``rules``: Telegram's validation rules — limits, error descriptions.
- ``telegram_html``: the HTML parse mode, ported from tdlib's ``parse_html`` (independent
  of the bot's checker).
- ``decoding``: an HTTP request turned into decoded params and uploads.
- ``records``: :class:`Call` and :class:`UploadedFile`, what tests inspect.
- ``settling``: :func:`settle`, knowing an update was fully processed.
- ``traffic``: Telegram's flood limits and seeded random faults, for the outbox.
"""

from __future__ import annotations

from tests.fakebotapi.records import Call, UploadedFile
from tests.fakebotapi.server import DEFAULT_TOKEN, FakeBotAPI
from tests.fakebotapi.settling import settle

__all__ = ["DEFAULT_TOKEN", "Call", "FakeBotAPI", "UploadedFile", "settle"]
