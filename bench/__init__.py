"""Benchmarks, run by `make bench`. Each prints ratios against a baseline measured in the same
run, so the numbers mean the same on a fast or a slow machine."""
