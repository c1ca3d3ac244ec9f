"""Stage 'reconcile' (docs/contracts.md §3)."""
