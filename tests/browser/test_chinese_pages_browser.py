"""Every demo role reads its pages in Chinese: no English word, no raw code.

Each role signs in (with its authenticator code where the role needs one), opens
every page its navigation and its home page link to — one of each kind — and a
sample of detail pages (a task with its history and every tab, an order, an action
item, meetings, the audit trail and its records, the dashboard, the staleness and
import pages). Each page's visible text is read in the browser; a Latin word outside
a short list (formats, units of measure, unit and task codes such as HZ-FGJ or
2016-001, file names, hashes) or a raw code (in_progress, task.created, None, True)
fails the test, with the role, the page and the text it stands in. The page fixture
checks the contrast of each page as well.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reformledger.assessment.models import Appeal, Card
from reformledger.audit.models import AuditRecord
from reformledger.demo.data import DEMO_PASSWORD
from reformledger.evaluation.models import Evaluation
from reformledger.ledger.models import Task
from reformledger.supervision.models import (
    ActionItem,
    LeadingGroupMeeting,
    SupervisionMeeting,
    SupervisionOrder,
)
from tests.browser.quality import VISIBLE_TEXT, foreign_words
from tests.browser.signin import sign_in

pytestmark = pytest.mark.browser

#: The demo's roles (README "Demo logins").
ROLES = (
    "office",
    "director",
    "deputy",
    "huiyang",
    "huiyang_head",
    "hy_office",
    "hy_director",
    "fgj",
    "fgj_head",
    "leader",
    "evaluator",
    "sysadmin",
    "auditor",
    "secadmin",
)
#: Links that are no page to read: downloads, sign-out, the language switch, the API
#: (its Swagger UI is for developers) and the inside of Django's administration.
SKIP = re.compile(
    r"^/(logout|i18n|api)/|^/admin/.+|\.(xlsx|csv|docx|pdf)$|/(word|minutes|files?|evidence)/"
)
#: Pages that list accounts (an evaluation team's members among them), where account
#: names (office, fgj_head) are names.
ACCOUNT_PAGES = ("/audit/", "/account/", "/admin/", "/evaluation/teams/")


def kind_of(path: str) -> str:
    """One page of each kind: /ledger/tasks/12/ and /ledger/tasks/13/ are one kind."""
    return re.sub(r"\d+", "N", path)


def samples(role: str) -> list[str]:
    """Detail pages each role is shown besides what its pages link to."""
    task = Task.objects.get(code="2016-011", year=2016, office__code="HZ-GGB")
    huiyang_task = Task.objects.filter(year=2016, lead_unit__name__contains="惠阳").first()
    order = SupervisionOrder.objects.order_by("pk").first()
    item = ActionItem.objects.order_by("pk").first()
    office = [
        reverse("ledger:task", args=[task.pk]),
        reverse("supervision:order", args=[order.pk]),
        reverse("supervision:order_print", args=[order.pk]),
        reverse("supervision:action_item", args=[item.pk]),
        reverse("supervision:meeting", args=[SupervisionMeeting.objects.first().pk]),
        reverse("supervision:group_meeting", args=[LeadingGroupMeeting.objects.first().pk]),
        reverse("web:dashboard"),
        reverse("ledger:staleness"),
        reverse("ledger:ratings"),
        reverse("ledger:scale"),
        reverse("ledger:task_list_import"),
        reverse("ledger:reports_import"),
        reverse("ledger:work_points_import"),
    ]
    # The year's end: an evaluation of each kind with its scope, a yellow card, an
    # appealed one and the rule set they were computed with.
    evaluations = [Evaluation.objects.filter(kind=k).first() for k in ("comprehensive", "special")]
    third = Evaluation.objects.filter(kind="third_party", team__members__username="evaluator")
    yellow = Card.objects.filter(colour="yellow", replaced_by__isnull=True).first()
    appealed = Appeal.objects.select_related("card").first()
    year_end = [reverse("evaluation:detail", args=[e.pk]) for e in evaluations if e]
    year_end += [reverse("evaluation:scope", args=[e.pk]) for e in evaluations[:1] if e]
    year_end += [reverse("assessment:card", args=[c.pk]) for c in (yellow,) if c]
    if appealed:
        year_end.append(reverse("assessment:card", args=[appealed.card.pk]))
        year_end.append(reverse("assessment:rule_set", args=[appealed.card.office_id, 2016]))
    if role in ("office", "director"):
        return office + year_end
    if role == "evaluator":
        return [reverse("evaluation:detail", args=[e.pk]) for e in third] + [
            reverse("evaluation:scope", args=[e.pk]) for e in third
        ]
    if role in ("huiyang", "huiyang_head") and huiyang_task:
        own = Card.objects.filter(unit=huiyang_task.lead_unit, status="published")
        return [reverse("ledger:task", args=[huiyang_task.pk])] + [
            reverse("assessment:card", args=[c.pk]) for c in own
        ]
    if role == "leader":
        return [reverse("web:dashboard"), reverse("ledger:task", args=[task.pk])]
    if role == "auditor":
        verbs = (
            "report.submitted",
            "evidence.added",
            "notification.sent",
            "closing.approved",
            "order.escalated",
            "demo.dated",
            "task.created",
            "reminders.sent",
        )
        records = [AuditRecord.objects.filter(verb=v).first() for v in verbs]
        return [reverse("audit:trail")] + [
            reverse("audit:record", args=[r.pk]) for r in records if r is not None
        ]
    return []


def read(page, role: str, names: frozenset[str]) -> set[str]:
    """What on the page as it stands is no Chinese: each foreign word with its place."""
    path = urlsplit(page.url).path
    allowed = names if path.startswith(ACCOUNT_PAGES) else frozenset()
    problems = set()
    for text, where in page.evaluate(VISIBLE_TEXT):
        for word in foreign_words(text, names=allowed):
            problems.add(f"{role} {path}: “{word}” in <{where}> “{text[:60]}”")
    return problems


def open_and_read(page, url: str, role: str, names: frozenset[str]) -> set[str]:
    response = page.goto(url)
    path = urlsplit(page.url).path
    if response is None or response.status >= 400:
        return {f"{role} {path}: HTTP {response.status if response else '?'}"}
    problems = read(page, role, names)
    # Every tab of the page (a task's plan, reports, closing and history).
    for tab in page.locator("[data-bs-toggle=tab]").all():
        if tab.is_visible():
            tab.click()
            problems |= read(page, role, names)
    return problems


def links_of(page, origin: str) -> list[str]:
    """The navigation's and the page's own links (the menus' items too)."""
    hrefs = page.evaluate(
        "() => Array.from(document.querySelectorAll('nav a[href], main a[href]'), a => a.href)"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def test_every_role_reads_its_pages_in_chinese(demo_site, transactional_db, live_server, page):
    names = frozenset(get_user_model().objects.values_list("username", flat=True))
    problems: set[str] = set()
    opened = 0
    for role in ROLES:
        page.context.clear_cookies()
        sign_in(page, live_server, role, DEMO_PASSWORD)
        assert "/login/" not in page.url, f"{role} could not sign in"
        page.goto(f"{live_server.url}/")
        problems |= read(page, role, names)
        seen = {kind_of(urlsplit(page.url).path)}
        wanted = links_of(page, live_server.url) + samples(role)
        for url in wanted:
            kind = kind_of(urlsplit(url).path)
            if kind in seen:
                continue
            seen.add(kind)
            problems |= open_and_read(page, f"{live_server.url}{url}", role, names)
            opened += 1

    assert opened > 100
    assert not problems, f"{len(problems)} texts are not Chinese:\n" + "\n".join(sorted(problems))
