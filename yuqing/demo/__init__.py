"""Simulated public sources for `yuqing demo`, crawler tests and benchmarks (see sites.start_sites)."""
