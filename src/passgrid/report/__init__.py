"""The static HTML report: figures, readings, tables."""
