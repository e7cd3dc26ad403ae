"""The HTTP API (FastAPI), versioned under /api/v1."""

from shequn.api.app import create_app

__all__ = ["create_app"]
