"""Stage 'normalise' (docs/contracts.md §3)."""
