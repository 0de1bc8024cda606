"""Sellers' questions: the FAQ a cohort is answered from, and the provider's own entries."""
