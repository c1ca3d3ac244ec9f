"""Stage 'classify' (docs/contracts.md §3)."""
