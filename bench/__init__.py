"""Benchmarks: run as scripts (python -m bench.NAME); they print ratios, never assert."""
