"""The response-rate roll-ups: kept live from events (live.py), rebuilt from the messages (rebuild.py)."""
