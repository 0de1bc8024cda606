"""Error reports to Sentry (``SENTRY_DSN``), under the same privacy rules as the logs.

Imported only when a DSN is set (``bot.runner``). A report leaves the process only through ``scrub``
(Sentry's ``before_send``), which applies the log rules (``bot.platform.log_privacy``,
``bot.platform.logs.redact``) to the event:

- exception messages only of types that describe a failure, not data (else withheld);
- stack frames keep file, function, line and source, never local variables;
- no request, user, breadcrumbs, extra data or log message; tags only from fixed sets
  (the update's kind, the handler, the outcome);
- every string left is redacted (tokens, phone and identity numbers, e-mails).

Only what the bot reports itself is sent (``bot.platform.error_reports.report``: the
error handler's bugs and database outages): Sentry's default and auto-enabled
integrations stay off, so no library is patched and nothing is collected behind the
bot's back.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping
from typing import Any

import sentry_sdk

from bot.platform.error_reports import switch_on
from bot.platform.log_privacy import WITHHELD, exception_chain, safe_message
from bot.platform.logs import redact
from bot.platform.update_trace import CURRENT

__all__ = ["scrub", "start_sentry", "stop_sentry"]

_DROPPED = ("request", "user", "extra", "breadcrumbs", "logentry", "message", "server_name")


def start_sentry(dsn: str, *, environment: str, transport: Any = None) -> None:
    """Send reports to ``dsn`` from now on (``transport``: a test's stand-in for the network)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=f"shop-onboarding-bot@{importlib.metadata.version('shop-onboarding-bot')}",
        before_send=scrub,
        transport=transport,
        default_integrations=False,
        auto_enabling_integrations=False,
        max_breadcrumbs=0,
        auto_session_tracking=False,
        data_collection={
            "user_info": False,
            "stack_frame_variables": False,
            "database_query_data": False,
        },
    )
    switch_on(_capture)


def stop_sentry() -> None:
    """No more reports: flush what is queued and close the client."""
    switch_on(None)
    sentry_sdk.get_client().close()


def _capture(error: BaseException) -> None:
    """One event for ``error``, tagged with the update's kind, handler and outcome."""
    trace = CURRENT.get()
    with sentry_sdk.new_scope() as scope:
        if trace is not None:
            scope.set_tag("update_kind", trace.kind)
            scope.set_tag("handler", trace.handler or "none")
            scope.set_tag("outcome", trace.outcome)
        sentry_sdk.capture_exception(error)


def scrub(event: Any, hint: Mapping[str, Any]) -> Any:
    """The event with nothing a seller typed or Telegram reported in it (module doc)."""
    error = (hint.get("exc_info") or (None, None, None))[1]
    messages = {
        (type(older).__module__, type(older).__name__): safe_message(older)
        for older, _ in (exception_chain(error) if error is not None else [])
    }
    for value in (event.get("exception") or {}).get("values") or []:
        key = (value.get("module") or "builtins", value.get("type"))
        value["value"] = messages.get(key, WITHHELD)
        for frame in (value.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for name in _DROPPED:
        event.pop(name, None)
    return _redacted(event)


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value
