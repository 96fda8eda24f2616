"""Choices of the power and service lists, each with the colour the pages show it in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    """Which of the two lists an item belongs to."""

    POWER = "power", _("Power and responsibility list")
    SERVICE = "service", _("Public service list")


class EditionStatus(models.TextChoices):
    """A draft edition is imported, reviewed and corrected; a published one is frozen."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")

    @property
    def colour(self) -> str:
        return {"draft": "secondary", "published": "success"}[self.value]


class PartStatus(models.TextChoices):
    """A department's part of a draft edition: imported (or typed), then reviewed."""

    IMPORTED = "imported", _("Awaiting review")
    REVIEWED = "reviewed", _("Checked by the office")

    @property
    def colour(self) -> str:
        return {"imported": "warning", "reviewed": "success"}[self.value]


class ChangeKind(models.TextChoices):
    """What happened to an item between two editions."""

    REMOVED = "removed", _("Removed")
    ADDED = "added", _("Added")
    RENAMED = "renamed", _("Renamed")
    CHANGED = "changed", _("Changed")
    MOVED = "moved", _("Moved to another department")
    DELEGATED = "delegated", _("Passed down to counties")

    @property
    def colour(self) -> str:
        return {
            "removed": "danger",
            "added": "success",
            "renamed": "info",
            "changed": "warning",
            "moved": "primary",
            "delegated": "secondary",
        }[self.value]


class MatchedBy(models.TextChoices):
    """How an item of one edition was found in the other."""

    CODE = "code", _("Item code")
    NAME = "name", _("Department and name (no code)")


#: The ten types of power of the national guidance (权力类型), the reference data every
#: deployment starts with: code, name, other names a sheet writes, and whether the type
#: counts as administrative approval (行政审批). Seeded by migration 0002 and, where the
#: table was emptied (a test's flush), by `services.item_types_install`
#: (after every migrate and flush).
STANDARD_TYPES = (
    ("licensing", "行政许可", "许可,行政审批,审批", True),
    ("penalty", "行政处罚", "处罚", False),
    ("coercion", "行政强制", "强制", False),
    ("levy", "行政征收", "征收,行政征收征用", False),
    ("payment", "行政给付", "给付", False),
    ("inspection", "行政检查", "检查,监督检查", False),
    ("confirmation", "行政确认", "确认", False),
    ("award", "行政奖励", "奖励", False),
    ("adjudication", "行政裁决", "裁决", False),
    ("other", "其他行政权力", "其他,其他权力,其他类", False),
)
