"""Reading a person's next acts (待办) as they see them: the landing page their role
opens on after signing in (`/` and its redirect), its panel of acts by kind, and the
count in the navigation."""

from dataclasses import dataclass

import lxml.html
from django.urls import reverse


@dataclass
class Landing:
    """What the landing page shows: the page it landed on, the rows of each kind (their
    text), the panel's total and the navigation's count."""

    path: str
    kinds: dict[str, list[str]]
    links: dict[str, list[str]]
    total: int
    nav_count: int

    def rows(self, kind: str) -> str:
        """Every row of `kind` as one text ("" when the kind shows nothing)."""
        return " | ".join(self.kinds.get(kind, []))


def in_english(client):
    """The client reads the pages in English (the words tests look for)."""
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def landing(client, url: str | None = None) -> Landing:
    """Open the site as a person does after signing in (or `url`), in English, and read
    the next acts off the page."""
    if not getattr(client, "_rl_english", False):
        in_english(client)
        client._rl_english = True
    response = client.get(url or reverse("web:home"), follow=True)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    kinds: dict[str, list[str]] = {}
    links: dict[str, list[str]] = {}
    for group in doc.xpath('//*[@data-testid="next-act-group"]'):
        rows = group.xpath('.//li[@data-testid="next-act"]')
        kinds[group.get("data-kind")] = [" ".join(r.text_content().split()) for r in rows]
        links[group.get("data-kind")] = [r.xpath(".//a/@href")[0] for r in rows]
    panel = doc.xpath('//*[@data-testid="next-acts"]')
    badge = doc.xpath('//*[@data-testid="next-acts-count"]')
    return Landing(
        path=response.request["PATH_INFO"],
        kinds=kinds,
        links=links,
        total=int(panel[0].get("data-total")) if panel else 0,
        nav_count=int(badge[0].text_content()) if badge else 0,
    )
