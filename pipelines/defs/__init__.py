"""Dagster assets, checks, schedules and sensors, one folder per stage (DESIGN.md §3)."""
