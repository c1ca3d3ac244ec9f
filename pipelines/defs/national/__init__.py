"""Stage 'national': the national picture (docs/national.md)."""
