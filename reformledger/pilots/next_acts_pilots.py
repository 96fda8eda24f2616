"""The next acts of pilots (待办)."""


def pilot_sources(context):
    return []
