import pytest
from django.core.cache import cache


@pytest.fixture
def viewer_client(client, console_world):
    client.force_login(console_world.viewer_a)
    return client


@pytest.fixture
def editor_client(client, console_world):
    client.force_login(console_world.editor_a)
    return client


@pytest.fixture
def cold_cache():
    """Start with no cached tokens or look-ups, so fabric call counts are predictable."""
    cache.clear()
    yield
    cache.clear()
