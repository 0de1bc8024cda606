"""The seller's conversation in a private chat: the store that runs one update as one short
transaction, the handlers that translate updates into flow answers, and what only sellers use."""
