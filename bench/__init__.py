"""Benchmarks (``python -m bench NAME``) and the synthetic data generator."""
