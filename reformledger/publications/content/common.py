"""What every publication's builder shares: the front matter, money in 万元/亿元, the
narrative sections of the areas, short texts."""

from decimal import Decimal

from reformledger.exchange.docx_layout import chinese_date, party_committee_office, place_of
from reformledger.publications.content.blocks import Content


def front(publication, narratives: dict[str, str]) -> Content:
    """A content with the publication's title, issuer, number, date and period."""
    period = publication.period
    return Content(
        kind=publication.kind,
        title=publication.title,
        subtitle=f"（数据截至{period.end.year}年{period.end.month}月{period.end.day}日）",
        issuer=party_committee_office(publication.office),
        document_no=publication.document_no,
        date=publication.issued_on,
        period=period.label,
        narratives=narratives,
    )


def place(publication) -> str:
    return place_of(publication.office)


def yi(wan: Decimal) -> str:
    """An amount in 万元 as 亿元 with two decimals at most: 300000 -> 30."""
    value = (Decimal(wan) / Decimal(10000)).quantize(Decimal("0.01"))
    text = f"{value:f}".rstrip("0").rstrip(".")
    return text or "0"


def cut(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def percent(part: int, whole: int) -> str:
    return f"{round(part * 100 / whole)}%" if whole else "—"


def day(value) -> str:
    return chinese_date(value) if value else "—"


def area_key(area) -> str:
    return f"area-{area.code}" if area is not None else "area-none"
