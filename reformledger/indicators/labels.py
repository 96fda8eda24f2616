"""Indicators' words for their history (`audit.labels`, from `IndicatorsConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


def _value(value, verb: str):
    """A value's period: the business date its acts belong to."""
    return [(_("reporting period"), value.period.label)]


def register() -> None:
    from reformledger.indicators.models import (
        Indicator,
        IndicatorFile,
        IndicatorTarget,
        IndicatorValue,
    )

    labels.register(
        models=[Indicator, IndicatorTarget, IndicatorValue, IndicatorFile],
        keys={
            "files": _("files"),
            "actual": _("actual"),
            "on_path": _("path at the period's end"),
            "told": _("people told"),
        },
        values={"document": {"indicators": _("the indicators workbook")}},
        business_dates={IndicatorValue: (_value, ("period",))},
    )
