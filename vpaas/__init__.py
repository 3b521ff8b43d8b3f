"""vpaas: a self-hosted video platform that speaks the Kaltura API v3."""

__version__ = "0.1.0"
