"""Choices of the publications (编印): what a publication is, where it stands, and how
far a generation has got."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationKind(models.TextChoices):
    """The year-end documents the office is judged by."""

    EVALUATION_REPORT = "evaluation_report", _("Comprehensive evaluation report")
    REFORM_COMPENDIUM = "reform_compendium", _("Reform in progress (compendium)")
    PILOT_COMPENDIUM = "pilot_compendium", _("Reform pilots (compendium)")


class PublicationStatus(models.TextChoices):
    DRAFTING = "drafting", _("Drafting")
    SUBMITTED = "submitted", _("Submitted")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class PdfStatus(models.TextChoices):
    NONE = "none", _("Not made yet")
    MAKING = "making", _("Being made")
    READY = "ready", _("Ready")
    UNAVAILABLE = "unavailable", _("Unavailable")
    FAILED = "failed", _("Failed")
