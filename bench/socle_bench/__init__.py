"""Socle's benchmark harness (``make bench``): servers side by side, driven by wrk."""
