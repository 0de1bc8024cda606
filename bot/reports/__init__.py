"""What providers see: flow pictures and charts, rendered from plain data off the event loop."""
