"""The onboarding domain: markets, tracks, steps, validators and the flow engine.

Nothing here imports Telegram or the database; ``bot/`` adapts both to it.
"""
