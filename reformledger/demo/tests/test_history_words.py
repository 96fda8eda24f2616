"""Every act and every key the trail records reads in words, in Chinese: the acts and
keys the code records (read from its source), the keys and values the demo's year
records, and the reasons the system writes. A history shows no code to a reader."""

import ast
import importlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from reformledger.audit import labels
from reformledger.audit.models import AuditRecord
from reformledger.audit.verbs import VERBS
from reformledger.demo.tests.savepoint import module_savepoint
from reformledger.notifications.choices import NotificationKind

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
#: Latin words a Chinese label may hold: names of formats and standards.
#: (and GEN, the code prefix the synthetic ledger is generated with).
LATIN_OK = {"SHA", "Excel", "Word", "PDF", "CSV", "JSON", "API", "TOTP", "ABCDE", "GEN"}
#: The two kinds of supervision matter, as `_matter_kind` names them in acts.
MATTER_KINDS = ("order", "action_item")
#: Keys whose values are account names (who received a notice): names, not codes.
ACCOUNT_KEYS = {"recipient", "username", "user", "received_by"}


def sources() -> Iterator[tuple[str, ast.Module]]:
    """The modules of the application (tests and migrations left out), parsed."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        module = ".".join(("reformledger", *parts)).removesuffix(".py")
        yield module.removesuffix(".__init__"), ast.parse(path.read_text(), str(path))


def is_record_call(node: ast.AST) -> bool:
    func = getattr(node, "func", None)
    name = getattr(func, "attr", None) or getattr(func, "id", None)
    return isinstance(node, ast.Call) and name == "record"


# --- acts ------------------------------------------------------------------------------


def recorded_verbs() -> set[str]:
    """Every act the code passes to `record`: literals given as `verb=` (to `record` or to
    a helper that passes it on), literals assigned to `verb` in a function that records
    `verb=verb`, and `f"{kind}.answered"` for both kinds of matter."""
    found: set[str] = set()
    for _module, tree in sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for kw in node.keywords:
                if kw.arg != "verb":
                    continue
                if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    found.add(kw.value.value)
                elif isinstance(kw.value, ast.JoinedStr):
                    tail = kw.value.values[-1]
                    assert isinstance(tail, ast.Constant), ast.unparse(kw.value)
                    found |= {f"{kind}{tail.value}" for kind in MATTER_KINDS}
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            passes_verb = any(
                is_record_call(n)
                and any(kw.arg == "verb" and isinstance(kw.value, ast.Name) for kw in n.keywords)
                for n in ast.walk(function)
            )
            for node in ast.walk(function) if passes_verb else ():
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                    and any(getattr(t, "id", None) == "verb" for t in node.targets)
                ):
                    found.add(node.value.value)
    return found


# --- keys ------------------------------------------------------------------------------


class Keys:
    """The keys of the `changes` a module's `record` calls write, as far as the source
    says them: dict literals, `snapshot(obj, FIELDS)`, `diff(before, after)`, local
    helpers that return either, and names assigned any of those (or `name["key"] = …`).
    Keys made at run time (`f"ratings_{status}"`) are left to the demo's records."""

    def __init__(self, module: str, tree: ast.Module):
        self.module = module
        self.functions = {
            n.name: n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.found: set[str] = set()
        for function in self.functions.values():
            for node in ast.walk(function):
                if is_record_call(node):
                    for kw in node.keywords:
                        if kw.arg == "changes":
                            self.found |= self.of(kw.value, function)

    def constant(self, name: str):
        return getattr(importlib.import_module(self.module), name, ())

    def of(self, expr: ast.AST, scope: ast.AST, depth: int = 0) -> set[str]:
        if depth > 6:
            return set()
        keys: set[str] = set()
        if isinstance(expr, ast.Dict):
            for key, value in zip(expr.keys, expr.values, strict=True):
                if key is None:
                    keys |= self.of(value, scope, depth + 1)
                elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keys.add(key.value)
        elif isinstance(expr, ast.DictComp):
            for generator in expr.generators:
                keys |= self.of(generator.iter, scope, depth + 1)
        elif isinstance(expr, ast.BinOp):
            keys |= self.of(expr.left, scope, depth + 1) | self.of(expr.right, scope, depth + 1)
        elif isinstance(expr, ast.Name):
            keys |= self.of_name(expr.id, scope, depth)
        elif isinstance(expr, ast.Call):
            keys |= self.of_call(expr, scope, depth)
        elif isinstance(expr, ast.Tuple | ast.List):
            for item in expr.elts:
                if isinstance(item, ast.Constant) and isinstance(item.value, str):
                    keys.add(item.value)
                elif isinstance(item, ast.Starred) and isinstance(item.value, ast.Name):
                    keys |= {str(k) for k in self.constant(item.value.id)}
        return keys

    def of_call(self, call: ast.Call, scope: ast.AST, depth: int) -> set[str]:
        func = call.func
        name = getattr(func, "attr", None) or getattr(func, "id", None)
        args = call.args
        if name == "snapshot" and len(args) == 2:
            fields = args[1]
            if isinstance(fields, ast.Name):
                return {str(k) for k in self.constant(fields.id)}
            return self.of(fields, scope, depth + 1)
        if name == "diff" and len(args) == 2:
            return self.of(args[0], scope, depth + 1) | self.of(args[1], scope, depth + 1)
        if name in ("items", "sorted", "list") and isinstance(func, ast.Attribute):
            return self.of(func.value, scope, depth + 1)
        if name in ("sorted", "list") and args:
            return self.of(args[0], scope, depth + 1)
        if name == "fromkeys" and args:
            return self.of(args[0], scope, depth + 1)
        if name in self.functions:
            helper = self.functions[name]
            keys: set[str] = set()
            for node in ast.walk(helper):
                if isinstance(node, ast.Return) and node.value is not None:
                    keys |= self.of(node.value, helper, depth + 1)
            return keys
        return set()

    def of_name(self, name: str, scope: ast.AST, depth: int) -> set[str]:
        keys: set[str] = set()
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(getattr(t, "id", None) == name for t in targets):
                    keys |= self.of(node.value, scope, depth + 1)
                for t in targets:
                    if (
                        isinstance(t, ast.Subscript)
                        and getattr(t.value, "id", None) == name
                        and isinstance(t.slice, ast.Constant)
                    ):
                        keys.add(str(t.slice.value))
        return keys


def keys_in_source() -> set[str]:
    found: set[str] = set()
    for module, tree in sources():
        found |= Keys(module, tree).found
    return found


# --- in Chinese ------------------------------------------------------------------------


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", text)) - LATIN_OK


@pytest.fixture(scope="module")
def recorded(demo, django_db_blocker):
    """Every record of the demo's year, and of a small synthetic ledger."""
    with module_savepoint(django_db_blocker):
        call_command("generate", tasks=5, units=3, year=2031, stdout=io.StringIO())
        yield list(AuditRecord.objects.select_related("actor").order_by("id"))


def test_the_source_is_read_for_the_acts_and_keys_it_records():
    verbs, keys = recorded_verbs(), keys_in_source()

    assert {"task.created", "order.answered", "action_item.received", "plan.edited"} <= verbs
    assert {"status", "problems", "next_steps", "recipient", "sha256", "size"} <= keys
    assert {"rows", "filters", "format", "reached", "kind", "file"} <= keys


def test_every_act_the_code_records_has_words_in_chinese():
    with translation.override("zh-hans"):
        missing = sorted(recorded_verbs() - set(VERBS))
        raw = sorted(v for v in VERBS if str(VERBS[v]) == v or latin_words(str(VERBS[v])))

    assert not missing, f"acts without words: {missing}"
    assert not raw, f"acts without Chinese words: {raw}"


def test_every_key_the_trail_records_has_a_chinese_label(recorded):
    keys = {(key, "", "") for key in keys_in_source()}
    keys |= {(key, "", "") for key in NotificationKind.values}
    keys |= {(key, r.obj_type, r.ctx_type) for r in recorded for key in r.changes}

    with translation.override("zh-hans"):
        unnamed = sorted(
            f"{key} ({obj_type or '?'})"
            for key, obj_type, ctx_type in keys
            if (label := labels.field_label(key, obj_type, ctx_type)) == key or latin_words(label)
        )

    assert not unnamed, f"keys without a Chinese label: {unnamed}"


def test_the_demo_history_reads_without_codes(recorded):
    """Values by their labels (no `in_progress`), the system as 系统, its reasons in
    Chinese, business dates labelled in Chinese."""
    code = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^(True|False|None)$")
    problems = []
    with translation.override("zh-hans"):
        for entry in labels.entries(recorded):
            rec = entry.record
            if latin_words(entry.who) and rec.actor_id is None:
                problems.append(f"#{rec.pk} {rec.verb}: who {entry.who}")
            if rec.actor_id is None and latin_words(entry.reason):
                problems.append(f"#{rec.pk} {rec.verb}: reason {entry.reason[:60]}")
            for label, _value in entry.business:
                if latin_words(label):
                    problems.append(f"#{rec.pk} {rec.verb}: business date {label}")
            for key, line in zip(rec.changes, labels.lines(rec, technical=True), strict=False):
                if key in ACCOUNT_KEYS:
                    continue
                for value in re.split(r"[；;]\s*|：", f"{line.before}；{line.after}"):
                    if code.match(value.strip()):
                        problems.append(f"#{rec.pk} {rec.verb}: {key} = {value}")

    assert not problems, "\n".join(sorted(set(problems))[:50])


def test_a_report_shows_its_period_and_submission_day_beside_the_time_it_was_recorded(
    recorded,
):
    submitted = next(r for r in recorded if r.verb == "report.submitted")

    with translation.override("zh-hans"):
        entry = labels.entries([submitted])[0]
        first_line = str(entry.lines[0])

    assert [label for label, _value in entry.business] == ["报告期", "报送日期"]
    assert entry.business[0][1].startswith("2016-")
    assert entry.business[1][1].startswith(("2016-", "2017-"))
    assert first_line == "状态：草稿 → 已报送"
