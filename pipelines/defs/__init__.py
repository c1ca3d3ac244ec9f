"""Dagster assets, checks, schedules and sensors, one folder per stage (docs/contracts.md §3)."""
