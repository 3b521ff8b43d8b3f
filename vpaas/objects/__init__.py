"""API object, enum and filter declarations (registered on import)."""
