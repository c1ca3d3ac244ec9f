"""Classification: AI Act class, DPIA required, IAMA recommended and publication category per system.

- ``rulebook``: the rules in ``transforms/rules/*.yaml`` and helpers to apply them;
- ``systems``: classification of systems and of free texts, DPIA register matching;
- ``table``: detection and classification of any table of descriptions (``aigrip classify``).
"""
