"""Stage 'classify' (DESIGN.md §3)."""
