"""Crisis safety: rule-based detection, the Rasa NLU component and policy, contacts.

Modules (import what you need; only `component` and `policy` import Rasa):
- categories: the shared vocabulary (categories, severities, crisis intents)
- resources:  crisis contacts per region and age group, and the channel payload
- detector:   `CrisisDetector` - spaCy Matcher rules from patterns/*.yml
- component:  `CrisisDetectorComponent` - the Rasa NLU component
- policy:     `CrisisPolicy` - the Rasa policy that makes crisis support win
- evaluation: `python -m bot safety-eval`
"""
