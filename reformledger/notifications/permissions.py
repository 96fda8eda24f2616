"""Who may open which notice pages.

A notice is its recipient's alone: the pages load it through `notifications_of`, so
anyone else's is a 404, and no role opens another person's notices.
"""
