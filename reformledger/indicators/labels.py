"""Indicators' words for their history (`audit.labels`, from `IndicatorsConfig.ready`)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


def register() -> None:
    from reformledger.indicators.models import (
        Indicator,
        IndicatorFile,
        IndicatorTarget,
        IndicatorValue,
    )

    labels.register(
        models=[Indicator, IndicatorTarget, IndicatorValue, IndicatorFile],
        keys={"files": _("files")},
        values={"document": {"indicators": _("the indicators workbook")}},
    )
