"""The third-party evaluator's walk (第三方评估, isolated): signed in as a member of one
evaluation team, every URL pattern of the system — pages, exports, files and the API —
is opened with the ids of real rows of the demo, and what comes back holds only that
team's evaluations and their scope. Others are a 404 (or a refusal); nothing the team
may not see appears in any page, file or JSON it is given; and posting to every act
changes nothing.

The URL patterns are enumerated from the resolver, so a new endpoint is walked the day
it is added; the one thing it needs is a line in `WALK_MODELS` saying which model its
id names (the test fails and says so until it has one).
"""

import io
import itertools
import re
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from reformledger.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

#: The model an id in a URL names, by the path before it (earlier ids written `*`).
WALK_MODELS = {
    "public/lists/items/": "catalog.Item",
    "public/editions/": "catalog.Edition",
    "lists/": "catalog.Edition",
    "lists/items/": "catalog.Item",
    "lists/parts/": "catalog.Part",
    "api/v1/lists/editions/": "catalog.Edition",
    "api/v1/lists/parts/": "catalog.Part",
    "api/v1/lists/items/": "catalog.Item",
    "api/v1/public/lists/editions/": "catalog.Edition",
    "api/v1/public/lists/items/": "catalog.Item",
    "account/users/": "accounts.User",
    "account/users/*/roles/": "orgs.Membership",
    "exchange/jobs/": "exchange.ImportJob",
    "ledger/tasks/": "ledger.Task",
    "ledger/tasks/*/plan/": "ledger.Plan",
    "ledger/tasks/*/work-point/document/": "ledger.ProgrammeDocument",
    "ledger/work-points/jobs/": "exchange.ImportJob",
    "ledger/reports/": "ledger.ProgressReport",
    "ledger/evidence/": "ledger.Evidence",
    "ledger/ratings/": "ledger.Rating",
    "ledger/ratings/periods/": "ledger.Period",
    "ledger/closings/": "ledger.ClosingRequest",
    "notifications/": "notifications.Notification",
    "units/*/messengers/": "notifications.MessengerRobot",
    "units/*/messengers/deliveries/": "notifications.Delivery",
    "audit/": "audit.AuditRecord",
    "supervision/orders/": "supervision.SupervisionOrder",
    "supervision/orders/drafts/": "supervision.OrderDraft",
    "supervision/items/": "supervision.ActionItem",
    "supervision/answers/": "supervision.Answer",
    "supervision/files/": "supervision.AnswerFile",
    "supervision/leader/": "accounts.User",
    "supervision/links/": "supervision.LeaderLink",
    "supervision/meetings/": "supervision.SupervisionMeeting",
    "supervision/documents/": "supervision.ReformDocument",
    "supervision/group-meetings/": "supervision.LeadingGroupMeeting",
    "pilots/": "pilots.Pilot",
    "pilots/*/sub-projects/": "pilots.SubProject",
    "pilots/files/": "pilots.PilotFile",
    "pilots/investment/sub-projects/": "pilots.SubProject",
    "pilots/investment/": "pilots.Pilot",
    "pilots/summary/": "pilots.Pilot",
    "pilots/innovations/": "pilots.Innovation",
    "pilots/innovations/files/": "pilots.InnovationFile",
    "indicators/": "indicators.Indicator",
    "indicators/values/": "indicators.IndicatorValue",
    "indicators/files/": "indicators.IndicatorFile",
    "units/": "orgs.Unit",
    "evaluation/": "evaluation.Evaluation",
    "evaluation/teams/": "evaluation.EvaluationTeam",
    "evaluation/teams/*/members/": "accounts.User",
    "evaluation/*/findings/": "evaluation.Finding",
    "evaluation/*/self/": "orgs.Unit",
    "evaluation/*/scope/evidence/": "ledger.Evidence",
    "evaluation/*/files/": "evaluation.EvaluationFile",
    "assessment/": "assessment.Card",
    "assessment/rules/": "orgs.Unit",
    "assessment/appeals/": "assessment.Appeal",
    "assessment/appeals/files/": "assessment.AppealFile",
    "publications/": "publications.Publication",
    "publications/jobs/": "publications.GenerationJob",
    "publications/versions/": "publications.Rendition",
    # The API (/api/v1/<resource>/<pk>/…).
    "api/v1/units/": "orgs.Unit",
    "api/v1/people/": "orgs.Person",
    "api/v1/tasks/": "ledger.Task",
    "api/v1/plans/": "ledger.Plan",
    "api/v1/reports/": "ledger.ProgressReport",
    "api/v1/ratings/": "ledger.Rating",
    "api/v1/closings/": "ledger.ClosingRequest",
    "api/v1/periods/": "ledger.Period",
    "api/v1/rating-scales/": "ledger.RatingScale",
    "api/v1/reform-areas/": "ledger.ReformArea",
    "api/v1/reform-systems/": "ledger.ReformSystem",
    "api/v1/import-jobs/": "exchange.ImportJob",
    "api/v1/tokens/": "accounts.ApiToken",
    "api/v1/audit-records/": "audit.AuditRecord",
    "api/v1/leader-links/": "supervision.LeaderLink",
    "api/v1/supervision-meetings/": "supervision.SupervisionMeeting",
    "api/v1/reform-documents/": "supervision.ReformDocument",
    "api/v1/leading-group-meetings/": "supervision.LeadingGroupMeeting",
    "api/v1/supervision-orders/": "supervision.SupervisionOrder",
    "api/v1/action-items/": "supervision.ActionItem",
    "api/v1/pilots/": "pilots.Pilot",
    "api/v1/sub-projects/": "pilots.SubProject",
    "api/v1/indicators/": "indicators.Indicator",
    "api/v1/indicator-values/": "indicators.IndicatorValue",
    "api/v1/innovations/": "pilots.Innovation",
    "api/v1/adoptions/": "pilots.Adoption",
    "api/v1/investment-reports/": "pilots.InvestmentReport",
    "api/v1/evaluations/": "evaluation.Evaluation",
    "api/v1/evaluation-criteria/": "evaluation.Criterion",
    "api/v1/evaluation-scores/": "evaluation.Score",
    "api/v1/evaluation-findings/": "evaluation.Finding",
    "api/v1/evaluation-teams/": "evaluation.EvaluationTeam",
    "api/v1/assessment-rule-sets/": "assessment.RuleSet",
    "api/v1/assessment-cards/": "assessment.Card",
    "api/v1/assessment-appeals/": "assessment.Appeal",
    "api/v1/publications/": "publications.Publication",
    "api/v1/publication-versions/": "publications.Rendition",
    "api/v1/publication-jobs/": "publications.GenerationJob",
    "api/v1/self-assessments/": "evaluation.SelfAssessment",
}

