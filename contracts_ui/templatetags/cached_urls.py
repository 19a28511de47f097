"""`{% url %}` as Django writes it, each URL worked out once per process.

A builtin of the console's templates (settings.TEMPLATES), so every `{% url %}` is this one.
reverse() costs 10-16 µs a call here (it reads the script prefix, the urlconf and the language
from asgiref's thread locals on the way), and a contracts page asked it for the same sixteen
URLs on every load. A URL depends only on its view name and arguments, the current app, the
script prefix and the urlconf: with all of them as the key, a remembered URL is the one
reverse() would give.
"""

from functools import lru_cache

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

# Distinct URLs kept per process: the pages' own links, and per-contract ones as they come.
URLS_KEPT = 4096


@lru_cache(maxsize=URLS_KEPT)
def cached_reverse(
    view_name: str, args: tuple, kwargs: tuple, current_app, script_prefix: str, urlconf
) -> str:
    """reverse(), remembered; `script_prefix` is in the key only (reverse() reads its own)."""
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


def reverse_url(view_name: str, args: tuple = (), kwargs: tuple = (), current_app=None) -> str:
    """reverse(), worked out once per process; `kwargs` as (name, value) pairs. For Python
    code that writes links on a hot path (the contracts table's rows) as the tag does."""
    key = (view_name, args, kwargs, current_app, get_script_prefix(), get_urlconf())
    try:
        hash(key)
    except TypeError:  # an argument that cannot be a key: reverse() each time
        return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)
    return cached_reverse(*key)


class CachedURLNode(URLNode):
    def render(self, context) -> str:
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((key, value.resolve(context)) for key, value in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reverse_url(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token) -> CachedURLNode:
    """Django's {% url %}, same syntax and answer (CachedURLNode)."""
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
