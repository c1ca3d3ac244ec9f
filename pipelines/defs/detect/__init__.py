"""Stage 'detect' (docs/contracts.md §3)."""
