"""Socle ENT: the identity hub of a French school digital workspace."""

__version__ = "0.1.0"
