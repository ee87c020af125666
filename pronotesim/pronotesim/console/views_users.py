"""Administration: the users' resource lists (with « Identifiant CAS ») and the submissions of
the « Identification impossible » form."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from pronotesim.base.categories import CATEGORIES, CATEGORY_CHOICES
from pronotesim.base.loading import BaseFormatError, parse_base
from pronotesim.base.merging import add_users
from pronotesim.base.models import Establishment, PronoteUser
from pronotesim.base.names import person_sort_key
from pronotesim.console.models import IdentificationRequest
from pronotesim.console.spr import spr_required
from pronotesim.espaces.urls_util import admin_prefix


def users_path() -> str:
    return admin_prefix() + "utilisateurs"


@spr_required
def users(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("categorie", "")
    query = request.GET.get("q", "").strip()[:100]
    without_cas = request.GET.get("sans_cas") == "1"
    rows = PronoteUser.objects.all()
    if category in CATEGORIES:
        rows = rows.filter(category=category)
    if query:
        rows = rows.filter(
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(pronote_id__iexact=query)
            | Q(cas_identifier__iexact=query)
            | Q(class_name__iexact=query)
        )
    if without_cas:
        rows = rows.filter(cas_identifier="")
    # Sorted in Python: the database orders by code point (« Aïcha » after « Anthony »).
    page = Paginator(sorted(rows, key=person_sort_key), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "pronotesim/console/users.html",
        {
            "page": page,
            "category": category,
            "query": query,
            "without_cas": without_cas,
            "categories": CATEGORY_CHOICES,
            "message": request.session.pop("console_message", ""),
            "establishment": Establishment.current(),
        },
    )


@require_POST
@spr_required
def clear_cas_identifier(request: HttpRequest, pk: int) -> HttpResponse:
    """Removes an account's « Identifiant CAS » (the duplicate-account fix)."""
    user = get_object_or_404(PronoteUser, pk=pk)
    PronoteUser.objects.filter(pk=user.pk).update(cas_identifier="", cas_bound_at=None)
    back = request.POST.get("back", users_path())
    return HttpResponseRedirect(back if back.startswith(users_path()) else users_path())


@spr_required
def identification_requests(request: HttpRequest) -> HttpResponse:
    page = Paginator(IdentificationRequest.objects.all(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pronotesim/console/requests.html",
        {"page": page, "establishment": Establishment.current()},
    )


@require_POST
@spr_required
def delete_identification_request(request: HttpRequest, pk: int) -> HttpResponse:
    IdentificationRequest.objects.filter(pk=pk).delete()
    return HttpResponseRedirect(admin_prefix() + "echecs")


@require_POST
@spr_required
def add_users_file(request: HttpRequest) -> HttpResponse:
    """« Ajouter des utilisateurs »: a pronotesim base JSON of newcomers, merged into the base."""
    upload = request.FILES.get("file")
    message = ""
    if upload is None or (upload.size or 0) > settings.PRONOTESIM_MAX_FILE_SIZE:
        message = "Déposez un fichier JSON pronotesim-base/1."
    else:
        try:
            data = json.loads(upload.read().decode("utf-8"))
            result = add_users(parse_base(data, partial=True))
        except (UnicodeDecodeError, json.JSONDecodeError):
            message = "Le fichier n'est pas un JSON UTF-8 valide."
        except BaseFormatError as exc:
            message = str(exc)
        else:
            message = f"{result.added} utilisateur(s) ajouté(s), {result.updated} mis à jour."
    request.session["console_message"] = message
    return HttpResponseRedirect(users_path())
