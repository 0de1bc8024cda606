"""How the process runs: settings, logs and their privacy filter, i18n, start-up, the heap,
and the sandbox that parses strangers' files. Reaches into no role and no Telegram handler."""
