"""Login throttling: guessing stops after five wrong passwords for one user from one address,
for a cool-off only; every attempt, success or failure, is logged and recorded."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse
from django.utils import timezone

ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.20"


@pytest.fixture
def alice(console_world):
    return console_world.editor_a


def log_in(client, password: str, address: str = ATTACKER, username: str = "alice"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def guess(client, times: int, address: str = ATTACKER) -> list[int]:
    return [log_in(client, f"guess-{n}", address).status_code for n in range(times)]


def test_the_fifth_wrong_password_locks_out_that_user_from_that_address(client, alice):
    assert guess(client, 5) == [200, 200, 200, 200, 429]
    locked = log_in(client, "pw-alice-1")
    assert locked.status_code == 429
    assert b"Too many login attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_the_user_can_still_log_in_from_another_address(client, alice):
    guess(client, 5)
    assert log_in(client, "pw-alice-1", COLLEAGUE).status_code == 302


def test_other_users_from_the_same_address_are_not_locked_out(client, console_world):
    guess(client, 5)
    assert log_in(client, "pw-fiona-1", username="fiona").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, alice, settings):
    guess(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    assert log_in(client, "pw-alice-1").status_code == 302


def test_a_successful_login_clears_the_count(client, alice):
    guess(client, 4)
    assert log_in(client, "pw-alice-1").status_code == 302
    client.logout()
    assert guess(client, 4) == [200] * 4


def test_every_attempt_is_logged_with_user_and_address(client, alice, caplog):
    with caplog.at_level(logging.INFO, logger="contracts_ui.logins"):
        log_in(client, "wrong-one")
        log_in(client, "pw-alice-1")
        log_in(client, "anything", username="no-such-person")
    logged = [
        (r.event, r.user, r.client_ip) for r in caplog.records if r.name == "contracts_ui.logins"
    ]
    assert logged == [
        ("login.failed", "alice", ATTACKER),
        ("login.succeeded", "alice", ATTACKER),
        ("login.failed", "(unknown user)", ATTACKER),
    ]


def test_attempts_are_kept_in_the_shared_database(client, alice):
    log_in(client, "wrong-one")
    log_in(client, "pw-alice-1")
    assert AccessLog.objects.filter(username="alice", ip_address=ATTACKER).count() == 1
    assert AccessAttempt.objects.count() == 0  # reset by the success


def test_the_cool_off_is_short_enough_not_to_lock_anyone_out_for_good(settings):
    assert timedelta(0) < settings.AXES_COOLOFF_TIME <= timedelta(hours=1)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
