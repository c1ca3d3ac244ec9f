"""Stage 'reconcile' (DESIGN.md §3)."""
