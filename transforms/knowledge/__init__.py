"""Knowledge: what other organisations publish, and who we are in it.

``kb`` builds the two-level knowledge base (kinds of system holding products) from peer register
entries, with the grouping rules in ``kinds``; ``organisations`` gives every organisation its code
(CBS gm-code for municipalities); ``own_entries`` finds our own published entries.
"""
