"""The lists' office pages: the editions; an edition with its departments' parts, a
search of its items, the import of a sheet (an import job with a preview), the
review of each part and the publication (confirmed on a page that shows what it rests
on); an item with its correction; the comparison of two editions with its Excel."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from reformledger.audit.services import document_exported
from reformledger.catalog import permissions, selectors, services
from reformledger.catalog.choices import ChangeKind, EditionStatus, ListKind, PartStatus
from reformledger.catalog.compare import compare_editions
from reformledger.catalog.documents import write_comparison_xlsx, write_edition_xlsx
from reformledger.catalog.forms import EditionForm, ImportForm, ItemForm, PublishForm, RemoveForm
from reformledger.catalog.models import Edition, Item, ItemType, Part
from reformledger.catalog.services import imports
from reformledger.core.clock import business_today
from reformledger.core.forms import add_service_errors
from reformledger.core.http import XLSX, file_download
from reformledger.core.views import list_paging, posted_act, posted_form_act, section_page
from reformledger.exchange.models import ImportJob
from reformledger.exchange.views import upload_to_job
from reformledger.exchange.xlsx_safety import MemoryUploadHandler, max_upload_bytes
from reformledger.ledger.models import Task
from reformledger.orgs.choices import UnitKind
from reformledger.orgs.models import Unit
from reformledger.orgs.permissions import offices_worked

sees = section_page(permissions.sees_lists)


def _edition(request, pk: int) -> Edition:
    edition = (
        permissions.visible_editions(request.user)
        .select_related("office", "jurisdiction", "previous", "task", "published_by")
        .filter(pk=pk)
        .first()
    )
    if edition is None:
        raise Http404
    return edition


@sees
def edition_list(request):
    """The editions the user may see; office staff start one here."""
    q = request.GET.get("q", "").strip()
    rows = selectors.editions(request.user, q=q)
    return render(
        request,
        "catalog/edition_list.html",
        {"q": q, "may_start": bool(offices_worked(request.user)), **list_paging(request, rows)},
    )


@sees
def edition_create(request):
    """Start a draft edition of a place's lists."""
    offices = offices_worked(request.user)
    if not offices:
        raise PermissionDenied
    office_ids = [o.pk for o in offices]
    places = Unit.objects.filter(kind__in=(UnitKind.CITY, UnitKind.COUNTY, UnitKind.ZONE)).order_by(
        "path"
    )
    tasks = Task.objects.filter(office_id__in=office_ids).order_by("-year", "code")
    form = EditionForm(
        request.POST or None,
        offices=Unit.objects.filter(pk__in=office_ids),
        places=places,
        tasks=tasks,
        initial={"office": offices[0].pk, "year": business_today().year},
    )

    if request.method == "POST" and form.is_valid():
        try:
            edition = services.edition_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("office", _("You may not start an edition in this office."))
        else:
            messages.success(request, _("The edition is started: import the departments' lists."))
            return redirect("catalog:edition", edition.pk)
    return render(
        request,
        "catalog/edition_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@sees
def edition_detail(request, pk: int):
    """An edition: its document, its departments' parts and a search of its items."""
    edition = _edition(request, pk)
    user = request.user
    q = request.GET.get("q", "").strip()
    list_kind = request.GET.get("list", "")
    list_kind = list_kind if list_kind in ListKind.values else ""
    type_id = request.GET.get("type", "")
    item_type = ItemType.objects.filter(pk=type_id).first() if type_id.isdigit() else None
    rows = selectors.items_of(edition, q=q, list_kind=list_kind, item_type=item_type)
    parts = list(selectors.parts_of(edition))
    may_manage = permissions.can(user, "manage", edition)
    return render(
        request,
        "catalog/edition_detail.html",
        {
            "edition": edition,
            "parts": parts,
            "waiting": sum(1 for p in parts if p.status == PartStatus.IMPORTED),
            "may_manage": may_manage,
            "may_publish": permissions.can(user, "publish", edition),
            "q": q,
            "list_kind": list_kind,
            "lists": ListKind.choices,
            "types": ItemType.objects.all(),
            "type_id": item_type.pk if item_type else None,
            "history": selectors.edition_history(edition),
            **list_paging(request, rows),
        },
    )


@sees
@require_POST
def part_review(request, pk: int):
    part = get_object_or_404(Part.objects.select_related("edition"), pk=pk)
    edition = _edition(request, part.edition_id)
    if not permissions.can(request.user, "manage", edition):
        raise PermissionDenied
    return posted_act(
        request,
        run=lambda: services.part_review(by=request.user, part=part),
        done=_("%(part)s is reviewed.") % {"part": part},
        back=reverse("catalog:edition", args=[edition.pk]),
    )


@sees
def edition_publish(request, pk: int):
    """Publish an edition: the page shows what it rests on and asks to confirm."""
    edition = _edition(request, pk)
    if not permissions.can(request.user, "publish", edition):
        raise PermissionDenied
    parts = list(selectors.parts_of(edition))
    form = PublishForm(
        request.POST or None,
        initial={"published_on": business_today(), "version": edition.version},
    )
    comparison = compare_editions(edition.previous, edition) if edition.previous else None

    def refused(form):
        return render(
            request,
            "catalog/publish.html",
            {"edition": edition, "form": form, "parts": parts, "comparison": comparison},
            status=400 if form.is_bound else 200,
        )

    if request.method != "POST":
        return refused(form)
    return posted_form_act(
        request,
        form,
        run=lambda data: services.edition_publish(by=request.user, edition=edition, **data),
        done=_("The edition is published and open to the public."),
        back=reverse("catalog:edition", args=[edition.pk]),
        refused=refused,
    )


@sees
def item_detail(request, pk: int):
    """An item, with its correction while the edition is a draft."""
    item = get_object_or_404(
        Item.objects.select_related("edition", "department", "item_type", "parent", "part"),
        pk=pk,
    )
    edition = _edition(request, item.edition_id)
    may_manage = permissions.can(request.user, "manage", edition)
    initial = {name: getattr(item, name) for name in services.ITEM_FIELDS[ListKind(item.list_kind)]}
    initial["item_type"] = item.item_type_id
    initial["version"] = item.version
    form = ItemForm(request.POST or None, list_kind=item.list_kind, initial=initial)
    back = reverse("catalog:item", args=[item.pk])

    def page(form, status=200):
        return render(
            request,
            "catalog/item_detail.html",
            {
                "item": item,
                "edition": edition,
                "subs": item.sub_items.select_related("item_type").order_by("position"),
                "form": form if may_manage else None,
                "remove_form": RemoveForm() if may_manage else None,
                "history": selectors.item_history(item),
            },
            status=status,
        )

    if request.method != "POST":
        return page(form)
    if not may_manage:
        raise PermissionDenied

    def run(data):
        data = dict(data)
        reason = data.pop("reason", "")
        version = data.pop("version")
        services.item_update(by=request.user, item=item, version=version, reason=reason, **data)

    return posted_form_act(
        request,
        form,
        run=run,
        done=_("The item is corrected; its department's part waits for review again."),
        back=back,
        refused=lambda f: page(f, 400),
    )


@sees
@require_POST
def item_remove(request, pk: int):
    item = get_object_or_404(Item.objects.select_related("edition"), pk=pk)
    edition = _edition(request, item.edition_id)
    if not permissions.can(request.user, "manage", edition):
        raise PermissionDenied
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.warning(request, _("Say why the item is taken out."))
        return redirect("catalog:item", item.pk)
    return posted_act(
        request,
        run=lambda: services.item_remove(
            by=request.user, item=item, reason=form.cleaned_data["reason"]
        ),
        done=_("The item is taken out of the edition."),
        back=reverse("catalog:edition", args=[edition.pk]),
    )


def _other(request, edition: Edition) -> Edition | None:
    wanted = request.GET.get("with", "")
    if wanted.isdigit():
        other = selectors.comparable(request.user, edition).filter(pk=int(wanted)).first()
        if other is None:
            raise Http404
        return other
    return edition.previous


@sees
def comparison(request, pk: int):
    """What changed between the edition and another (its previous one by default)."""
    edition = _edition(request, pk)
    other = _other(request, edition)
    found = None
    if other is not None:
        old, new = (other, edition) if other.year < edition.year else (edition, other)
        found = compare_editions(old, new)
    kind = request.GET.get("kind", "")
    changes = found.changes if found else []
    if kind in ChangeKind.values:
        changes = [c for c in changes if kind in c.kinds]
    return render(
        request,
        "catalog/comparison.html",
        {
            "edition": edition,
            "other": other,
            "comparison": found,
            "others": selectors.comparable(request.user, edition),
            "kind": kind,
            "kinds": ChangeKind.choices,
            **list_paging(request, changes),
        },
    )


@sees
def comparison_xlsx(request, pk: int):
    edition = _edition(request, pk)
    other = _other(request, edition)
    if other is None:
        raise Http404
    old, new = (other, edition) if other.year < edition.year else (edition, other)
    found = compare_editions(old, new)
    data = write_comparison_xlsx(found)
    document_exported(
        by=request.user,
        document="list_comparison",
        fmt="xlsx",
        rows=len(found.changes),
        filters={"old": old.pk, "new": new.pk},
    )
    return file_download(data, XLSX, f"lists-{old.year}-{new.year}.xlsx")


@sees
def edition_xlsx(request, pk: int):
    edition = _edition(request, pk)
    data = write_edition_xlsx(edition)
    document_exported(
        by=request.user,
        document="list_edition",
        fmt="xlsx",
        rows=edition.items.count(),
        filters={"edition": edition.pk},
    )
    return file_download(data, XLSX, f"lists-{edition.year}.xlsx")


@csrf_protect
def _import(request, edition: Edition, handler: MemoryUploadHandler):
    departments = (
        Unit.objects.filter(path__startswith=edition.jurisdiction.path)
        .exclude(kind=UnitKind.OFFICE)
        .order_by("path")
    )
    form = ImportForm(request.POST or None, request.FILES or None, departments=departments)
    done = upload_to_job(
        request,
        form,
        handler,
        kind=imports.LISTS_JOB,
        params=lambda data: imports.job_params(edition=edition, department=data["department"]),
    )
    if done is not None:
        return done
    recent = ImportJob.objects.filter(
        created_by=request.user, kind=imports.LISTS_JOB, params__edition=edition.pk
    ).defer("payload")
    return render(
        request,
        "catalog/import.html",
        {
            "edition": edition,
            "form": form,
            "recent": recent[:10],
            "limit_mb": max_upload_bytes() // (1024 * 1024),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_exempt
@sees
def lists_import(request, pk: int):
    """Upload departments' lists: read into a preview (the job's page); nothing is
    written until the clerk confirms it, and then all or nothing."""
    edition = _edition(request, pk)
    if edition.status != EditionStatus.DRAFT:
        messages.warning(request, _("This edition is published: it no longer changes."))
        return redirect("catalog:edition", edition.pk)
    if not permissions.can(request.user, "manage", edition):
        raise PermissionDenied
    handler = MemoryUploadHandler(request, limit=max_upload_bytes())
    request.upload_handlers = [handler]
    return _import(request, edition, handler)


app_name = "catalog"
urlpatterns = [
    path("", edition_list, name="list"),
    path("new/", edition_create, name="new"),
    path("<int:pk>/", edition_detail, name="edition"),
    path("<int:pk>/import/", lists_import, name="import"),
    path("<int:pk>/publish/", edition_publish, name="publish"),
    path("<int:pk>/compare/", comparison, name="compare"),
    path("<int:pk>/compare.xlsx", comparison_xlsx, name="compare_xlsx"),
    path("<int:pk>/edition.xlsx", edition_xlsx, name="xlsx"),
    path("parts/<int:pk>/review/", part_review, name="part_review"),
    path("items/<int:pk>/", item_detail, name="item"),
    path("items/<int:pk>/remove/", item_remove, name="item_remove"),
]
