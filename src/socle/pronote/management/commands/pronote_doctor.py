"""``socle pronote_doctor --uai UAI [--login LOGIN] [--all]``: is the PRONOTE link healthy?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from socle.directory.models import Establishment
from socle.directory.uai import InvalidUAI, normalize_uai
from socle.pronote.doctor import DoctorReport, diagnose


class Command(BaseCommand):
    help = "Diagnostic du lien ENT ↔ PRONOTE d'un établissement (et d'un compte)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--uai", required=True)
        parser.add_argument("--login", default="", help="compte à examiner")
        parser.add_argument(
            "--all",
            action="store_true",
            help="lister tous les comptes sans identifiant (20 par défaut)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            uai = normalize_uai(options["uai"])
        except InvalidUAI as exc:
            raise CommandError(str(exc)) from None
        establishment = Establishment.objects.filter(uai=uai).first()
        if establishment is None:
            raise CommandError(f"Établissement {uai} inconnu.")
        report = diagnose(establishment, options["login"])
        self.stdout.write(render_text(report, limit=None if options["all"] else 20))


def render_text(report: DoctorReport, limit: int | None = 20) -> str:
    out = [f"# PRONOTE — {report.establishment}", report.summary, "", "## Service PRONOTE"]
    if not report.services:
        out.append(
            "AUCUN service PRONOTE pour cet établissement (service_add … --sso pronote "
            f"--uai {report.establishment.uai})."
        )
    for item in report.services:
        service = item.service
        out.append(
            f"{service.code} — {service.label} — {service.url} — reconnaissance "
            f"{service.get_pronote_recognition_display()} — attribut "
            f"{service.pronote_id_attribute} — identifiant CAS "
            f"{service.get_username_mode_display()}"
        )
        for check in item.urls:
            mark = "OK " if check.accepted else "NON"
            note = f" ({check.note})" if check.note else ""
            out.append(f"  [{mark}] {check.url}{note}")
        out.extend(f"  ! {problem}" for problem in item.problems)
    out += ["", "## Comptes avec un identifiant PRONOTE"]
    for cov in report.coverage:
        out.append(f"{cov.label} : {cov.with_id}/{cov.total} ({cov.percent} %)")
        shown = cov.missing if limit is None else cov.missing[:limit]
        for name, login in shown:
            out.append(f"  sans identifiant : {name} ({login})")
        hidden = (cov.total - cov.with_id) - len(shown)
        if hidden > 0:
            out.append(f"  … et {hidden} autre(s) (--all)")
    if report.conflicts:
        out += ["", "## Conflits des derniers imports"]
        out += [
            f"  {r.last_name} {r.first_name} ({r.pronote_id}) : {r.outcome_detail}"
            for r in report.conflicts
        ]
    if report.missing_events:
        out += ["", "## Connexions à PRONOTE sans identifiant"]
        for event in report.missing_events:
            when = timezone.localtime(event.last_at)
            out.append(
                f"  {event.person} ({event.person.login}) : {event.count} fois, "
                f"dernière le {when:%d/%m/%Y %H:%M}"
            )
    out += ["", "## Derniers imports"]
    for session in report.imports:
        when = timezone.localtime(session.created_at)
        out.append(
            f"  {when:%d/%m/%Y %H:%M} {session.get_mode_display()} "
            f"{session.source_name} — {session.get_status_display()}"
        )
    if not report.imports:
        out.append("  aucun")
    account = report.account
    if account is not None:
        out += ["", f"## Compte {account.login}"]
        if account.person is not None:
            out.append(
                f"{account.person} — identifiant PRONOTE : {account.pronote_id or 'aucun'}"
                f" — utilisateur CAS transmis : {account.username or '—'}"
            )
            for name, values in sorted(account.attributes.items()):
                out.append(f"  {name} = {'; '.join(values)}")
        out += [f"=> {line}" for line in account.verdict]
        out += [f"   Correction : {line}" for line in account.fixes]
        if account.saml:
            out += ["", "Réponse SAML 1.1 que recevrait PRONOTE :", account.saml]
    return "\n".join(out)
