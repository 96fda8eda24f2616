"""What each kind of publication is made of: its builder, its narrative sections and its
default title."""

from collections.abc import Callable
from dataclasses import dataclass

from reformledger.publications.choices import PublicationKind
from reformledger.publications.content import compendiums, report
from reformledger.publications.content.blocks import Content, Section


@dataclass(frozen=True)
class Kind:
    build: Callable[..., Content]
    sections: Callable[[list], list[Section]]  # of the year's reform areas
    title: Callable[[str, int], str]
    submitted_upward: bool


def _short(place: str) -> str:
    """惠州市 -> 惠州 (the compendiums' titles use the short name)."""
    return place[:-1] if len(place) > 2 and place.endswith(("市", "县", "区")) else place


KINDS = {
    PublicationKind.EVALUATION_REPORT: Kind(
        report.build, report.sections, lambda place, y: f"{place}{y}年度改革全面评估报告", True
    ),
    PublicationKind.REFORM_COMPENDIUM: Kind(
        compendiums.build_reform,
        compendiums.reform_sections,
        lambda place, y: f"{_short(place)}改革进行时·{y}",
        False,
    ),
    PublicationKind.PILOT_COMPENDIUM: Kind(
        compendiums.build_pilots,
        compendiums.pilot_sections,
        lambda place, y: f"改革试点在{_short(place)}·{y}",
        False,
    ),
}
