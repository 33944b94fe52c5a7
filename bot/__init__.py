"""The library around the Rasa model: channels, safety, content, store, staff tools."""
