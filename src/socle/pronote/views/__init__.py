"""Views of the PRONOTE administration pages: short adapters over ``importer``, ``doctor``,
``export``."""
