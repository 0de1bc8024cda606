"""Sellers' questions: answered from the FAQ (built-in entries and the provider's own),
or by their provider through a ticket."""
