"""Helpers shared by the custom actions: reading the user's profile from slots."""
