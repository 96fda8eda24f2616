"""The API's JSON parser: DRF's, with a limit on how deep a body may nest.

Python's json module recurses once per level: a body of a few hundred kilobytes of
`[[[[…` would end in a RecursionError (a 500) and, below that, costs work for
nothing. No body of this API nests more than a few levels, so anything deeper than
RL_API_JSON_MAX_DEPTH is a 400 saying so.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: Used when the setting is absent.
DEFAULT_MAX_DEPTH = 32


def max_depth() -> int:
    return int(getattr(settings, "RL_API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def depth_of(value) -> int:
    """How deeply `value` (parsed JSON) nests: 0 for a scalar, 1 for a flat list or
    object. Walked without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser that refuses a body nested deeper than the limit."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_depth()
        too_deep = _("The JSON body nests deeper than %(limit)s levels.") % {"limit": limit}
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(too_deep) from exc
        if depth_of(data) > limit:
            raise ParseError(too_deep)
        return data
