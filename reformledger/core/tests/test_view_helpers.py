"""The pieces the sections' pages share (core/views.py, core/forms.py): a service's
refusal lands on the form's field under the form's name, a list keeps its query
strings without the page (and the ordering, for the column heads), and a posted act
answers a conflict with a warning and the way back."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors
from reformledger.core.views import list_paging, posted_act, posted_form_act


class _Form(forms.Form):
    files = forms.CharField(required=False)
    note = forms.CharField(required=False)


def _post(data=None):
    request = RequestFactory().post("/x/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_a_refusal_lands_on_the_renamed_field_and_the_rest_on_the_form():
    form = _Form({})
    assert form.is_valid()
    add_service_errors(
        form, ValidationError({"file": "too large", "other": "no"}), {"file": "files"}
    )
    assert form.errors["files"] == ["too large"]
    assert form.non_field_errors() == ["no"]


@override_settings(LEDGER_PAGE_SIZE=2)
def test_a_list_keeps_its_filters_without_the_page_or_the_ordering():
    request = RequestFactory().get("/x/", {"q": "a", "ordering": "-year", "page": "2"})
    paging = list_paging(request, list(range(5)))
    assert list(paging["page"]) == [2, 3]
    assert paging["query"] == "q=a&ordering=-year"
    assert paging["sort_query"] == "q=a"


def test_an_act_its_state_no_longer_allows_is_a_warning_and_the_way_back():
    def refuse():
        raise ConflictError("already done")

    request = _post()
    response = posted_act(request, run=refuse, done="done", back="/back/")
    assert (response.status_code, response.url) == (302, "/back/")
    assert [str(m) for m in get_messages(request)] == ["already done"]


def test_a_form_act_refused_by_its_service_answers_with_the_form():
    def refuse(data):
        raise ValidationError({"file": "too large"})

    request = _post({"note": "n"})
    response = posted_form_act(
        request,
        _Form(request.POST),
        run=refuse,
        done="done",
        back="/back/",
        refused=lambda form: HttpResponse(form.errors["files"][0], status=400),
        renames={"file": "files"},
    )
    assert (response.status_code, response.content) == (400, b"too large")
    assert list(get_messages(request)) == []


def test_a_form_act_done_says_so_and_goes_back():
    seen = []
    request = _post({"note": "n"})
    response = posted_form_act(
        request,
        _Form(request.POST),
        run=seen.append,
        done="done",
        back="/back/",
        refused=lambda form: HttpResponse(status=400),
    )
    assert (response.status_code, response.url) == (302, "/back/")
    assert seen[0]["note"] == "n"
    assert [str(m) for m in get_messages(request)] == ["done"]
