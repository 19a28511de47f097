"""List pages within the page size each account's fabric accepts.

fabric does not document its largest `limit`. The client asks for no more than the account's
known maximum (found by fabric_doctor, or learned here), and when fabric refuses a page size
with a 400 it asks again with a smaller one and remembers that size for the account.
"""

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.core.cache import cache

from contracts_ui.cache import near
from contracts_ui.fabric.client import api_base_url, fabric_request
from contracts_ui.fabric.errors import FabricValidationError
from contracts_ui.fabric.types import FabricTenant, Page

# A learned limit is kept a day: long enough to stop refusals, short enough to notice a raise.
_LEARNED_SECONDS = 24 * 3600
_NUMBER = re.compile(r"\d+")
# Every list call reads the learned limit; another process's lesson may arrive seconds late, as
# one more refusal there would teach it.
near("fabric:page-limit:", 10)


def _learned_key(tenant: FabricTenant) -> str:
    digest = hashlib.sha256(f"{api_base_url(tenant)}\0{tenant.account_id}".encode()).hexdigest()
    return f"fabric:page-limit:v1:{tenant.account_id}:{digest[:32]}"


def learned_page_size(tenant: FabricTenant) -> int | None:
    """The largest page size this account's fabric was seen to accept after a refusal."""
    return cache.get(_learned_key(tenant))


def forget_page_size(tenant: FabricTenant) -> None:
    """Forget a learned page size (after fabric_doctor measured the real one)."""
    cache.delete(_learned_key(tenant))


def page_size_for(tenant: FabricTenant, requested: int) -> int:
    """`requested`, cut to the account's known and learned maximums."""
    limits = [requested, tenant.max_page_size, learned_page_size(tenant)]
    return max(1, min(limit for limit in limits if limit))


def is_page_size_refusal(error: FabricValidationError) -> bool:
    """A 400 that names `limit`: as a field error, or in its message."""
    if any(field.lower() == "limit" for field in error.field_errors):
        return True
    texts = [error.message, *error.non_field_errors]
    return any(re.search(r"\blimit\b", text, re.IGNORECASE) for text in texts)


def smaller_page_size(error: FabricValidationError, refused: int) -> int:
    """The largest number below `refused` that the error names (`must be between 1 and 50`),
    else half of `refused`."""
    texts = [error.message, *error.non_field_errors]
    texts += [text for messages in error.field_errors.values() for text in messages]
    named = [int(n) for text in texts for n in _NUMBER.findall(text) if 1 <= int(n) < refused]
    return max(named) if named else max(1, refused // 2)


def fetch_page[T](
    tenant: FabricTenant,
    path: str,
    item: Callable[[Mapping], T],
    *,
    params: Mapping[str, Any],
    offset: int,
    limit: int,
    service: str = "data-customer",
) -> Page[T]:
    """One page of a fabric list, at the largest page size up to `limit` that fabric accepts."""
    size = page_size_for(tenant, limit)
    while True:
        try:
            return fabric_request(
                tenant,
                "GET",
                path,
                params={**params, "offset": offset, "limit": size},
                service=service,
                parse=lambda data, size=size: Page.from_api(data, item, offset=offset, limit=size),
            )
        except FabricValidationError as error:
            if size <= 1 or not is_page_size_refusal(error):
                raise
            size = smaller_page_size(error, size)
            cache.set(_learned_key(tenant), size, _LEARNED_SECONDS)
