"""Execution: every sample against its tests, untrusted code in a sandbox, verdicts made and cached by the trusted side."""
