"""The next acts of grassroots innovations (待办)."""


def innovation_sources(context):
    return []
