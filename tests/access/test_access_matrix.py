"""Every URL of the console × every kind of user: the status each one gets.

The matrix is built from the URL resolver, so a new URL without a row here fails the suite.
Every answer to a logged-in user carries `Cache-Control: no-store`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

LOGIN = "login-redirect"
# Who asks: anonymous, viewer of A, editor of A, a user whose grant is on B only, a superuser
# with no grant. Superusers are not let in by default: they grant themselves like anyone else.
WHO = ("anonymous", "viewer_a", "editor_a", "stranger", "superuser")

# url name → (method, kwargs builder, {who: expected status})
_A_READ = {"anonymous": LOGIN, "viewer_a": 200, "editor_a": 200, "stranger": 404, "superuser": 404}


def _a_write(editor_status: int) -> dict:
    """Editing URLs: viewers are refused (403); the editor's answer depends on the request."""
    return {**_A_READ, "viewer_a": 403, "editor_a": editor_status}


def _account(world):
    return {"account_id": world.account_a.account_id}


def _organization(world):
    return {**_account(world), "organization_id": world.fabric.organization_a["_id"]}


def _contract(world, contract):
    return {**_organization(world), "contract_id": contract["_id"]}


def _job(world):
    """A previewed bulk job of account A (one per test: the database is rolled back after each)."""
    from contracts_ui.models import BulkJob

    job, _ = BulkJob.objects.get_or_create(
        account=world.account_a,
        organization_id=world.fabric.organization_a["_id"],
        action="set-status",
        parameters={"status": "ACTIVE"},
    )
    return {**_account(world), "job_id": job.pk}


def _proposal(world):
    """A pending proposal of account A by the editor (so the editor's own decision is refused),
    on a contract id no test writes to; in worlds without users (the escaping test's), by none."""
    from datetime import timedelta

    from django.utils import timezone

    from contracts_ui.models import Proposal

    now = timezone.now()
    proposal, _ = Proposal.objects.get_or_create(
        account=world.account_a,
        kind="edit",
        organization_id=world.fabric.organization_a["_id"],
        contract_ref="0" * 24,
        contract_id="MATRIX-1",
        section="status",
        changes={"status": ["ACTIVE", "INACTIVE"]},
        reason="for the access matrix",
        proposed_by=getattr(world, "editor_a", None),
        proposed_at=now,
        expires_at=now + timedelta(days=7),
    )
    return {**_account(world), "proposal_id": proposal.pk}


