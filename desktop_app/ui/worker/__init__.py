"""The background worker: an asyncio loop on a QThread that owns the clients and emits immutable updates."""
