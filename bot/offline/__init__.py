"""The bot without Telegram: the terminal demo and the in-process Bot API it (and the
benchmarks) run the real ``Application`` against."""
