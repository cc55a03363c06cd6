"""FieldKit: an offline-first desktop kit for commune teams filing dossiers on the public-service portal."""

__version__ = "0.1.0"
