"""Choices of indicators (指标), each with the colour the pages show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Whether more is better (loans granted) or less (days to approve a project)."""

    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class IndicatorKind(models.TextChoices):
    """A reported indicator takes values from its owner unit; a ratio is computed from
    two others (closure rate = closed / total), never typed."""

    REPORTED = "reported", _("Reported")
    RATIO = "ratio", _("Ratio of two indicators")


class ValueStatus(models.TextChoices):
    """A reported value: checked by the office, or returned to the owner unit."""

    REPORTED = "reported", _("Awaiting check")
    CHECKED = "checked", _("Checked")
    RETURNED = "returned", _("Returned")

    @property
    def colour(self) -> str:
        return {"reported": "#0d6efd", "checked": "#198754", "returned": "#fd7e14"}[self.value]


class Track(models.TextChoices):
    """Where the latest actual stands against the path from baseline to target."""

    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind its path")
    NO_DATA = "no_data", _("No value yet")
    NO_TARGET = "no_target", _("No target for the year")

    @property
    def colour(self) -> str:
        return {
            "on_track": "#198754",
            "behind": "#dc3545",
            "no_data": "#6c757d",
            "no_target": "#adb5bd",
        }[self.value]
