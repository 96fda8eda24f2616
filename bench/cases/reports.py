"""The year-end evaluation report and the comparison of two editions of the power and
service lists, each beside its bare lower bound.

- "evaluation report, figures": `publications.services.assemble` (every figure of the
  report from the database) against plain SQL through a cursor — one GROUP BY over the
  year's ratings (area, period, grade in force) and the annex's task rows
  (`bench_publications._sql_bound`);
- "evaluation report, Word": the official layout's docx against python-docx alone writing
  the same paragraphs and table cells (`bench_publications._docx_bound`);
- "list comparison, 5,000 items": `catalog.compare.compare_editions` of two published
  editions against both editions read with one query each and joined in a dict
  (`bench_catalog._bare_compare`). The lists do not grow with the ledger: the same two
  5,000-item editions are written once into each database (`bench_catalog._build`).
"""

from bench.bench_catalog import _bare_compare
from bench.bench_catalog import _build as _build_lists
from bench.bench_publications import _docx_bound, _sql_bound
from bench.harness import Case, Ledger

LIST_ITEMS, LIST_DEPARTMENTS = 5000, 40


def _publication(ledger: Ledger):
    """The office's evaluation report of the year, created once (through the service)."""
    from reformledger.ledger.models import Period
    from reformledger.publications import services
    from reformledger.publications.models import Publication

    if "publication" not in ledger.facts:
        found = Publication.objects.filter(
            office_id=ledger.office_id, year=ledger.year, kind="evaluation_report"
        ).first()
        if found is None:
            found = services.publication_create(
                office=ledger.office,
                year=ledger.year,
                kind="evaluation_report",
                by=ledger.user,
                period=Period.objects.get(pk=ledger.closed_period_ids[-1]),
            )
        ledger.facts["publication"] = Publication.objects.select_related("office", "period").get(
            pk=found.pk
        )
    return ledger.facts["publication"]


def _content(ledger: Ledger) -> dict:
    from reformledger.publications import services

    if "content" not in ledger.facts:
        ledger.facts["content"] = services.assemble(_publication(ledger))
    return ledger.facts["content"]


def _editions(ledger: Ledger) -> tuple[int, int]:
    """The two editions of the lists, written into this database the first time."""
    from reformledger.catalog.models import Edition

    if "editions" not in ledger.facts:
        years = dict(Edition.objects.filter(office__code="BC-GGB").values_list("year", "pk"))
        if len(years) < 2:
            items = ledger.facts.get("list_items", LIST_ITEMS)
            built = _build_lists(items, LIST_DEPARTMENTS, 1)
            years = {2015: built["old"].pk, 2016: built["new"].pk}
        ledger.facts["editions"] = (years[2015], years[2016])
    return ledger.facts["editions"]


def _assemble(ledger: Ledger):
    from reformledger.publications import services

    return services.assemble(_publication(ledger))


def _render(ledger: Ledger):
    from reformledger.publications.content.render import render

    return render(_content(ledger))


def _compare(ledger: Ledger):
    from reformledger.catalog.compare import compare_editions
    from reformledger.catalog.models import Edition

    old, new = _editions(ledger)
    return compare_editions(Edition.objects.get(pk=old), Edition.objects.get(pk=new))


CASES = [
    Case(
        name="evaluation report, figures",
        run=_assemble,
        bound=lambda ledger: _sql_bound(_publication(ledger)),
        repeat=3,
        warm=False,
    ),
    Case(
        name="evaluation report, Word",
        run=_render,
        bound=lambda ledger: _docx_bound(_content(ledger)),
        repeat=1,
        warm=False,
        sizes=(2_000, 20_000),  # the annex lists every task: at 100,000 a run takes minutes
    ),
    Case(
        name="list comparison, 5,000 items",
        run=_compare,
        bound=lambda ledger: _bare_compare(*_editions(ledger)),
        growth=1.5,
    ),
]
