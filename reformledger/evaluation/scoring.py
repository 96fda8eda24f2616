"""The arithmetic of an indicator system (评估指标体系): weights that sum to 100 at each
level, and scores rolled up from the leaves by weight.

A leaf's score is read on its own scale [0, max_score]; rolled up, each criterion is
shown on a 100-point scale (得分率 × 100), a parent being the weighted sum of its
children, and the evaluation's total the weighted sum of the top level. A parent with
a child not yet scored has no score yet.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Node:
    """One criterion as the arithmetic sees it."""

    key: object
    parent: object | None
    name: str
    weight: Decimal
    max_score: Decimal


def check_weights(nodes: Sequence[Node]) -> None:
    """Refuse a tree whose weights do not sum to 100 at some level, naming the level:
    "the top-level criteria weigh 90, not 100" or "the criteria under 'Effectiveness'
    weigh 90, not 100". Nothing is written by the caller when this raises."""
    if not nodes:
        raise ValidationError({"criteria": _("An evaluation needs at least one criterion.")})
    names = {n.key: n.name for n in nodes}
    sums: dict[object, Decimal] = defaultdict(Decimal)
    order: list[object] = []
    for n in nodes:
        if n.parent is not None and n.parent not in names:
            raise ValidationError(
                {
                    "criteria": _("The criterion %(name)s hangs under a missing parent.")
                    % {"name": n.name}
                }
            )
        if n.parent not in sums:
            order.append(n.parent)
        sums[n.parent] += Decimal(n.weight)
    errors = []
    for parent in order:
        total = sums[parent]
        if total != HUNDRED:
            shown = _number(total)
            if parent is None:
                errors.append(_("The top-level criteria weigh %(sum)s, not 100.") % {"sum": shown})
            else:
                errors.append(
                    _("The criteria under “%(name)s” weigh %(sum)s, not 100.")
                    % {"name": names[parent], "sum": shown}
                )
    if errors:
        raise ValidationError({"criteria": errors})


def _number(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def rolled_up(
    nodes: Iterable[Node], leaf_scores: Mapping[object, Decimal]
) -> tuple[dict[object, Decimal | None], Decimal | None]:
    """Each criterion's score on a 100-point scale and the total, from the leaves'
    scores (`leaf_scores`: key → score on the leaf's own scale). None where a leaf
    below is not scored yet."""
    nodes = list(nodes)
    children: dict[object, list[Node]] = defaultdict(list)
    for n in nodes:
        children[n.parent].append(n)
    result: dict[object, Decimal | None] = {}

    def score(node: Node) -> Decimal | None:
        kids = children.get(node.key)
        if not kids:
            raw = leaf_scores.get(node.key)
            value = None if raw is None else Decimal(raw) * HUNDRED / Decimal(node.max_score)
        else:
            parts = [(score(k), k.weight) for k in kids]
            value = (
                None
                if any(p is None for p, _w in parts)
                else sum((p * Decimal(w) / HUNDRED for p, w in parts), Decimal(0))
            )
        result[node.key] = None if value is None else value.quantize(CENT, ROUND_HALF_UP)
        return value

    top = [score(n) for n in children.get(None, [])]
    weights = [n.weight for n in children.get(None, [])]
    if not top or any(t is None for t in top):
        total = None
    else:
        total = sum(
            (t * Decimal(w) / HUNDRED for t, w in zip(top, weights, strict=True)), Decimal(0)
        ).quantize(CENT, ROUND_HALF_UP)
    return result, total
