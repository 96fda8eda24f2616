"""What the pages of every section share: the section's gate, a list's paging and
query strings, an act posted from an object's page (a stored file is sent back by
`core.http.stored_file_response`)."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect

from reformledger.core.exceptions import ConflictError
from reformledger.core.forms import add_service_errors


def section_page(sees: Callable) -> Callable:
    """A decorator for the pages of a section: signed in, and `sees(user)` true (403)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not sees(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def list_paging(request, rows) -> dict:
    """A list's page of `rows` and the query strings its links keep: `query` without the
    page (for the pager), `sort_query` without the page and the ordering (for the
    column heads)."""
    page: Page = Paginator(rows, settings.LEDGER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("ordering", None)
    return {"page": page, "query": query.urlencode(), "sort_query": sort_query.urlencode()}


def posted_act(request, *, run: Callable[[], object], done: str, back: str) -> HttpResponse:
    """An act without a form: run it; a state that no longer allows it comes back as a
    warning, else `done` as a success; either way back to `back`."""
    try:
        run()
    except ConflictError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(back)


def posted_form_act(
    request,
    form,
    *,
    run: Callable[[dict], object],
    done: str,
    back: str,
    refused: Callable[[object], HttpResponse],
    renames: dict[str, str] | None = None,
) -> HttpResponse:
    """An act posted with a form: a valid form runs the act; a service's refusal comes
    back onto the form and `refused(form)` answers (the page again, 400); a state that
    no longer allows the act comes back as a warning and `back`, as does `done`."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, renames)
        except ConflictError as exc:
            messages.warning(request, str(exc))
            return redirect(back)
        else:
            messages.success(request, done)
            return redirect(back)
    return refused(form)
