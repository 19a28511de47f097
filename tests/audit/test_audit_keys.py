"""The ledger's key: its own, required in production, never the development one; old keys kept
for verifying after a rotation."""

import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "console" / "settings.py"
SECRET = "a-production-secret-for-this-test-only-" + "x" * 20


def _settings(monkeypatch, **environment: str) -> dict:
    monkeypatch.setenv("DEBUG", "false")
    monkeypatch.setenv("SECRET_KEY", SECRET)
    for name in ("AUDIT_KEY", "AUDIT_KEY_ID", "AUDIT_OLD_KEYS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_production_needs_its_own_audit_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEY must be set"):
        _settings(monkeypatch)
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEY must be set"):
        _settings(monkeypatch, AUDIT_KEY="dev-only-not-secret-audit-ledger-key")
    with pytest.raises(ImproperlyConfigured, match="must differ from SECRET_KEY"):
        _settings(monkeypatch, AUDIT_KEY=SECRET)


def test_a_rotation_keeps_the_old_key_for_verifying(monkeypatch):
    production = _settings(
        monkeypatch, AUDIT_KEY="key-two-" + "y" * 30, AUDIT_KEY_ID="2", AUDIT_OLD_KEYS="1=key-one"
    )
    assert production["AUDIT_KEY_ID"] == "2"
    assert production["AUDIT_KEYS"] == {"1": "key-one", "2": "key-two-" + "y" * 30}


@pytest.mark.parametrize(
    ("environment", "error"),
    [
        ({"AUDIT_OLD_KEYS": "1=another-key"}, "a new key needs a new id"),
        ({"AUDIT_OLD_KEYS": "just-a-key"}, "id=key pairs"),
        ({"AUDIT_KEY_ID": "two words"}, "AUDIT_KEY_ID must be"),
    ],
)
def test_a_muddled_key_configuration_is_refused(monkeypatch, environment, error):
    with pytest.raises(ImproperlyConfigured, match=error):
        _settings(monkeypatch, AUDIT_KEY="key-one-" + "z" * 30, **environment)
