"""Status counts per organization: a panel loaded after the contracts page, cached briefly."""

from django.urls import reverse

LIST_PATH = r"/organizations/[0-9a-f]{24}/contracts$"


def _url(world, organization) -> str:
    return reverse(
        "contracts_ui:contract-status-counts",
        kwargs={"account_id": world.account_a.account_id, "organization_id": organization["_id"]},
    )


def test_it_counts_each_status_once_then_serves_from_the_cache(
    viewer_client, console_world, timeline_organization, sandbox
):
    organization, _ = timeline_organization
    sandbox.admin.clear_requests()
    html = viewer_client.get(_url(console_world, organization)).content.decode()
    assert sandbox.admin.request_count(method="GET", path=LIST_PATH) == 3
    for status, count in (("ACTIVE", 4), ("DRAFT", 1), ("INACTIVE", 1), ("total", 6)):
        assert f'data-status="{status}"' in html
        assert f"<dd>{count}</dd>" in html
    partial = viewer_client.get(_url(console_world, organization), headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert sandbox.admin.request_count(method="GET", path=LIST_PATH) == 3


def test_the_contracts_page_loads_the_panel_with_a_plain_link_fallback(
    viewer_client, console_world, timeline_organization
):
    organization, _ = timeline_organization
    page = reverse(
        "contracts_ui:contract-list",
        kwargs={
            "account_id": console_world.account_a.account_id,
            "organization_id": organization["_id"],
        },
    )
    html = viewer_client.get(page).content.decode()
    url = _url(console_world, organization)
    assert f'href="{url}" hx-get="{url}" hx-trigger="load"' in html
