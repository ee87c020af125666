"""« Accès population », « Accès utilisateur » and « Accès aux services tiers »."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socle.directory.models import Establishment, Membership, Person
from socle.directory.search import search_people
from socle.portal import access_admin, individual
from socle.portal.access import explain_for_people
from socle.portal.detail_forms import (
    ACTIVATED,
    DEACTIVATED,
    DEFAULT_ACCESS,
    INDIVIDUAL_ACCESS,
)
from socle.portal.forms.access import AccessRuleForm, ActivationForm, PersonSearchForm
from socle.portal.models import AccessRule, Service, ServiceActivation
from socle.portal.permissions import (
    admin_required,
    administered_establishments,
    administered_ids,
    can_edit_service,
    can_manage_establishment,
    can_remove_rule,
    forbidden,
    visible_services,
)
from socle.portal.populations import POPULATIONS, profile_label
from socle.portal.traces import record_admin_change
from socle.portal.views.common import current_establishment, picker_context
from socle.portal.views.user_rows import PREFETCH as WHO_PREFETCH
from socle.portal.views.user_rows import reset_link, who


def _service_site(request: HttpRequest, service: Service) -> Establishment | None:
    """The establishment the tab works on: the service's own, else the « site courant »."""
    if service.establishment_id is not None:
        owner = service.establishment
        return owner if can_manage_establishment(request.user, owner) else None
    return current_establishment(request)


