"""Stage 'normalise' (DESIGN.md §3)."""
