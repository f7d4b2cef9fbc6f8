"""Benchmarks of the pipeline against the floor of DuckDB itself (`make bench`)."""
