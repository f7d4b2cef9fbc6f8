"""Pure logic of the pipeline: no Dagster imports, so every piece is tested directly."""
