"""Content the bot delivers (exercises, questionnaires), kept as YAML with loaders.

Content is data so that counsellors can review and change it without reading
Python; each loader validates its files at start-up and names the file and the
field in every error.
"""
