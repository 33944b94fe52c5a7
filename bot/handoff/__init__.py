"""Hand-off to a person: staff alerts, the wait timer and resuming the bot."""
