"""Sellers' questions: answered from the FAQ, or by their provider through a ticket."""
