"""« Gestion portail > Services »: list, create, modify, delete."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from socle.portal.detail_forms import FIELDS_CHANGED
from socle.portal.forms.services import ServiceForm
from socle.portal.hosted_pronote import service_uai_warning
from socle.portal.models import AccessMode, Service
from socle.portal.permissions import (
    admin_required,
    administered_ids,
    can_edit_service,
    forbidden,
    visible_services,
)
from socle.portal.release import release_changed, release_detail
from socle.portal.saml_http import service_http_warning
from socle.portal.traces import record_admin_change
from socle.portal.username_lock import pairwise_loss_on_delete


def _categories(request: HttpRequest) -> list[str]:
    """The « Catégorie » suggestions: those of the services the administrator sees (the whole
    ENT's and their establishments'), not another school's."""
    services = visible_services(request.user).exclude(category="")
    return sorted(set(services.values_list("category", flat=True)))


def _warn_other_uai(request: HttpRequest, service: Service) -> None:
    """Saved, but its PRONOTE.net address names another establishment (``socle.W045``)."""
    patterns = service.patterns.values_list("kind", "value")
    warning = service_uai_warning(service.code, _uai(service), service.url, patterns)
    if warning:
        messages.warning(request, warning)


def _warn_saml_http(request: HttpRequest, service: Service) -> None:
    """Saved, but at a plain-http address the CAS will send it no SAML attribute (the edit page
    says so under the URL; a new service's next page is « Accès population »)."""
    warning = _saml_http_warning(request, service)
    if warning:
        messages.warning(request, warning)


def _saml_http_warning(request: HttpRequest, service: Service) -> str:
    """The stored service's plain-http warning (``socle.portal.saml_http``), "" when none."""
    return service_http_warning(
        service.sso_type,
        service.url,
        service.patterns.values_list("kind", "value"),
        superuser=administered_ids(request.user) is None,
        id_attribute=service.pronote_id_attribute,
        recognition=service.pronote_recognition,
    )


def _uai(service: Service) -> str:
    return service.establishment.uai if service.establishment else ""


@admin_required
def service_list(request: HttpRequest) -> HttpResponse:
    services = list(visible_services(request.user).prefetch_related("patterns"))
    rows = [(s, can_edit_service(request.user, s)) for s in services]
    return render(
        request,
        "portal/services/list.html",
        {
            "rows": rows,
            "can_create": True,
        },
    )


@admin_required
def service_create(request: HttpRequest) -> HttpResponse:
    ids = administered_ids(request.user)
    form = ServiceForm(
        request.POST or None,
        request.FILES or None,
        administered=ids,
        initial={"access_mode": AccessMode.RULES},
    )
    if request.method == "POST" and form.is_valid():
        service = form.save()
        with translation.override("fr"):  # the journal's language, whatever the page is in
            sso_type = service.get_sso_type_display()
        detail = f"{service.label} — {sso_type} — {service.url} — {release_detail(service)}"
        _saved(
            request,
            service,
            "service_created",
            detail,
            _("Le service « %(label)s » a été créé. Indiquez maintenant qui peut y accéder."),
        )
        _warn_saml_http(request, service)
        return redirect("portal:service_access", pk=service.pk)
    return _form_page(request, form, None)


@admin_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(visible_services(request.user), pk=pk)
    if not can_edit_service(request.user, service):
        return render(
            request,
            "portal/services/readonly.html",
            {
                "service": service,
                "tab": "general",
                "patterns": service.patterns.all(),
                # as the edit page says under the URL
                "saml_http_warning": _saml_http_warning(request, service),
            },
        )
    form = ServiceForm(
        request.POST or None,
        request.FILES or None,
        instance=service,
        administered=administered_ids(request.user),
    )
    if request.method == "POST" and form.is_valid():
        changed = ", ".join(form.changed_data) or "—"
        service = form.save()
        detail = FIELDS_CHANGED % {"fields": changed}
        if release_changed(form.changed_data):  # what the service now receives, in full
            detail = f"{release_detail(service)} — {detail}"
        _saved(
            request,
            service,
            "service_updated",
            detail[:500],
            _("Le service « %(label)s » a été enregistré."),
        )
        return redirect("portal:service_edit", pk=service.pk)
    return _form_page(request, form, service)


def _saved(request: HttpRequest, service: Service, event: str, detail: str, done: str) -> None:
    """A service the form created or changed: traced, said (``done``, with its label), and
    warned of when its PRONOTE.net address names another establishment."""
    record_admin_change(request, event, service_code=service.code, uai=_uai(service), detail=detail)
    messages.success(request, done % {"label": service.label})
    _warn_other_uai(request, service)


def _form_page(request: HttpRequest, form: ServiceForm, service: Service | None) -> HttpResponse:
    context = {
        "form": form,
        "service": service,
        "tab": "general",
        "categories": _categories(request),
    }
    return render(request, "portal/services/form.html", context)


@admin_required
def service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(visible_services(request.user), pk=pk)
    if not can_edit_service(request.user, service):
        return forbidden(request, _("Vous ne pouvez pas supprimer ce service."))
    # A pairwise service's names come from its own salt: deleting it loses them for good.
    names_lost = pairwise_loss_on_delete(service)
    acknowledged = request.POST.get("names_lost") == "1"
    if request.method == "POST" and names_lost and not acknowledged:
        return render(
            request,
            "portal/services/delete.html",
            {"service": service, "names_lost": True, "ack_missing": True},
        )
    if request.method == "POST":
        code, label, uai = service.code, service.label, _uai(service)
        try:
            with transaction.atomic():
                service.delete()
        except (ProtectedError, IntegrityError):
            messages.error(
                request,
                _(
                    "Ce service ne peut pas être supprimé car des données y font encore référence. "
                    "Décochez « Service actif » pour le désactiver."
                ),
            )
            return redirect("portal:service_edit", pk=pk)
        record_admin_change(request, "service_deleted", service_code=code, uai=uai, detail=label)
        messages.success(request, _("Le service « %(label)s » a été supprimé.") % {"label": label})
        return redirect("portal:service_list")
    return render(
        request, "portal/services/delete.html", {"service": service, "names_lost": names_lost}
    )
