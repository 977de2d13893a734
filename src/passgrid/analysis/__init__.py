"""Analysis: pass@k, intervals, fits and forecasts, costs, selection. Reads verdicts as data; never imports execution."""
