"""Stage 'knowledge' (docs/contracts.md §3)."""
