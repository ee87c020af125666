"""Directory feed from the academies' AAF exports (see docs/aaf.md)."""
