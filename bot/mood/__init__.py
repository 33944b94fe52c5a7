"""Mood check-ins and trends: reading scores and feelings, comparing, the chart and its words.

Pure functions over plain data; actions/mood.py and actions/questionnaires.py
read the tracker and the store and call into here. Wording lives in
wording.yml so that counsellors can review it.
"""
