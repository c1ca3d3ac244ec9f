"""Helpers for the end-to-end browser test of the reviewers' workflow (tests/test_browser.py)."""
