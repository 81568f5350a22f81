"""Benchmarks a person can run (``make bench``); never timed assertions in tests."""
