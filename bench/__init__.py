"""Benchmarks (DESIGN.md §5): run on demand with `python -m bench` or `make bench`,
against whatever DATABASE_URL names; never part of the test run."""
