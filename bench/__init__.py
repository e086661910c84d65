"""Benchmarks: scripts that print figures (``python -m bench.NAME``), never timed tests."""
