"""One pager for both kinds of page: a fabric Page and the audit log's Django Page."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from contracts_ui.fabric.types import Page


def fabric_page(offset: int, limit: int, count: int) -> Page:
    return Page(
        items=tuple(range(offset, min(offset + limit, count))),
        offset=offset,
        limit=limit,
        count=count,
    )


def test_a_fabric_page_numbers_itself_as_django_does():
    django_page = Paginator(range(25), 10).page(2)
    page = fabric_page(10, 10, 25)
    assert (page.number, page.num_pages) == (django_page.number, django_page.paginator.num_pages)
    assert page.previous_page_number == django_page.previous_page_number()
    assert page.next_page_number == django_page.next_page_number()


def test_an_empty_result_is_one_page():
    assert (fabric_page(0, 10, 0).number, fabric_page(0, 10, 0).num_pages) == (1, 1)


def test_the_pager_links_and_sums_up_a_fabric_page():
    request = RequestFactory().get("/x", {"status": "ACTIVE", "page": "2"})
    html = render_to_string(
        "contracts_ui/includes/pager.html", {"page": fabric_page(10, 10, 25)}, request=request
    )
    assert "11–20 of 25 · page 2 of 3" in html
    assert 'href="?status=ACTIVE&amp;page=1"' in html
    assert 'href="?status=ACTIVE&amp;page=3"' in html


def test_the_audit_log_pager_says_newer_and_older():
    request = RequestFactory().get("/x", {"page": "2"})
    html = render_to_string(
        "contracts_ui/includes/pager_nav.html",
        {
            "page": Paginator(range(120), 50).page(2),
            "first": 51,
            "last": 100,
            "total": 120,
            "pages": 3,
            "previous_label": "← Newer",
            "next_label": "Older →",
        },
        request=request,
    )
    assert "51–100 of 120 · page 2 of 3" in html
    assert '<a href="?page=1" hx-get="?page=1" hx-push-url="true" rel="prev">← Newer</a>' in html
    assert '<a href="?page=3" hx-get="?page=3" hx-push-url="true" rel="next">Older →</a>' in html
