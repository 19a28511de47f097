"""System checks (`manage.py check`, and every command that runs them) on how settings combine;
registered in apps.py."""

from django.conf import settings
from django.core.checks import Warning

# A run is handed on at least two thirds of BULK_STALE_SECONDS after its worker's last report
# (the heartbeat is renewed every third of it); a killed worker's write already sent can still
# reach fabric up to FABRIC_DEADLINE after it left.
_STALE_OVER_DEADLINE = 1.5


def bulk_handover_after_writes_in_flight(app_configs, **kwargs) -> list[Warning]:
    """Without a shared cache, nothing but time keeps a bulk job's next run from writing a
    contract that its killed worker's last write is still on its way to: with Redis, that
    contract's lock outlives the worker (contracts_ui/locks.py) and the next run waits for it."""
    if settings.SHARED_CACHE:
        return []
    stale, deadline = settings.BULK_STALE_SECONDS, settings.FABRIC_DEADLINE
    if stale >= _STALE_OVER_DEADLINE * deadline:
        return []
    return [
        Warning(
            f"BULK_STALE_SECONDS ({stale}) is under {_STALE_OVER_DEADLINE} × FABRIC_DEADLINE "
            f"({deadline:g}) and the cache is not shared.",
            hint=(
                "A killed task worker's write still in flight could reach fabric after its bulk "
                "job was handed on, and that contract be written twice. Raise "
                f"BULK_STALE_SECONDS to at least {_STALE_OVER_DEADLINE * deadline:g}, or set "
                "CACHE_URL to a Redis shared by every console process."
            ),
            id="contracts_ui.W001",
        )
    ]
