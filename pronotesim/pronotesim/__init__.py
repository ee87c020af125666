"""pronotesim: a stand-in for Index Education's PRONOTE.net, for Socle's demos and e2e tests.

A separate Django project: it imports nothing from ``socle``.
"""
