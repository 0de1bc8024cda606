"""The generated test set of document photos: made-up firms and people, phone-photo degraded."""
