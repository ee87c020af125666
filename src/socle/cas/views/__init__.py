"""CAS views: short adapters between HTTP and ``socle.cas.validation`` / ``socle.cas.sso``."""
