"""Clients for outside services the bot may consult; each one optional and failing soft."""
