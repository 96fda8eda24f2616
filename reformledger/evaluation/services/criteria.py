"""Indicator systems (评估指标体系): the built-in templates, copying a template into an
evaluation, and adjusting an evaluation's criteria until scoring starts. Weights sum
to 100 at each level, or the whole change is refused with the level named."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reformledger.audit import services as audit
from reformledger.evaluation import permissions
from reformledger.evaluation.choices import CRITERIA_EDITABLE
from reformledger.evaluation.models import (
    CriteriaTemplate,
    Criterion,
    Evaluation,
    TemplateCriterion,
)
from reformledger.evaluation.scoring import Node, check_weights
from reformledger.evaluation.services.common import locked

__all__ = [
    "CriterionRow",
    "criteria_copy",
    "criteria_set",
    "template_rows",
    "templates_ensure_defaults",
]


@dataclass(frozen=True)
class CriterionRow:
    """One criterion as an editor or a template gives it. `key` names it among the rows
    (an existing criterion's id, or any new key); `parent` is its parent's key."""

    key: object
    name: str
    weight: Decimal
    parent: object | None = None
    guide: str = ""
    max_score: Decimal = Decimal(100)
    id: int | None = None


# --- the built-in templates -------------------------------------------------------------

#: (code, name, description, tree); a tree is [(name, weight, guide, children)].
DEFAULT_TEMPLATES = (
    (
        "oecd-dac",
        "OECD DAC 五项评估准则",
        "相关性、有效性、效率、影响、可持续性（经合组织发展援助委员会 OECD DAC 评估准则）",
        [
            (
                "相关性",
                20,
                "改革目标是否切合中央、省部署和本地实际需要；群众和企业诉求是否得到回应。",
                [
                    ("目标契合度", 60, "目标与上级部署、本地发展需要相符的程度。", []),
                    ("需求回应度", 40, "改革回应群众、企业诉求的程度。", []),
                ],
            ),
            (
                "有效性",
                30,
                "改革目标和节点是否如期实现，预期成果是否形成。",
                [
                    ("目标完成度", 50, "年度目标和计划节点完成情况。", []),
                    ("成果质量", 30, "制度文件、机制、平台等成果的质量和可操作性。", []),
                    ("问题整改", 20, "督查督办发现问题的整改落实情况。", []),
                ],
            ),
            ("效率", 15, "投入的人力、财力、时间与产出是否相称，推进是否及时。", []),
            (
                "影响",
                20,
                "改革对经济社会发展、群众获得感的影响，含满意度调查结果。",
                [
                    ("经济社会效益", 50, "对发展质量、营商环境、公共服务等的改善。", []),
                    (
                        "群众满意度",
                        50,
                        "满意度调查结果：满意率90%以上得满分，每低1个百分点扣2分。",
                        [],
                    ),
                ],
            ),
            ("可持续性", 15, "改革成果是否制度化、可复制推广，长效机制是否建立。", []),
        ],
    ),
    (
        "gd-province",
        "省改革评估指标模板",
        "目标完成、改革成效、群众满意度、创新示范（省委改革办评估模板）",
        [
            (
                "目标完成",
                40,
                "对照年度工作要点和施工方案，逐项核查目标任务完成情况。",
                [
                    ("任务完成率", 60, "按期完成（销账）的任务占比。", []),
                    ("节点按时率", 40, "计划节点按时达成的比例。", []),
                ],
            ),
            ("改革成效", 30, "改革举措落地见效情况，取得的制度成果和实际效果。", []),
            ("群众满意度", 20, "第三方满意度调查的满意率。", []),
            ("创新示范", 10, "形成可复制推广经验、获上级肯定或推广的情况。", []),
        ],
    ),
)


@transaction.atomic
def templates_ensure_defaults() -> list[CriteriaTemplate]:
    """Create the built-in templates that are missing (the OECD DAC five and the
    province's template), so a fresh install has them without hand-written migrations.
    Existing templates are left as they are; returns those created."""
    created = []
    for code, name, description, tree in DEFAULT_TEMPLATES:
        if CriteriaTemplate.objects.filter(code=code).exists():
            continue
        template = CriteriaTemplate.objects.create(
            code=code, name=name, description=description, is_builtin=True
        )

        def add(items, parent=None, template=template):
            for order, (c_name, weight, guide, children) in enumerate(items, start=1):
                row = TemplateCriterion.objects.create(
                    template=template,
                    parent=parent,
                    order=order,
                    name=c_name,
                    weight=Decimal(weight),
                    guide=guide,
                )
                add(children, row, template)

        add(tree)
        audit.record(
            actor=None,
            verb="criteria_template.created",
            obj=template,
            changes={"code": code, "name": name},
        )
        created.append(template)
    return created


def template_rows(template: CriteriaTemplate) -> list[CriterionRow]:
    """A template's criteria as rows, parents before children."""
    rows = list(template.criteria.order_by("parent_id", "order", "id"))
    return _ordered(
        [
            CriterionRow(
                key=c.pk,
                parent=c.parent_id,
                name=c.name,
                weight=c.weight,
                guide=c.guide,
                max_score=c.max_score,
            )
            for c in rows
        ]
    )


def _ordered(rows: Sequence[CriterionRow]) -> list[CriterionRow]:
    """Rows in tree order: each parent before its children, siblings as given."""
    by_parent: dict[object, list[CriterionRow]] = {}
    for row in rows:
        by_parent.setdefault(row.parent, []).append(row)
    out: list[CriterionRow] = []

    def walk(parent):
        for row in by_parent.get(parent, []):
            out.append(row)
            walk(row.key)

    walk(None)
    return out


def _checked(rows: Sequence[CriterionRow]) -> list[CriterionRow]:
    """Refuse rows without a name, with a bad weight or maximum, or whose weights do not
    sum to 100 at some level; every error names the criterion or the level."""
    clean = []
    for n, row in enumerate(rows, start=1):
        name = (row.name or "").strip()
        where = name or _("Criterion %(n)s") % {"n": n}
        if not name:
            raise ValidationError({"criteria": _("%(where)s: give its name.") % {"where": where}})
        try:
            weight = Decimal(str(row.weight))
            max_score = Decimal(str(row.max_score))
        except (InvalidOperation, TypeError) as exc:
            raise ValidationError(
                {"criteria": _("%(where)s: the weight and maximum are numbers.") % {"where": where}}
            ) from exc
        if weight < 0 or weight > 100:
            raise ValidationError(
                {"criteria": _("%(where)s: a weight is between 0 and 100.") % {"where": where}}
            )
        if max_score <= 0:
            raise ValidationError(
                {"criteria": _("%(where)s: the maximum score is above 0.") % {"where": where}}
            )
        clean.append(
            CriterionRow(
                key=row.key,
                parent=row.parent,
                name=name,
                weight=weight,
                guide=(row.guide or "").strip(),
                max_score=max_score,
                id=row.id,
            )
        )
    keys = [r.key for r in clean]
    if len(set(keys)) != len(keys):
        raise ValidationError({"criteria": _("Two criteria have the same key.")})
    check_weights([Node(r.key, r.parent, r.name, r.weight, r.max_score) for r in clean])
    ordered = _ordered(clean)
    if len(ordered) != len(clean):
        raise ValidationError({"criteria": _("Some criteria form a loop of parents.")})
    return ordered


def _write(evaluation: Evaluation, rows: Sequence[CriterionRow]) -> list[Criterion]:
    """Write checked rows as the evaluation's criteria: rows with the `id` of an existing
    criterion update it (its self-scores stay), others are created, the rest deleted."""
    existing = {c.pk: c for c in evaluation.criteria.all()}
    made: dict[object, Criterion] = {}
    order_in: dict[object, int] = {}
    kept = set()
    for row in rows:
        order_in[row.parent] = order_in.get(row.parent, 0) + 1
        parent = made[row.parent] if row.parent is not None else None
        criterion = existing.get(row.id) if row.id is not None else None
        if criterion is None:
            criterion = Criterion(evaluation=evaluation)
        criterion.parent = parent
        criterion.order = order_in[row.parent]
        criterion.name = row.name
        criterion.weight = row.weight
        criterion.guide = row.guide
        criterion.max_score = row.max_score
        criterion.save()
        kept.add(criterion.pk)
        made[row.key] = criterion
    stale = [pk for pk in existing if pk not in kept]
    if stale:
        # Children first, so no parent is deleted under a criterion still being kept.
        Criterion.objects.filter(pk__in=stale).delete()
    return list(made.values())


def criteria_copy(evaluation: Evaluation, template: CriteriaTemplate) -> list[Criterion]:
    """Copy a template's tree into a new evaluation (inside the caller's transaction)."""
    return _write(evaluation, _checked(template_rows(template)))


@transaction.atomic
def criteria_set(*, evaluation: Evaluation, by, rows: Sequence[CriterionRow]) -> list[Criterion]:
    """Adjust an evaluation's criteria (the whole tree at once) until scoring starts.
    Weights that do not sum to 100 at a level are refused with the level named, and
    nothing is written."""
    permissions.require(by, "manage", evaluation)
    evaluation = locked(evaluation, *CRITERIA_EDITABLE)
    checked = _checked(rows)
    ids = {r.id for r in checked if r.id is not None}
    own = set(evaluation.criteria.filter(pk__in=ids).values_list("pk", flat=True))
    if ids - own:
        raise ValidationError({"criteria": _("A criterion of another evaluation was given.")})
    before = [
        (c.name, str(c.weight)) for c in evaluation.criteria.order_by("parent_id", "order", "id")
    ]
    written = _write(evaluation, checked)
    evaluation.version += 1
    evaluation.save(update_fields=["version"])
    audit.record(
        actor=by,
        verb="evaluation.criteria_set",
        obj=evaluation,
        changes={
            "criteria": [
                len(before),
                len(written),
            ],
            "weights": [
                "; ".join(f"{n} {w}" for n, w in before),
                "; ".join(f"{c.name} {c.weight}" for c in written),
            ],
        },
    )
    return written
