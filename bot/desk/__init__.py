"""The review desk: a Mini App where admins see their queue and decide (docs/providers.md)."""
