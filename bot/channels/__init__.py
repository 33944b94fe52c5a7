"""Input channels: how messages reach the Rasa server, validated and made safe."""
