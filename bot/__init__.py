"""Telegram and database adapters around the onboarding domain in ``flows/``."""