#: Values for the words in URLs that are not ids.
WORDS = {
    "format": "json",
    "act": "disable",
    "key": "1",
    "url": "x",
    "app_label": "ledger",
    "year": "2016",
    "fmt": "docx",
}

#: Her own account's pages: open to every signed-in user, and acts on herself only.
OWN_ACCOUNT = {
    "login",
    "logout",
    "set_language",
    "accounts:me",
    "accounts:password_change",
    "accounts:otp_verify",
    "accounts:otp_enrol",
    "accounts:otp_remove",
}

REFUSED = {403, 404, 405}
ANY_ID = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rx>\w+)>[^)]*\)")


def _patterns(resolvers, prefix="", namespace=""):
    for p in resolvers:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace + (p.name or "")


def _route(raw: str) -> str:
    """A pattern as a plain route: regex anchors and format suffixes unified."""
    text = raw.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return ANY_ID.sub(lambda m: "<" + (m["name"] or m["rx"]) + ">", text)


def _walk_list():
    """(route, name, [(kwarg, model label | None)]) for every pattern outside /admin/
    (the admin site refuses everyone without staff status, which no role has)."""
    out = []
    for raw, name in _patterns(get_resolver().url_patterns):
        route = _route(raw)
        if route.startswith("admin/") or name.startswith("admin:"):
            continue
        kwargs, before = [], ""
        for part in re.split(r"(<\w+>)", route):
            if part.startswith("<"):
                kwarg = part[1:-1]
                kwargs.append((kwarg, None if kwarg in WORDS else before))
                before += "*"
            else:
                before += part
        out.append((route, name, kwargs))
    return out


