"""Custom actions for the Rasa action server, one module per concern.

Actions stay thin: they read the tracker, call `bot/`, and dispatch.
"""
