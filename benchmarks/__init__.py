"""Benchmark scripts and the code only they need (not part of the installed package)."""