def _model_key(before: str) -> str:
    return re.sub(r"\*+", "*", before).replace("//", "/")


def _candidates(label: str, allowed: dict) -> list[int]:
    """The ids to try: the first and last rows of the model, and one row the team may see
    (an allowed row is still checked for what its page shows)."""
    model = apps.get_model(label)
    pks = list(model.objects.order_by("pk").values_list("pk", flat=True)[:1])
    pks += list(model.objects.order_by("-pk").values_list("pk", flat=True)[:1])
    pks += sorted(allowed.get(label, ()))[:2]
    return list(dict.fromkeys(pks)) or [999999]


def _body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return " ".join(
                z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")
            )
    return content.decode("utf-8", "replace")


@pytest.fixture
def walk_world(demo):
    """The evaluator's team, what it may see, and the words it must never be shown."""
    from reformledger.ledger.models import Task

    user = get_user_model().objects.get(username="evaluator")
    allowed, allowed_words = _teams_own(user)
    seen_tasks = set(allowed.get("ledger.Task", ()))
    forbidden = {
        t.title for t in Task.objects.exclude(pk__in=seen_tasks).only("title") if len(t.title) >= 6
    }
    forbidden |= _others_words(user)
    # A word of the team's own scope that contains a forbidden one would be a false alarm.
    forbidden = {w for w in forbidden if not any(w in ok for ok in allowed_words)}
    assert forbidden
    return user, allowed, forbidden


def _teams_own(user) -> tuple[dict, set]:
    """The rows her team may see, by model label, and the words of its scope: its
    evaluations and all that hangs on them, their tasks (with the tasks' reports'
    evidence) and pilots."""
    from reformledger.evaluation import models as ev
    from reformledger.evaluation.permissions import scope_tasks
    from reformledger.ledger.models import Evidence, Task

    evaluations = ev.Evaluation.objects.filter(team__members=user)
    tasks = Task.objects.none()
    for evaluation in evaluations:
        tasks = tasks | scope_tasks(evaluation)
    pilots = {p for e in evaluations.prefetch_related("pilots") for p in e.pilots.all()}
    own = {
        "evaluation.Evaluation": evaluations,
        "evaluation.EvaluationTeam": ev.EvaluationTeam.objects.filter(members=user),
        "evaluation.Criterion": ev.Criterion.objects.filter(evaluation__in=evaluations),
        "evaluation.Score": ev.Score.objects.filter(evaluation__in=evaluations),
        "evaluation.SelfAssessment": ev.SelfAssessment.objects.filter(evaluation__in=evaluations),
        "evaluation.Finding": ev.Finding.objects.filter(evaluation__in=evaluations),
        "evaluation.SurveyResult": ev.SurveyResult.objects.filter(evaluation__in=evaluations),
        "evaluation.EvaluationFile": ev.EvaluationFile.objects.filter(evaluation__in=evaluations),
        "ledger.Task": tasks,
        "ledger.Evidence": Evidence.objects.filter(task__in=tasks),
    }
    allowed = {label: set(qs.values_list("pk", flat=True)) for label, qs in own.items()}
    allowed["pilots.Pilot"] = {p.pk for p in pilots}
    words = {e.title for e in evaluations} | {t.title for t in tasks} | {p.name for p in pilots}
    return allowed, words


def _others_words(user) -> set:
    """Words that name what her team may not see: other evaluations, pilots, innovations
    and indicators."""
    from reformledger.evaluation.models import Evaluation
    from reformledger.indicators.models import Indicator
    from reformledger.pilots.models import Innovation, Pilot

    words = set(Evaluation.objects.exclude(team__members=user).values_list("title", flat=True))
    words |= set(Pilot.objects.values_list("name", flat=True))
    words |= set(Innovation.objects.values_list("title", flat=True))
    words |= set(Indicator.objects.values_list("name", flat=True))
    return {w for w in words if len(w) >= 6}


