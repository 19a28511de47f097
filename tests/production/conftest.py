"""The views' logged-in clients and cold cache, for the production tests that drive pages."""

from tests.views.conftest import cold_cache, editor_client

__all__ = ["cold_cache", "editor_client"]
