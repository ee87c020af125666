"""Activation letters ("fiches de connexion"): who gets one, and the PDF and CSV renderings.

Issuing letters creates (or renews) the activation codes of the people selected: a code is only
stored hashed, so the letter is the one place where it exists in clear.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from socle.core.branding import ent_name
from socle.core.spreadsheet import safe_cell
from socle.directory.activation import issue_codes
from socle.directory.dates import local_day
from socle.directory.models import ActivationCode, Establishment, Membership, ParentLink, Person
from socle.directory.profiles import Profile

CSV_COLUMNS = (
    "uai",
    "etablissement",
    "nom",
    "prenom",
    "profil",
    "classe",
    "enfants",
    "identifiant",
    "code_activation",
    "valable_jusqu_au",
    "adresse_ent",
    "nom_ent",
)
# French on the PDF and the CSV (the letters are French); the administrator's reset page gives
# them in the reader's language (gettext_noop: in the catalogue, not translated here).
STEPS = (
    gettext_noop("Ouvrez l'adresse de l'ENT ci-dessus dans un navigateur."),
    gettext_noop(
        "Saisissez votre identifiant, puis le code d'activation à la place du mot de passe."
    ),
    gettext_noop(
        "Choisissez votre mot de passe personnel (12 caractères au moins, une phrase facile à "
        "retenir convient très bien) et acceptez la charte d'utilisation."
    ),
    gettext_noop(
        "Vous êtes alors connecté(e). Les fois suivantes, connectez-vous avec votre identifiant "
        "et ce mot de passe."
    ),
)
NOTICE = gettext_noop(
    "Cette fiche est personnelle : ne la communiquez à personne. Le code ne sert qu'une "
    "fois et ne remplace pas votre mot de passe. S'il a expiré, demandez-en un nouveau "
    "à votre établissement."
)


@dataclass(frozen=True)
class Letter:
    uai: str
    establishment: str
    last_name: str
    first_name: str
    profile: str
    class_name: str
    children: str
    login: str
    code: str
    expires_at: dt.datetime


def select_people(
    establishment: Establishment,
    *,
    class_name: str | None = None,
    profile: str | None = None,
    only_new: bool = False,
) -> QuerySet[Person]:
    """Active people of the establishment who have no password yet (never activated, or reset).

    ``class_name`` selects the pupils of a class; with ``profile=National_TUT`` it selects the
    relatives of those pupils. ``only_new`` leaves out whoever holds a live code (a letter
    handed out and not used yet, an administrator's reset): a second wave of letters in
    September does not void the first."""
    people = Person.objects.filter(is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if only_new:
        people = people.exclude(
            Exists(
                ActivationCode.objects.filter(
                    person=OuterRef("pk"), used_at__isnull=True, expires_at__gt=timezone.now()
                )
            )
        )
    memberships = Membership.objects.filter(establishment=establishment)
    if profile:
        memberships = memberships.filter(profile=profile)
    if class_name and profile == Profile.PARENT:
        pupils = Membership.objects.filter(
            establishment=establishment, profile=Profile.PUPIL, class_name__iexact=class_name
        ).values("person_id")
        children_of = ParentLink.objects.filter(child_id__in=pupils).values("parent_id")
        memberships = memberships.filter(person_id__in=children_of)
    elif class_name:
        memberships = memberships.filter(class_name__iexact=class_name)
    return people.filter(pk__in=memberships.values("person_id")).order_by(
        "last_name", "first_name", "pk"
    )


def issue_letters(
    establishment: Establishment,
    *,
    class_name: str | None = None,
    profile: str | None = None,
    only_new: bool = False,
) -> list[Letter]:
    people = list(
        select_people(establishment, class_name=class_name, profile=profile, only_new=only_new)
    )
    memberships: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.filter(
        establishment=establishment, person__in=people
    ).order_by("profile"):
        memberships[membership.person_id].append(membership)
    children = children_in(establishment, people)
    letters = []
    for issued in issue_codes(people):
        person = issued.person
        held = memberships.get(person.pk, [])
        if profile:
            held = [m for m in held if m.profile == profile] or held
        class_name_shown = next((m.class_name for m in held if m.class_name), "")
        letters.append(
            Letter(
                uai=establishment.uai,
                establishment=establishment.name,
                last_name=person.last_name,
                first_name=person.first_name,
                profile=", ".join(str(m.get_profile_display()) for m in held),
                class_name=class_name_shown,
                children=", ".join(sorted(children.get(person.pk, []))),
                login=person.login,
                code=issued.display,
                expires_at=issued.expires_at,
            )
        )
    letters.sort(key=lambda x: (x.class_name or x.children, x.last_name, x.first_name))
    return letters


def children_in(establishment: Establishment, parents: list[Person]) -> dict[int, list[str]]:
    """Each parent's children who are pupils of the establishment, as a letter names them:
    « Camille MARTIN (4A) »."""
    children: dict[int, list[str]] = defaultdict(list)
    links = ParentLink.objects.filter(parent__in=parents)
    pupil_class = dict(  # the classes of these parents' children only, not of every pupil
        Membership.objects.filter(
            establishment=establishment,
            profile=Profile.PUPIL,
            person_id__in=links.values("child_id"),
        ).values_list("person_id", "class_name")
    )
    for link in links.select_related("child"):
        if link.child_id in pupil_class:
            label = f"{link.child.first_name} {link.child.last_name}"
            klass = pupil_class[link.child_id]
            children[link.parent_id].append(f"{label} ({klass})" if klass else label)
    return children


@dataclass(frozen=True)
class Standing:
    """What a letter says of its person in one establishment (the reset page's letter)."""

    establishment: str
    uai: str
    profiles: str
    class_name: str
    children: str


def standings(person: Person, within: set[int] | None = None) -> list[Standing]:
    """The person's establishments (those of ``within`` only, when given: an establishment's
    administrator reads nothing of another school), with their profiles, class and children
    there, as the printed letters give them."""
    rows = Membership.objects.filter(person=person)
    if within is not None:
        rows = rows.filter(establishment_id__in=within)
    held: dict[int, list[Membership]] = defaultdict(list)
    for membership in rows.select_related("establishment").order_by(
        "establishment__name", "profile"
    ):
        held[membership.establishment_id].append(membership)
    result = []
    for memberships in held.values():
        establishment = memberships[0].establishment
        children = children_in(establishment, [person]).get(person.pk, [])
        result.append(
            Standing(
                establishment=establishment.name,
                uai=establishment.uai,
                profiles=", ".join(str(m.get_profile_display()) for m in memberships),
                class_name=next((m.class_name for m in memberships if m.class_name), ""),
                children=", ".join(sorted(children)),
            )
        )
    return result


def write_csv(letters: list[Letter], path: Path) -> None:
    """``;``-separated, UTF-8 with a BOM: opens as is in a French spreadsheet (mail merge); a
    cell a spreadsheet would take for a formula is prefixed with « ' » (``core.spreadsheet``)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(CSV_COLUMNS)
        for letter in letters:
            # Names, classes and children come from imported files: never read as formulas.
            writer.writerow(
                [
                    safe_cell(value)
                    for value in (
                        letter.uai,
                        letter.establishment,
                        letter.last_name,
                        letter.first_name,
                        letter.profile,
                        letter.class_name,
                        letter.children,
                        letter.login,
                        letter.code,
                        local_day(letter.expires_at),
                        settings.SOCLE_BASE_URL,
                        ent_name(),
                    )
                ]
            )


PROGRESS_EVERY = 100  # pages between two calls of write_pdf's progress


def write_pdf(
    letters: list[Letter], path: Path, progress: Callable[[int, int], None] | None = None
) -> None:
    """One A4 page per person, drawn with reportlab (about 400 pages a second): ``progress``
    (pages done, pages in all) is called every :data:`PROGRESS_EVERY` pages and at the end."""
    canvas = Canvas(str(path), pagesize=A4, pageCompression=1)
    name = ent_name()
    canvas.setTitle(f"Fiches de connexion à {name}")
    canvas.setAuthor(name)
    width, height = A4
    left = 20 * mm
    heading = _heading(f"Fiche de connexion à {name}", width - 2 * left)
    for done, letter in enumerate(letters, start=1):
        y = height - 25 * mm
        canvas.setFont("Helvetica", 10)
        canvas.drawString(left, y, f"{letter.establishment} ({letter.uai})")
        size, lines = heading
        for number, line in enumerate(lines):
            y -= 14 * mm if number == 0 else size * 1.2
            canvas.setFont("Helvetica-Bold", size)
            canvas.drawString(left, y, line)
        y -= 12 * mm
        canvas.setFont("Helvetica-Bold", 14)
        canvas.drawString(left, y, f"{letter.first_name} {letter.last_name}")
        y -= 7 * mm
        canvas.setFont("Helvetica", 11)
        details = letter.profile + (f" — classe {letter.class_name}" if letter.class_name else "")
        canvas.drawString(left, y, details)
        if letter.children:
            y -= 6 * mm
            canvas.drawString(left, y, f"Responsable de : {letter.children}"[:110])
        y -= 10 * mm
        box_top = y
        rows = (
            ("Adresse de l'ENT", settings.SOCLE_BASE_URL),
            ("Identifiant", letter.login),
            ("Code d'activation", letter.code),
            ("Valable jusqu'au", f"{local_day(letter.expires_at)} (une seule utilisation)"),
        )
        y -= 9 * mm
        for label, value in rows:
            canvas.setFont("Helvetica", 11)
            canvas.drawString(left + 5 * mm, y, f"{label} :")
            canvas.setFont("Courier-Bold" if label != "Valable jusqu'au" else "Helvetica", 14)
            canvas.drawString(left + 50 * mm, y, value)
            y -= 9 * mm
        canvas.roundRect(left, y + 3 * mm, width - 2 * left, box_top - y - 3 * mm, 3 * mm)
        y -= 8 * mm
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(left, y, "Pour commencer")
        canvas.setFont("Helvetica", 11)
        for number, step in enumerate(STEPS, start=1):
            lines = _wrap(f"{number}. {step}", 90)
            for line in lines:
                y -= 6 * mm
                canvas.drawString(left, y, line)
        y -= 12 * mm
        canvas.setFont("Helvetica-Oblique", 9)
        for line in _wrap(NOTICE, 110):
            canvas.drawString(left, y, line)
            y -= 5 * mm
        canvas.showPage()
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(letters)):
            progress(done, len(letters))
    if not letters:
        canvas.setFont("Helvetica", 12)
        canvas.drawString(left, height - 30 * mm, "Aucune personne à activer pour cette sélection.")
        canvas.showPage()
    canvas.save()


def _heading(text: str, width: float) -> tuple[float, list[str]]:
    """The letter's title at 18 points, smaller for a long ENT name, on two lines at most."""
    for size in (18.0, 16.0, 14.0):
        lines = simpleSplit(text, "Helvetica-Bold", size, width)
        if len(lines) == 1:
            return size, lines
    return 14.0, simpleSplit(text, "Helvetica-Bold", 14.0, width)[:2]


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines
