"""Normalising: raw source rows into the common ``mentions`` shape (``mentions``)."""