def _posted_id(request: HttpRequest) -> int:
    raw = request.POST.get("id", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


def save_activation(
    request: HttpRequest, service: Service, establishment: Establishment, form: ActivationForm
) -> None:
    enabled = form.cleaned_data["enabled"]
    populations = (
        [k for k in POPULATIONS if k in form.cleaned_data["populations"]] if enabled else []
    )
    ServiceActivation.objects.update_or_create(
        service=service,
        establishment=establishment,
        defaults={"enabled": enabled, "populations": populations},
    )
    with translation.override("fr"):  # the journal's language, whatever the page is in
        labels = ", ".join(str(POPULATIONS[k].label) for k in populations)
    record_admin_change(
        request,
        "activation_changed",
        service_code=service.code,
        uai=establishment.uai,
        detail=(ACTIVATED % {"populations": labels} if enabled else DEACTIVATED),
    )


def _record_rule(
    request: HttpRequest, event: str, service: Service, traces: list[tuple[str, str]]
) -> None:
    """The trace of a rule added or removed, in the « Traces » of each school it targets, each
    telling that school's part (``access_admin.rule_traces``), whichever school the page was
    on."""
    for uai, detail in traces:
        record_admin_change(request, event, service_code=service.code, uai=uai, detail=detail)


@admin_required
def service_access(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(visible_services(request.user), pk=pk)
    ids = administered_ids(request.user)
    site = _service_site(request, service)
    state = access_admin.current_state(service, site) if site else {}
    partial = access_admin.partial_populations(state)
    activation_form = ActivationForm(
        prefix="act",
        initial=access_admin.activation_initial(service, site, state) if site else None,
        partial=partial,
    )
    rule_form = AccessRuleForm(prefix="rule", service=service, current=site, administered=ids)
    action = request.POST.get("action") if request.method == "POST" else None

    if action == "activation" and site is not None:
        activation_form = ActivationForm(request.POST, prefix="act", partial=partial)
        if activation_form.is_valid():
            save_activation(request, service, site, activation_form)
            messages.success(
                request, _("Activation enregistrée pour %(name)s.") % {"name": site.name}
            )
            return redirect(request.path)
    elif action == "add_rule":
        rule_form = AccessRuleForm(
            request.POST, prefix="rule", service=service, current=site, administered=ids
        )
        if rule_form.is_valid():
            for rule in rule_form.save(created_by=request.user):
                _record_rule(request, "access_rule_added", service, access_admin.rule_traces(rule))
            messages.success(request, _("Droits d'accès ajoutés."))
            return redirect(request.path)
    elif action == "remove_rule":
        to_remove = AccessRule.objects.filter(service=service, pk=_posted_id(request)).first()
        if to_remove is None or not can_remove_rule(request.user, to_remove):
            return forbidden(request, _("Vous ne pouvez pas supprimer ce droit d'accès."))
        traces = access_admin.rule_traces(to_remove)
        to_remove.delete()
        _record_rule(request, "access_rule_removed", service, traces)
        messages.success(request, _("Droit d'accès supprimé."))
        return redirect(request.path)
    elif action == "remove_activation":
        est_id = _posted_id(request)
        if not can_manage_establishment(request.user, est_id):
            return forbidden(request, _("Vous n'administrez pas cet établissement."))
        act = (
            ServiceActivation.objects.filter(service=service, establishment_id=est_id)
            .select_related("establishment")
            .first()
        )
        if act is not None:
            act.delete()
            record_admin_change(
                request,
                "activation_changed",
                service_code=service.code,
                uai=act.establishment.uai,
                detail=DEFAULT_ACCESS,
            )
            messages.success(
                request,
                _("%(name)s revient à l'accès par défaut du service.")
                % {"name": act.establishment.name},
            )
        return redirect(request.path)

    rules = AccessRule.objects.filter(service=service).prefetch_related("establishments", "groups")
    can_remove = {r.pk: can_remove_rule(request.user, r) for r in rules}
    context: dict[str, Any] = {
        "service": service,
        "tab": "access",
        "site": site,
        "can_edit": can_edit_service(request.user, service),
        "activation_form": activation_form,
        "rule_form": rule_form,
        "state_text": access_admin.state_text(state) if site else "",
        "partial": partial,
        "recap": access_admin.recap_rows(service, ids, can_remove),
        **picker_context(request, site),
    }
    return render(request, "portal/services/access.html", context)


def _search_people(request: HttpRequest, query: str) -> list[Person]:
    """The directory's fuzzy search, or the exact login, within the administrator's scope."""
    ids = administered_ids(request.user)
    found = list(Person.objects.filter(login__iexact=query))
    if ids is not None and len(ids) == 1:
        only = Establishment.objects.get(pk=next(iter(ids)))
        found += search_people(query, establishment=only, limit=20)
    else:
        found += search_people(query, limit=50)
    people = list({p.pk: p for p in found}.values())
    if ids is not None:
        allowed = set(
            Membership.objects.filter(person__in=people, establishment_id__in=ids).values_list(
                "person_id", flat=True
            )
        )
        people = [p for p in people if p.pk in allowed]
    return people[:20]


def _grant_establishments(ids: set[int] | None, service: Service, person: Person) -> list[Any]:
    """Where an administrator of ``ids`` (``None`` = all) may give this person the service by
    name (uses prefetched ``memberships__establishment`` when there)."""
    found: dict[int, Establishment] = {}
    for membership in person.memberships.all():
        est_id = membership.establishment_id
        if service.establishment_id is not None and est_id != service.establishment_id:
            continue
        if ids is not None and est_id not in ids:
            continue
        found.setdefault(est_id, membership.establishment)
    return list(found.values())


@admin_required
def service_users(request: HttpRequest, pk: int) -> HttpResponse:
    """« Accès utilisateur »: does this person have access, and why (per establishment); give
    or withdraw access to one person by name."""
    service = get_object_or_404(visible_services(request.user), pk=pk)
    ids = administered_ids(request.user)
    if request.method == "POST":
        person = Person.objects.filter(pk=_posted_id(request)).first()
        where = _grant_establishments(ids, service, person) if person else []
        if person is None or not where:
            return forbidden(request, _("Vous n'administrez pas cette personne."))
        detail = INDIVIDUAL_ACCESS % {"login": person.login}
        if request.POST.get("action") == "grant":
            for establishment in where:  # each school's « Traces » tells its own
                individual.grant(service, person, establishment)
                record_admin_change(
                    request,
                    "access_rule_added",
                    service_code=service.code,
                    uai=establishment.uai,
                    detail=detail,
                )
            messages.success(
                request,
                _("%(name)s a maintenant un accès individuel.") % {"name": person.display_name},
            )
        elif revoked := individual.revoke(service, person, ids):
            for uai in revoked:
                record_admin_change(
                    request,
                    "access_rule_removed",
                    service_code=service.code,
                    uai=uai,
                    detail=detail,
                )
            messages.success(
                request, _("Accès individuel retiré à %(name)s.") % {"name": person.display_name}
            )
        return redirect(request.get_full_path())
    form = PersonSearchForm(request.GET or None)
    granted = individual.granted_people(service, ids)
    granted_ids = {p.pk for p in granted}
    results = []
    if form.is_valid() and form.cleaned_data["q"].strip():
        people = _search_people(request, form.cleaned_data["q"].strip())
        prefetch_related_objects(people, *WHO_PREFETCH)
        decisions = explain_for_people(people, service)
        wanted = {v.establishment_id for d in decisions.values() for v in d.verdicts}
        names = dict(Establishment.objects.filter(pk__in=wanted).values_list("pk", "name"))
        for person in people:
            decision = decisions[person.pk]
            verdicts = _shown_verdicts(decision.verdicts, ids, names)
            results.append(
                {
                    "person": person,
                    "who": who(person, ids),
                    "allowed": decision.allowed,
                    "verdicts": verdicts,
                    "individual": person.pk in granted_ids,
                    "reset": reset_link(request.user, person),
                    "can_grant": bool(_grant_establishments(ids, service, person)),
                }
            )
    return render(
        request,
        "portal/services/users.html",
        {
            "service": service,
            "tab": "users",
            "form": form,
            "results": results,
            "searched": form.is_bound,
            "granted": granted,
            "can_edit": can_edit_service(request.user, service),
        },
    )


def _shown_verdicts(
    verdicts: list[Any], ids: set[int] | None, names: dict[int, str]
) -> list[dict[str, Any]]:
    """The verdicts of « Accès utilisateur » as an administrator may see them: those of the
    establishments they administer (all for an administrator of the whole ENT); the others
    folded into one line without the school's name, the person's profile there or the reason,
    which belong to that school."""
    shown = [
        {
            "establishment": names.get(v.establishment_id or 0, "—"),
            "profile": profile_label(v.profile) if v.profile else "—",
            "allowed": v.allowed,
            "reason": _(v.reason),  # a msgid of socle.portal.policy
        }
        for v in verdicts
        if ids is None or v.establishment_id is None or v.establishment_id in ids
    ]
    hidden = [v for v in verdicts if ids is not None and v.establishment_id not in (None, *ids)]
    if hidden:
        shown.append(
            {
                "establishment": ngettext(
                    "Un autre établissement", "%(count)s autres établissements", len(hidden)
                )
                % {"count": len(hidden)},
                "profile": "—",
                "allowed": any(v.allowed for v in hidden),
                "reason": _("décidé par un établissement que vous n'administrez pas"),
            }
        )
    return shown


def _updated_message(changed: int, site: Establishment) -> str:
    if not changed:
        return _("Aucun changement pour %(name)s.") % {"name": site.name}
    return ngettext(
        "%(n)s service mis à jour pour %(name)s.",
        "%(n)s services mis à jour pour %(name)s.",
        changed,
    ) % {"n": changed, "name": site.name}


@admin_required
def activations(request: HttpRequest) -> HttpResponse:
    """« Accès aux services tiers »: every service of one establishment, Activer Oui/Non and
    the profiles allowed."""
    site = current_establishment(request)
    context: dict[str, Any] = {**picker_context(request, site), "rows": []}
    if site is None:
        return render(request, "portal/activations.html", context)
    services = list(
        Service.objects.filter(enabled=True, anonymous=False)
        .filter(Q(establishment__isnull=True) | Q(establishment=site))
        .order_by("order", "label")
    )
    rows: list[dict[str, Any]] = []
    for service in services:
        state = access_admin.current_state(service, site)
        partial = access_admin.partial_populations(state)
        form = ActivationForm(
            request.POST if request.method == "POST" else None,
            prefix=f"s{service.pk}",
            initial=access_admin.activation_initial(service, site, state),
            partial=partial,
        )
        rows.append(
            {
                "service": service,
                "form": form,
                "state_text": access_admin.state_text(state),
                "partial": partial,
            }
        )
    if request.method == "POST":
        if all(row["form"].is_valid() for row in rows if row["form"].has_changed()):
            changed = 0
            for row in rows:
                if row["form"].has_changed():
                    save_activation(request, row["service"], site, row["form"])
                    changed += 1
            messages.success(request, _updated_message(changed, site))
            return redirect(f"{request.path}?etab={site.uai}")
        messages.error(request, _("Certaines lignes contiennent des erreurs : voir ci-dessous."))
    context["rows"] = rows
    context["administered_count"] = administered_establishments(request.user).count()
    return render(request, "portal/activations.html", context)
