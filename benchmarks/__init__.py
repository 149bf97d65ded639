"""Reproducible performance measurements of Goldset, each next to its target (issue 8).

`python -m benchmarks [--quick] [--out FILE.json]` generates its own data (seeded, in a
temporary folder), runs every measurement, prints a table and writes the figures as JSON.
See benchmarks/README.md.
"""
