"""``socle pronote_doctor --uai UAI [--login LOGIN] [--all]``: is the PRONOTE link healthy?"""

from __future__ import annotations

from typing import Any, cast

from django.core.management.base import CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.core.commands import SocleCommand
from socle.directory.command_options import establishment_of
from socle.directory.dates import local_day
from socle.directory.models import Person
from socle.pronote.departed import departed_reason
from socle.pronote.doctor import DoctorReport, diagnose
from socle.pronote.doctor_account import logins_named
from socle.pronote.predicted_for import stale_mark


class Command(SocleCommand):
    help = cast(
        str,
        gettext_lazy("Diagnostic du lien ENT ↔ PRONOTE d'un établissement (et d'un compte)."),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uai", required=True, help=_("UAI de l'établissement"))
        parser.add_argument("--login", default="", help=_("compte à examiner"))
        parser.add_argument(
            "--all",
            action="store_true",
            help=_("lister tous les comptes sans identifiant (20 par défaut)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        establishment = establishment_of(options["uai"])
        login = options["login"].strip()
        if login and not Person.objects.filter(Q(login=login) | Q(uid=login)).exists():
            unknown = _("Aucun compte « %(login)s » dans l'annuaire (identifiant ou uid).") % {
                "login": login[:150]
            }
            named = logins_named(login, establishment, None)  # a name typed for the login
            raise CommandError(f"{unknown} {named}".strip())
        # the operator's command: any account of the directory (the page is scoped)
        report = diagnose(establishment, login, allowed=None)
        self.stdout.write(render_text(report, limit=None if options["all"] else 20))


def render_text(report: DoctorReport, limit: int | None = 20) -> str:
    out = [f"# PRONOTE — {report.establishment}", report.summary]
    if report.stale_import_text:
        out.append(f"! {report.stale_import_text}")
    out += [
        "",
        "## " + _("Service PRONOTE"),
    ]
    if not report.services:
        out.append(
            _(
                "AUCUN service PRONOTE pour cet établissement (service_add … --sso pronote "
                "--uai %(uai)s)."
            )
            % {"uai": report.establishment.uai}
        )
    for item in report.services:
        service = item.service
        out.append(
            _(
                "%(code)s — %(label)s — %(url)s — reconnaissance %(recognition)s — attribut "
                "%(attribute)s — identifiant CAS %(username_mode)s"
            )
            % {
                "code": service.code,
                "label": service.label,
                "url": service.url,
                "recognition": service.get_pronote_recognition_display(),
                "attribute": service.pronote_id_attribute,
                "username_mode": service.get_username_mode_display(),
            }
        )
        for check in item.urls:
            mark = "OK" if check.accepted else _("NON")
            note = f" ({check.note})" if check.note else ""
            out.append(f"  [{mark:<3}] {check.url}{note}")
        out.extend(f"  ! {problem}" for problem in item.problems)
    if report.divergent_text:
        out.append(f"! {report.divergent_text}")
    out += ["", "## " + _("Comptes avec un identifiant PRONOTE")]
    for cov in report.coverage:
        out.append(
            _("%(label)s : %(with_id)s/%(total)s (%(percent)s %%)")
            % {
                "label": cov.label,
                "with_id": cov.with_id,
                "total": cov.total,
                "percent": cov.percent,
            }
        )
        shown = cov.missing if limit is None else cov.missing[:limit]
        for name, login in shown:
            out.append(
                "  " + _("sans identifiant : %(name)s (%(login)s)") % {"name": name, "login": login}
            )
        hidden = (cov.total - cov.with_id) - len(shown)
        if hidden > 0:
            out.append("  " + _("… et %(count)s autre(s) (--all)") % {"count": hidden})
    if report.conflicts:
        out += ["", "## " + _("Conflits des derniers imports")]
        out += [
            "  "
            + _("%(last_name)s %(first_name)s (%(pronote_id)s) : %(detail)s (import du %(date)s)")
            % {
                "last_name": r.last_name,
                "first_name": r.first_name,
                "pronote_id": r.pronote_id,
                "detail": r.localized_outcome_detail  # rendered from its stored parts
                + (f" {stale_mark()}" if r.pk in report.stale_conflicts else ""),
                "date": local_day(r.session.created_at),
            }
            for r in report.conflicts
        ]
    if report.cas_mismatches:
        heading = _("Identifiants CAS réinitialisés par l'export")
        out += ["", "## " + heading, report.cas_mismatch_text]
        out += _capped(
            [
                "  "
                + _("%(name)s (%(login)s), %(detail)s")
                % {"name": mismatch.name, "login": mismatch.login, "detail": mismatch.detail}
                for mismatch in report.cas_mismatches
            ],
            limit,
        )
    if report.namesake_lines:
        out += [
            "",
            "## " + _("Homonymes que PRONOTE ne distingue pas par l'identité"),
            report.namesake_text,
        ]
        out += _capped(["  " + line for line in report.namesake_lines], limit)
    if report.departed:
        out += ["", "## " + _("Identifiants de personnes parties"), report.departed_text]
        out += _capped(
            [
                "  "
                + _("%(name)s (%(login)s), %(category)s, %(pronote_id)s : %(reason)s")
                % {
                    "name": gone.name,
                    "login": gone.login,
                    "category": gone.category,
                    "pronote_id": gone.pronote_id,
                    "reason": departed_reason(gone),
                }
                for gone in report.departed
            ],
            limit,
        )
    if report.missing_events:
        out += ["", "## " + _("Connexions à PRONOTE sans identifiant")]
        for event in report.missing_events:
            when = timezone.localtime(event.last_at)
            out.append(
                "  "
                + _("%(person)s (%(login)s) : %(count)s fois, dernière le %(date)s")
                % {
                    "person": event.person,
                    "login": event.person.login,
                    "count": event.count,
                    "date": f"{when:%d/%m/%Y %H:%M}",
                }
            )
    out += ["", "## " + _("Derniers imports")]
    for session in report.imports:
        when = timezone.localtime(session.created_at)
        out.append(
            f"  {when:%d/%m/%Y %H:%M} {session.get_mode_display()} "
            f"{session.source_name} — {session.get_status_display()}"
        )
    if not report.imports:
        out.append("  " + _("aucun"))
    account = report.account
    if account is not None:
        out += ["", "## " + _("Compte %(login)s") % {"login": account.login}]
        if account.person is not None:
            out.append(
                _(
                    "%(person)s — identifiant PRONOTE : %(pronote_id)s — utilisateur CAS "
                    "transmis : %(username)s"
                )
                % {
                    "person": account.person,
                    "pronote_id": account.pronote_id or _("aucun"),
                    "username": account.username or "—",
                }
            )
            for name, values in sorted(account.attributes.items()):
                out.append(f"  {name} = {'; '.join(values)}")
        out += [f"=> {line}" for line in account.verdict]
        out += ["   " + _("Correction : %(fix)s") % {"fix": line} for line in account.fixes]
        if account.saml:
            out += ["", _("Réponse SAML 1.1 que recevrait PRONOTE :"), account.saml]
    return "\n".join(out)


def _capped(lines: list[str], limit: int | None) -> list[str]:
    """At most ``limit`` of ``lines`` (all of them for ``--all``), then how many were left out."""
    shown = lines if limit is None else lines[:limit]
    hidden = len(lines) - len(shown)
    if hidden > 0:
        shown = [*shown, "  " + _("… et %(count)s autre(s) (--all)") % {"count": hidden}]
    return shown
