"""Stage 'monitor' (DESIGN.md §3)."""
