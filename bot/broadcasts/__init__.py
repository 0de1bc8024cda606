"""Broadcasts and reminders: composing a draft, checking its HTML, previewing, launching,
controlling and reporting. Deliveries go through ``bot.outbox``, which knows nothing of admins."""
