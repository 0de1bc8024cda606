"""The outbox: everything the bot sends that is not the direct reply to an update.

``store`` writes and claims deliveries, ``limiter`` keeps Telegram's limits (direct replies
first), ``lock`` makes one process the sender, ``sender`` drains the outbox, and
``service`` wires it into the running bot. See ``docs/outbox.md``.
"""
