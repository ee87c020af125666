"""« Importer les identifiants PRONOTE » and the six-step rapprochement wizard."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from socle.directory.models import Establishment, Person
from socle.pronote.categories import STEP_BY_CATEGORY, STEP_COUNT, step
from socle.pronote.forms import (
    BrowseForm,
    ImportForm,
    StepForm,
    allowed_people,
    initial_mode,
)
from socle.pronote.importer.csv_report import report_csv
from socle.pronote.importer.report import (
    cas_mismatch_rows,
    step_summaries,
    summary_line,
)
from socle.pronote.importer.session import start_import
from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.importer.steps import (
    LargeRemoval,
    StepError,
    StepMoved,
    interrupt,
    validate_step,
)
from socle.pronote.models import ImportMode, ImportRow, ImportSession, SessionStatus
from socle.pronote.namesake_notes import namesakes_shown
from socle.pronote.namesakes import import_namesakes
from socle.pronote.permissions import (
    administered_establishments,
    can_administer,
    pronote_admin_required,
)
from socle.pronote.predicted_for import stale_text
from socle.pronote.school_year import (
    old_export_warning,
    school_year_start,
    stale_import_warning,
)
from socle.pronote.search import browse_more, more_found_text
from socle.pronote.views.actor import page_actor
from socle.pronote.views.refused import nothing_started, refusal, refused_page, session_kept
from socle.pronote.views.wizard_context import cas_mismatch_text, mismatch_item, step_context


def _session(request: HttpRequest, pk: int) -> ImportSession:
    session = get_object_or_404(ImportSession.objects.select_related("establishment"), pk=pk)
    if not can_administer(request.user, session.establishment):
        raise PermissionDenied(_("Vous n'administrez pas cet établissement."))
    return session


@pronote_admin_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid() and form.parsed is not None:
            names = ", ".join(f.name for f in form.cleaned_data["upload"])
            try:
                session = start_import(  # one transaction: whole or nothing
                    form.parsed,
                    form.cleaned_data["establishment"],
                    form.cleaned_data["mode"],
                    source_name=names,
                    user=cast(Person, request.user),
                    actor=page_actor(request),
                )
            except DatabaseError as exc:  # one transaction: rolled back whole
                form.add_error(None, refusal(exc, nothing_started()).text)
            else:
                if form.parsed.ignored:
                    messages.warning(request, form.parsed.ignored_text())
                old_export = old_export_warning(form.parsed.exported_at)
                if old_export:  # last year's file: said once, on the first step's page
                    messages.warning(request, old_export)
                return redirect("pronote:step", session.pk, 1)
    establishments = administered_establishments(request.user).order_by("uai")
    selected = None
    uai = request.GET.get("uai") or (request.POST.get("establishment") or "")
    if uai:
        selected = (
            establishments.filter(uai=uai).first()
            or establishments.filter(pk=uai if uai.isdigit() else 0).first()
        )
    elif establishments.count() == 1:
        selected = establishments.first()
    proposed = initial_mode(selected)
    if request.method != "POST":
        form = ImportForm(
            user=request.user,
            initial={"establishment": request.GET.get("uai"), "mode": proposed},
        )
    recent = ImportSession.objects.filter(establishment__in=establishments).select_related(
        "establishment"
    )[:10]
    return render(
        request,
        "pronote/index.html",
        {
            "form": form,
            "selected": selected,
            "summary": summary_line(selected) if selected else "",
            # the last validated import is the former school year's: the rentrée's is to do
            "stale_import": stale_import_warning(selected) if selected else "",
            # Why Partiel is ticked: a Complet import of this school year is already validated.
            "partiel_proposed": selected is not None and proposed == ImportMode.PARTIEL,
            "school_year_start": school_year_start(),
            "recent": recent,
        },
    )


@pronote_admin_required
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if session.is_open:
        return redirect("pronote:step", session.pk, session.current_step)
    return redirect("pronote:final", session.pk)


@pronote_admin_required
@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        return _step_page(request, session, number)
    except DatabaseError as exc:
        # The step's matching written when the page is first shown, « Interrompre l'import »,
        # the page shown again after a refused validation (a connection lost stays lost): each
        # write in its own transaction, rolled back; the page says so (views/refused.py).
        return refused_page(request, session, exc)


def _step_page(request: HttpRequest, session: ImportSession, number: int) -> HttpResponse:
    validating = request.method == "POST" and request.POST.get("action") == "validate"
    if not session.is_open:
        if validating:  # the back button to a step of an import since finished or interrupted
            messages.info(request, _("Cet import est terminé ou interrompu : relancez un import."))
        return redirect("pronote:final", session.pk)
    if number != session.current_step:
        if validating and number < session.current_step:  # the back button, a second click
            return _moved(request, session, number, session.current_step)
        return redirect("pronote:step", session.pk, session.current_step)
    spec = step(number)
    prepare_step(session, number)
    rows = list(
        ImportRow.objects.filter(session=session, category=spec.category.value)
        .select_related("person")
        .order_by("position")
    )
    allowed = allowed_people(request.user, session.establishment)
    browse_results: dict[int, list[dict[str, Any]]] = {}
    action = request.POST.get("action", "") if request.method == "POST" else ""
    removals_refused = False
    if request.method == "POST":
        # « Interrompre l'import… » (interrupt-ask) shows the page again, choices kept, with a
        # confirmation; only its « Interrompre l'import » button (interrupt) interrupts.
        if action == "interrupt":
            interrupt(session, page_actor(request))
            messages.info(
                request, _("Import interrompu : les étapes déjà validées sont conservées.")
            )
            return redirect("pronote:final", session.pk)
        form = StepForm(request.POST, rows=rows, allowed=allowed)
        if action.startswith("browse-"):
            row_text = action.removeprefix("browse-")
            row_id = int(row_text) if row_text.isdigit() else 0
            query_form = BrowseForm({"q": request.POST.get(f"search-{row_id}", "")})
            if not query_form.is_valid():
                messages.warning(request, query_form.error)
            else:
                query = query_form.cleaned_data["q"]
                browse_results[row_id], more = browse_more(
                    query, session.establishment, allowed, spec.profiles
                )
                if not browse_results[row_id]:
                    messages.warning(
                        request, _("Aucun compte trouvé pour « %(q)s ».") % {"q": query}
                    )
                elif more:
                    messages.info(request, more_found_text(query))
        elif action == "validate" and form.is_valid():
            try:
                validate_step(
                    session,
                    number,
                    form.choices(),
                    form.confirmed(),
                    confirm_removals=form.removals_confirmed(),
                    actor=page_actor(request),
                )
            except StepMoved as exc:
                if exc.closed:
                    messages.info(request, str(exc))
                    return redirect("pronote:final", session.pk)
                return _moved(request, session, number, exc.current_step)
            except StepError as exc:
                removals_refused = isinstance(exc, LargeRemoval)
                messages.error(request, str(exc))
            except DatabaseError as exc:  # the step's one transaction: rolled back whole
                session.refresh_from_db()
                if not session.is_open or session.current_step != number:
                    # validated or interrupted meanwhile (another tab): the top says which
                    return _step_page(request, session, number)
                form.add_error(None, refusal(exc, session_kept(session)).text)
            else:
                session.refresh_from_db()
                if session.status == SessionStatus.FINISHED:
                    return redirect("pronote:final", session.pk)
                return redirect("pronote:step", session.pk, session.current_step)
    else:
        form = StepForm(rows=rows, allowed=allowed)
    context = step_context(
        session,
        number,
        form,
        browse_results,
        confirm_interrupt=action == "interrupt-ask",
        removals_refused=removals_refused,
    )
    return render(request, "pronote/step.html", context)


def _moved(request: HttpRequest, session: ImportSession, number: int, current: int) -> HttpResponse:
    """Step ``number`` was validated already (a double click, the back button, a second tab):
    show the step the import is at, saying so."""
    messages.info(
        request,
        _(
            "L'étape %(number)s/%(count)s était déjà validée (double clic, ou un autre onglet) : "
            "voici l'étape %(step)s/%(count)s."
        )
        % {"number": number, "step": current, "count": STEP_COUNT},
    )
    return redirect("pronote:step", session.pk, current)


@pronote_admin_required
def final(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        return _final_page(request, session)
    except DatabaseError as exc:  # reads only: a connection lost, a statement timeout
        return refused_page(request, session, exc)


def _final_page(request: HttpRequest, session: ImportSession) -> HttpResponse:
    if session.is_open:
        return redirect("pronote:step", session.pk, session.current_step)
    steps = step_summaries(session)
    mismatch_total = sum(s.cas_mismatches for s in steps)
    mismatched = cas_mismatch_rows(session, limit=200) if mismatch_total else []
    namesake_text, namesake_lines = namesakes_shown(import_namesakes(session))
    return render(
        request,
        "pronote/final.html",
        {
            "session": session,
            "summary": summary_line(session.establishment),
            "steps": steps,
            "conflicts": session.rows.filter(outcome="conflict").order_by("position")[:200],
            "cas_mismatches": [mismatch_item(r, r.localized_cas_mismatch) for r in mismatched],
            "cas_mismatches_hidden": max(0, mismatch_total - len(mismatched)),
            "cas_mismatch_text": cas_mismatch_text(mismatch_total),
            "stale_predictions": stale_text(session),
            "namesake_text": namesake_text,
            "namesake_lines": namesake_lines,
        },
    )


@pronote_admin_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        data = report_csv(session)  # reads only: a connection lost, a statement timeout
    except DatabaseError as exc:
        return refused_page(request, session, exc)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-import-pronote-{session.establishment.uai}-'
        f'{session.pk}.csv"'
    )
    return response


@pronote_admin_required
@require_GET
def search(request: HttpRequest) -> JsonResponse:
    """« Parcourir » : JSON list of accounts for a name, first name, class or birth date."""
    establishment = get_object_or_404(Establishment, uai=request.GET.get("uai", ""))
    if not can_administer(request.user, establishment):
        raise PermissionDenied
    category = STEP_BY_CATEGORY.get(request.GET.get("categorie", ""))
    query_form = BrowseForm(request.GET)
    if not query_form.is_valid():
        return JsonResponse({"results": [], "error": query_form.error}, status=400)
    results, more = browse_more(
        query_form.cleaned_data["q"],
        establishment,
        allowed_people(request.user, establishment),
        category.profiles if category else frozenset(),
    )
    # « more »: the sentence to say instead of « N comptes trouvés » (empty: all are listed)
    more_text = more_found_text(query_form.cleaned_data["q"]) if more else ""
    return JsonResponse({"results": results, "more": more_text})
