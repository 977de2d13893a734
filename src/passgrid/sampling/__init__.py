"""Sampling: prompts, code extraction, seeds, and drawing a budget resumably with a backend."""
