"""Evidence downloads handed to nginx (RL_ACCEL_REDIRECT, core/http.py
`stored_file_response`): the app checks the user and records the download, then answers
with an empty response naming the stored file; nginx sends it. Unset, the app streams it."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reformledger.audit.models import AuditRecord
from reformledger.ledger import services
from tests.files import PDF

NAME = "惠阳区绩效考核实施方案.pdf"


@pytest.fixture
def evidence(world, huiyang_liaison):
    upload = SimpleUploadedFile(NAME, PDF, content_type="application/pdf")
    return services.evidence_add(task=world.task_huiyang, by=huiyang_liaison, upload=upload)


def test_with_accel_redirect_the_answer_is_empty_and_names_the_stored_file(
    settings, evidence, huiyang_head, client_for
):
    settings.RL_ACCEL_REDIRECT = "/_protected/"

    response = client_for(huiyang_head).get(reverse("ledger:evidence", args=[evidence.pk]))

    assert response.status_code == 200
    assert not response.streaming
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/{quote(evidence.file.name)}"
    assert response["X-Accel-Redirect"].startswith(f"/_protected/evidence/{evidence.task_id}/")
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "%E6%83%A0%E9%98%B3" in disposition  # 惠阳, RFC 5987-encoded
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response["Cache-Control"]
    # The download is recorded as when the app sends the bytes itself.
    assert AuditRecord.objects.filter(verb="evidence.downloaded", actor=huiyang_head).count() == 1


def test_with_accel_redirect_a_user_who_may_not_see_the_task_is_still_refused(
    settings, evidence, boluo_liaison, client_for
):
    settings.RL_ACCEL_REDIRECT = "/_protected/"

    response = client_for(boluo_liaison).get(reverse("ledger:evidence", args=[evidence.pk]))

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
    assert not AuditRecord.objects.filter(verb="evidence.downloaded").exists()


def test_without_accel_redirect_the_app_streams_the_file(
    settings, evidence, huiyang_head, client_for
):
    settings.RL_ACCEL_REDIRECT = ""

    response = client_for(huiyang_head).get(reverse("ledger:evidence", args=[evidence.pk]))

    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
