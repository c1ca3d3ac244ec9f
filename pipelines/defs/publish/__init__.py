"""Stage 'publish' (docs/contracts.md §3)."""
