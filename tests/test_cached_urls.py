"""{% url %} in the console's templates (templatetags/cached_urls.py): Django's answer, each URL
worked out once per process."""

import pytest
from django.template import Context, Engine, engines
from django.urls import NoReverseMatch, reverse, set_script_prefix

from contracts_ui.templatetags import cached_urls

ACCOUNT, ORGANIZATION = "a1" * 12, "b2" * 12


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.fixture(autouse=True)
def forgetting():
    cached_urls.cached_reverse.cache_clear()
    yield
    cached_urls.cached_reverse.cache_clear()
    set_script_prefix("/")


def test_it_is_the_url_tag_of_every_template():
    assert render("{% url 'contracts_ui:account-list' %}") == reverse("contracts_ui:account-list")
    assert cached_urls.cached_reverse.cache_info().currsize == 1


def test_it_answers_as_reverse_and_asks_it_once():
    source = "{% url 'contracts_ui:contract-timeline' account org %}"
    expected = reverse("contracts_ui:contract-timeline", args=[ACCOUNT, ORGANIZATION])
    for _ in range(3):
        assert render(source, account=ACCOUNT, org=ORGANIZATION) == expected
    assert cached_urls.cached_reverse.cache_info().misses == 1
    other = render(source, account=ACCOUNT, org="c3" * 12)
    assert other == reverse("contracts_ui:contract-timeline", args=[ACCOUNT, "c3" * 12])


def test_keyword_arguments_and_as_var():
    source = "{% url 'contracts_ui:organization-list' account_id=account as link %}[{{ link }}]"
    expected = reverse("contracts_ui:organization-list", kwargs={"account_id": ACCOUNT})
    assert render(source, account=ACCOUNT) == f"[{expected}]"


def test_an_argument_is_quoted_and_the_url_escaped_as_django_does():
    odd = 'a"b<c>&d'
    source = "{% url 'contracts_ui:contract-timeline' account org %}"
    ours = render(source, account=ACCOUNT, org=odd)
    django_engine = Engine()  # Django's own builtins, without the console's
    theirs = django_engine.from_string(source).render(Context({"account": ACCOUNT, "org": odd}))
    assert ours == theirs


def test_no_match_raises_unless_as_var():
    with pytest.raises(NoReverseMatch):
        render("{% url 'contracts_ui:contract-timeline' %}")
    assert render("{% url 'contracts_ui:contract-timeline' as link %}[{{ link }}]") == "[]"


def test_the_script_prefix_is_part_of_the_key():
    source = "{% url 'contracts_ui:account-list' %}"
    assert render(source) == "/"
    set_script_prefix("/console/")
    assert render(source) == "/console/"


def test_an_argument_that_cannot_be_a_key_is_reversed_each_time():
    class Unhashable(str):
        __hash__ = None

    source = "{% url 'contracts_ui:organization-list' account %}"
    assert render(source, account=Unhashable(ACCOUNT)) == reverse(
        "contracts_ui:organization-list", args=[ACCOUNT]
    )
    assert cached_urls.cached_reverse.cache_info().currsize == 0
