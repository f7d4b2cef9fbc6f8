"""`python -m pipelines.cli`, the same process as the `evstats` console script."""

from pipelines.cli import entry

entry()
