"""Views of socle.portal: short adapters between HTTP and the portal's modules."""
