"""The console's only way to fabric's Customer API: typed operations, records and errors.

Callers write `from contracts_ui import fabric` and use `fabric.list_contracts(...)`,
`except fabric.FabricUnavailable`.
"""

from contracts_ui.fabric.ahead import Ahead, Awaited
from contracts_ui.fabric.client import (
    fabric_request,
    forget_token,
    lookup_cache_key,
    obtain_token,
)
from contracts_ui.fabric.context import current_request_id
from contracts_ui.fabric.contracts import (
    create_contract,
    delete_contract,
    get_contract,
    list_contracts,
    patch_contract,
    restore_contract,
    search_contracts,
    update_contract,
)
from contracts_ui.fabric.errors import (
    FabricAuthError,
    FabricBadResponse,
    FabricConflict,
    FabricError,
    FabricNotFound,
    FabricNotSupported,
    FabricPermissionDenied,
    FabricRateLimited,
    FabricTimeout,
    FabricUnavailable,
    FabricValidationError,
    FabricWalkTimeout,
)
from contracts_ui.fabric.internal_parties import (
    link_internal_party,
    list_internal_parties,
    list_internal_party_links,
    unlink_internal_party,
)
from contracts_ui.fabric.organizations import get_organization, list_organizations
from contracts_ui.fabric.price_lists import get_price_list, get_price_lists, list_price_lists
from contracts_ui.fabric.types import (
    CONTRACT_STATUSES,
    MAX_PAGE_SIZE,
    Contract,
    ContractQuery,
    FabricTenant,
    InternalParty,
    InternalPartyLink,
    Organization,
    Page,
    Party,
    PriceList,
    PriceListLink,
)
from contracts_ui.fabric.walks import in_parallel, paced, walk, walk_deadline

__all__ = [
    "CONTRACT_STATUSES",
    "MAX_PAGE_SIZE",
    "Ahead",
    "Awaited",
    "Contract",
    "ContractQuery",
    "FabricAuthError",
    "FabricBadResponse",
    "FabricConflict",
    "FabricError",
    "FabricNotFound",
    "FabricNotSupported",
    "FabricPermissionDenied",
    "FabricRateLimited",
    "FabricTenant",
    "FabricTimeout",
    "FabricUnavailable",
    "FabricValidationError",
    "FabricWalkTimeout",
    "InternalParty",
    "InternalPartyLink",
    "Organization",
    "Page",
    "Party",
    "PriceList",
    "PriceListLink",
    "create_contract",
    "current_request_id",
    "delete_contract",
    "fabric_request",
    "forget_token",
    "get_contract",
    "get_organization",
    "get_price_list",
    "get_price_lists",
    "in_parallel",
    "link_internal_party",
    "list_contracts",
    "list_internal_parties",
    "list_internal_party_links",
    "list_organizations",
    "list_price_lists",
    "lookup_cache_key",
    "obtain_token",
    "paced",
    "patch_contract",
    "restore_contract",
    "search_contracts",
    "unlink_internal_party",
    "update_contract",
    "walk",
    "walk_deadline",
]