MATRIX = {
    "contracts_ui:account-list": (
        "get",
        lambda world, contract: {},
        # One grant: straight into that account; none: the empty list.
        {"anonymous": LOGIN, "viewer_a": 302, "editor_a": 302, "stranger": 302, "superuser": 200},
    ),
    "contracts_ui:organization-list": ("get", lambda world, contract: _account(world), _A_READ),
    "contracts_ui:contract-lookup": ("get", lambda world, contract: _account(world), _A_READ),
    "contracts_ui:price-list-options": ("get", lambda world, contract: _account(world), _A_READ),
    "contracts_ui:contract-list": ("get", lambda world, contract: _organization(world), _A_READ),
    "contracts_ui:contract-detail": (
        "get",
        lambda world, contract: {**_organization(world), "contract_id": contract["_id"]},
        _A_READ,
    ),
    # Insight: exports, timeline, status counts and the radar are reads for viewers and editors.
    "contracts_ui:contract-export-csv": ("get", lambda w, contract: _organization(w), _A_READ),
    "contracts_ui:contract-export-xlsx": ("get", lambda w, contract: _organization(w), _A_READ),
    "contracts_ui:contract-timeline": ("get", lambda w, contract: _organization(w), _A_READ),
    "contracts_ui:contract-status-counts": ("get", lambda w, contract: _organization(w), _A_READ),
    "contracts_ui:expiry-radar": ("get", lambda world, contract: _account(world), _A_READ),
    "contracts_ui:radar-bucket": (
        "get",
        lambda w, contract: {**_account(w), "bucket": "0-30"},
        _A_READ,
    ),
    # Selecting a bucket for a bulk change: editors only.
    "contracts_ui:radar-bucket-bulk": (
        "get",
        lambda w, contract: {**_account(w), "bucket": "0-30"},
        _a_write(200),
    ),
    "contracts_ui:radar-bucket-export": (
        "get",
        lambda world, contract: {**_account(world), "bucket": "expired"},
        _A_READ,
    ),
    "contracts_ui:audit-list": ("get", lambda world, contract: _account(world), _A_READ),
    "contracts_ui:audit-export": ("get", lambda world, contract: _account(world), _A_READ),
    "contracts_ui:contract-history": (
        "get",
        lambda world, contract: {**_organization(world), "contract_id": contract["_id"]},
        _A_READ,
    ),
    "contracts_ui:internal-parties": (
        "get",
        lambda world, contract: _organization(world),
        _A_READ,
    ),
    "contracts_ui:contract-edit": (
        "get",
        lambda world, contract: {**_contract(world, contract), "section": "status"},
        _a_write(200),
    ),
    "contracts_ui:contract-create": (
        "get",
        lambda world, contract: _organization(world),
        _a_write(200),
    ),
    # GET asks for confirmation; the write itself is a POST (tests/views/test_edits.py).
    "contracts_ui:contract-delete": ("get", _contract, _a_write(200)),
    "contracts_ui:contract-restore": ("get", _contract, _a_write(200)),
    # An empty form: the editor gets the form back with its error, nothing is written.
    "contracts_ui:internal-party-link": (
        "post",
        lambda world, contract: _organization(world),
        _a_write(422),
    ),
    # A party that is not linked: fabric's 404, shown in the page.
    "contracts_ui:internal-party-unlink": (
        "post",
        lambda world, contract: {**_organization(world), "internal_party_id": "f" * 24},
        _a_write(404),
    ),
    # Bulk changes: viewers follow jobs; only editors prepare, apply, cancel and retry them.
    "contracts_ui:bulk-jobs": ("get", lambda world, contract: _account(world), _A_READ),
    "contracts_ui:bulk-job": ("get", lambda world, contract: _job(world), _A_READ),
    "contracts_ui:bulk-preview-csv": ("get", lambda world, contract: _job(world), _A_READ),
    # An empty form: the editor gets its errors back (422), nothing is read or queued.
    "contracts_ui:bulk-preview": (
        "post",
        lambda world, contract: _organization(world),
        _a_write(422),
    ),
    # Each answers with the job's page; the viewer's POST reaches no task (tests/bulk/).
    "contracts_ui:bulk-apply": ("post", lambda world, contract: _job(world), _a_write(302)),
    "contracts_ui:bulk-cancel": ("post", lambda world, contract: _job(world), _a_write(302)),
    "contracts_ui:bulk-retry": ("post", lambda world, contract: _job(world), _a_write(302)),
    # Approvals: everyone with a grant reads them; editors decide, never on their own proposal
    # (the editor here proposed it: 403), and only the proposer withdraws.
    "contracts_ui:approval-list": ("get", lambda world, contract: _account(world), _A_READ),
    "contracts_ui:proposal-detail": ("get", lambda world, contract: _proposal(world), _A_READ),
    "contracts_ui:proposal-approve": (
        "post",
        lambda world, contract: _proposal(world),
        _a_write(403),
    ),
    "contracts_ui:proposal-reject": (
        "post",
        lambda world, contract: _proposal(world),
        _a_write(403),
    ),
    "contracts_ui:proposal-withdraw": (
        "post",
        lambda world, contract: _proposal(world),
        _a_write(302),
    ),
    "login": ("get", lambda world, contract: {}, dict.fromkeys(WHO, 200)),
    "logout": ("post", lambda world, contract: {}, dict.fromkeys(WHO, 302)),
    "password_change": (
        "get",
        lambda world, contract: {},
        {**dict.fromkeys(WHO, 200), "anonymous": LOGIN},
    ),
    "password_change_done": (
        "get",
        lambda world, contract: {},
        {**dict.fromkeys(WHO, 200), "anonymous": LOGIN},
    ),
    # Health probes answer anyone, without a login (load balancers have none).
    "health-live": ("get", lambda world, contract: {}, dict.fromkeys(WHO, 200)),
    "health-ready": ("get", lambda world, contract: {}, dict.fromkeys(WHO, 200)),
    # Django's admin guards itself (staff + model permissions); its index stands for the rest.
    "admin:index": (
        "get",
        lambda world, contract: {},
        {**dict.fromkeys(WHO, 302), "superuser": 200},
    ),
}


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_row_in_the_matrix():
    missing = _named_urls(get_resolver()) - set(MATRIX)
    assert not missing, f"URLs without an access-matrix row: {sorted(missing)}"


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access_matrix(client, console_world, contract_a, url_name, who):
    method, kwargs, expected = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs(console_world, contract_a))
    if who != "anonymous":
        client.force_login(getattr(console_world, who))
    response = getattr(client, method)(url)
    want = expected[who]
    if want == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == want, (url, who, response.status_code)
    if who != "anonymous":
        # Nothing a logged-in user is answered, page, error or export, is kept by a cache.
        assert "no-store" in response.get("Cache-Control", ""), (url, who)
    response.close()