def _urls(kwargs, choices, route):
    """Each URL of `route` with one combination of the values chosen for its words."""
    for values in itertools.product(*choices):
        url = "/" + route
        for (kwarg, _before), value in zip(kwargs, values, strict=True):
            url = url.replace(f"<{kwarg}>", str(value), 1)
        yield url


def test_evaluator_sees_only_her_teams_evaluations_everywhere(walk_world, client_for):
    user, allowed, forbidden = walk_world
    client: Client = client_for(user)
    unknown, leaks, served = [], [], []
    for route, name, kwargs in _walk_list():
        if name in OWN_ACCOUNT:
            continue
        choices = []
        for kwarg, before in kwargs:
            if before is None:
                choices.append([WORDS[kwarg]])
                continue
            label = WALK_MODELS.get(_model_key(before))
            if label is None:
                unknown.append(f"{route} ({kwarg} after {_model_key(before)!r})")
                choices.append([])
            else:
                choices.append(_candidates(label, allowed))
        for url in _urls(kwargs, choices, route):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            # A refusal, a redirect (to a page walked on its own) or a query it cannot
            # answer without more words (400) shows nothing.
            if response.status_code in REFUSED or response.status_code in (301, 302, 400):
                continue
            assert response.status_code == 200, (url, response.status_code)
            text = _body_text(response)
            shown = sorted(w for w in forbidden if w in text)
            if shown:
                leaks.append(f"{url}: {shown[:3]}")
            served.append(url)
    assert not unknown, "say which model these ids name in WALK_MODELS: " + "; ".join(unknown)
    assert not leaks, "shown to a third-party evaluator: " + "; ".join(leaks)
    # The walk reached her own evaluations (a walk refused everywhere would prove little).
    mine = allowed["evaluation.Evaluation"]
    assert mine and all(any(f"/evaluation/{pk}/" in u for u in served) for pk in mine)
    assert any(u.startswith("/api/v1/evaluations/") for u in served)


def test_evaluator_acts_nowhere_outside_her_team(walk_world, client_for):
    """Posting to every pattern with rows outside her team performs nothing: the API
    refuses it, and no page writes a record of any act."""
    user, allowed, _forbidden = walk_world
    client: Client = client_for(user)
    # Refusals (access.denied) and exports (export.*) are recorded reads; any other
    # record would be a change.
    changes = AuditRecord.objects.exclude(verb="access.denied").exclude(verb__startswith="export.")
    before = changes.count()
    accepted = []
    for route, name, kwargs in _walk_list():
        if name in OWN_ACCOUNT:
            continue
        choices = []
        for kwarg, before_path in kwargs:
            if before_path is None:
                choices.append([WORDS[kwarg]])
                continue
            label = WALK_MODELS.get(_model_key(before_path))
            mine = set(allowed.get(label, ()))
            others = [pk for pk in _candidates(label, {}) if pk not in mine] if label else []
            choices.append(others[:1] or [999999])
        for url in _urls(kwargs, choices, route):
            if url.startswith("/api/"):
                response = client.post(url, {}, content_type="application/json")
                # The API refuses an act with 403/404 (or 400 for a body it cannot read
                # before it looks further); it never performs it (2xx).
                if 200 <= response.status_code < 300:
                    accepted.append(f"{url} → {response.status_code}")
            else:
                # A page that only reads answers a post as it answers a get; nothing
                # written (below) is what tells an act from a read.
                response = client.post(url, {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
                assert response.status_code < 500, (url, response.status_code)
    assert not accepted, "a post outside her team was performed: " + "; ".join(accepted)
    written = [f"{r.verb} {r.obj_repr}" for r in changes.order_by("pk")[before:]]
    assert not written, "an evaluator's post wrote: " + "; ".join(written)
