"""The grid: Hydra composition, the config schema with what each field changes, ids, paths and the cost preview.

The top of the package beside the steps: it assembles the schema from the plugins' declarations
(sampling backends, dataset sources); no phase imports it.
"""
