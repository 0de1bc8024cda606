"""What every role shares with Telegram: the typed context, per-seller ordering, retries,
update shape and redelivery, the web server, keyboards, rendering, long texts, downloads,
button checks and the error handler. Reaches into no role."""
