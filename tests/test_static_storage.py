"""Production's static files storage (console/storage.py): whitenoise's hashed URLs, each worked
out once per process."""

from unittest import mock

import pytest
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

from console.storage import StaticFilesStorage


@pytest.fixture
def collected(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "console.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return tmp_path


def test_urls_are_whitenoises_hashed_ones_and_read_once(collected):
    ours, theirs = StaticFilesStorage(), CompressedManifestStaticFilesStorage()
    name, other = "contracts_ui/console.css", "contracts_ui/console.js"
    expected, expected_other = theirs.url(name), theirs.url(other)
    assert expected != f"/static/{name}"  # hashed, from the manifest
    with mock.patch.object(
        CompressedManifestStaticFilesStorage, "url", autospec=True, side_effect=theirs.url.__func__
    ) as looked_up:
        assert [ours.url(name) for _ in range(3)] == [expected] * 3
        assert looked_up.call_count == 1
        assert ours.url(other) == expected_other
        assert looked_up.call_count == 2


def test_a_file_missing_from_the_manifest_still_fails_each_time(collected):
    ours = StaticFilesStorage()
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("contracts_ui/no-such-file.css")
