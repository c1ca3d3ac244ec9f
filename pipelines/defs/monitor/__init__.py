"""Stage 'monitor' (docs/contracts.md §3)."""
