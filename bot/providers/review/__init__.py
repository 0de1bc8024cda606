"""Review (审核): what reviewers see, the conditional decision, and the notices both ways."""
