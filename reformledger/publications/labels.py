"""The publications' words for their history (`audit.labels`, from the AppConfig)."""

from django.utils.translation import gettext_lazy as _

from reformledger.audit import labels


def register() -> None:
    from reformledger.publications.models import GenerationJob, Narrative, Publication, Rendition

    labels.register(
        models=[Publication, Narrative, Rendition, GenerationJob],
        keys={
            "acted_on": _("dated"),
            "section": _("section"),
            "number": _("version"),
            "length": _("characters"),
            "pdf": _("PDF"),
            "pages": _("pages"),
            "content_hash": _("content hash"),
            "highlights": _("highlights"),
            "submitted_no": _("document number submitted"),
            "submitted_on": _("submitted on"),
            "period": _("figures as of"),
        },
    )
