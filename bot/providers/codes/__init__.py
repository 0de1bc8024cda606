"""Invite codes (邀请码), in one place: the store, code files, guessing limits, commands."""
