"""Stage 'detect' (DESIGN.md §3)."""
