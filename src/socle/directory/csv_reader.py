"""Reads and checks a directory CSV file (``socle directory_import FILE.csv``), touching nothing.

The file is UTF-8 (a BOM is tolerated), separated by ``;`` or ``,`` (detected on the header row),
with a header row naming the columns (English names of the issue, or their French equivalents).
Every row is checked; :class:`CsvRejected` carries every problem found with its line number, so the
caller can refuse the whole file before writing anything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from socle.core.legacy_hashers import ACCEPTED_FORMATS, TooCostly, UnsupportedHash, import_hash
from socle.core.plain_errors import csv_error
from socle.directory.dates import InvalidDate, parse_birth_date
from socle.directory.names import normalize_name
from socle.directory.profiles import Profile, Relation, parse_profile, parse_relation
from socle.directory.uai import InvalidUAI, normalize_uai

if TYPE_CHECKING:
    from socle.directory.models import Person

COLUMNS = (
    "uai",
    "profile",
    "last_name",
    "first_name",
    "birth_date",
    "postal_code",
    "class",
    "login",
    "password",
    "external_id",
    "children",
    # Optional extras, documented in docs/directory.md.
    "birth_last_name",
    "email",
    "relation",
    "password_hash",
    "level",
)
COLUMN_ALIASES = {
    "profil": "profile",
    "nom": "last_name",
    "prenom": "first_name",
    "date_naissance": "birth_date",
    "date_de_naissance": "birth_date",
    "code_postal": "postal_code",
    "classe": "class",
    "identifiant": "login",
    "mot_de_passe": "password",
    # « Empreinte », the word of ANSSI and CNIL for a hash; « chiffré » (encrypted) is wrong,
    # since nothing decrypts it, but it is what many exports say: accepted too.
    "empreinte_mot_de_passe": "password_hash",
    "empreinte_du_mot_de_passe": "password_hash",
    "mot_de_passe_chiffre": "password_hash",
    "identifiant_externe": "external_id",
    "enfants": "children",
    "nom_naissance": "birth_last_name",
    "nom_de_naissance": "birth_last_name",
    "mail": "email",
    "courriel": "email",
    "lien": "relation",
    "niveau": "level",
}
REQUIRED = ("profile", "last_name", "first_name")
_LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_MAX_LENGTHS = {
    "last_name": 100,
    "first_name": 100,
    "birth_last_name": 100,
    "postal_code": 10,
    "class": 50,
    "level": 50,
    "external_id": 64,
    "email": 254,
}


@dataclass
class CsvRow:
    line: int
    uai: str
    profile: str
    last_name: str
    first_name: str
    birth_last_name: str = ""
    birth_date: dt.date | None = None
    postal_code: str = ""
    # The row's class in its establishment; "" (an empty cell): none. None: the file has no
    # class column, and the membership keeps the class it has.
    class_name: str | None = None
    # The pupil's level (« niveau ») there, the same way: "" none, None the file does not say.
    level: str | None = None
    login: str = ""
    password: str = field(default="", repr=False)
    # ``password_hash``: a hash from another system, Django-encoded (``legacy_hashers``)
    imported_hash: str = field(default="", repr=False)
    external_id: str = ""
    children: list[str] = field(default_factory=list)
    email: str = ""
    relation: str | None = None  # None: the file does not say

    @property
    def identity_key(self) -> tuple[str, str, str, str, dt.date | None]:
        """How a row without ``external_id`` is recognised: uai, profile, names, birth date."""
        return (
            self.uai,
            self.profile,
            normalize_name(self.last_name),
            normalize_name(self.first_name),
            self.birth_date,
        )


class CsvRejected(Exception):
    """The file cannot be imported; ``errors`` lists every problem (``ligne N : raison``)."""

    def __init__(
        self, errors: list[str], rejected_rows: int, rows: list[CsvRow] | None = None
    ) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors
        self.rejected_rows = rejected_rows
        # The rows read without fault, when the faults are in rows (not in the header): the
        # file's other checks (duplicates…) run on them, so that one pass reports everything.
        self.rows = rows


def _canonical_column(name: str) -> str:
    key = normalize_name(name).replace(" ", "_")
    return COLUMN_ALIASES.get(key, key)


def _detect_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") else ","


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvRejected(
            [
                _(
                    "ligne %(line)s : le fichier n'est pas en UTF-8 (enregistrez-le en "
                    "« CSV UTF-8 »)."
                )
                % {"line": line}
            ],
            0,
        ) from None


def read_rows(text: str, *, default_uai: str | None = None) -> list[CsvRow]:
    """Parses and validates every row; raises :class:`CsvRejected` listing all problems."""
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_detect_delimiter(first_line))
    errors: list[str] = []
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise CsvRejected([_("ligne 1 : ligne d'en-tête absente.")], 0) from None
    columns = [_canonical_column(name) for name in header]
    unknown = [
        f"« {raw[:40]} »" if raw.strip() else _("colonne %(number)s sans titre") % {"number": n}
        for n, (raw, col) in enumerate(zip(header, columns, strict=True), start=1)
        if col not in COLUMNS
    ]
    if unknown:
        errors.append(
            _("ligne 1 : colonne(s) inconnue(s) %(unknown)s ; colonnes possibles : %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)}
        )
    missing = [col for col in REQUIRED if col not in columns]
    if "uai" not in columns and not default_uai:
        missing.insert(0, "uai")
    if missing:
        message = (
            _("ligne 1 : colonne(s) obligatoire(s) absente(s) : %(columns)s (ou option --uai).")
            if "uai" in missing
            else _("ligne 1 : colonne(s) obligatoire(s) absente(s) : %(columns)s.")
        )
        french = {canonical: alias for alias, canonical in reversed(COLUMN_ALIASES.items())}
        named = [f"{col} ({french[col]})" if col in french else col for col in missing]
        errors.append(message % {"columns": ", ".join(named)})
    duplicated = {col for col in columns if columns.count(col) > 1}
    if duplicated:
        errors.append(
            _("ligne 1 : colonne(s) en double : %(columns)s.")
            % {"columns": ", ".join(sorted(duplicated))}
        )
    if errors:
        raise CsvRejected(errors, 0)

    rows: list[CsvRow] = []
    rejected = 0
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(
                _("ligne %(line)s : CSV mal formé (%(error)s).")
                % {"line": reader.line_num, "error": csv_error(exc)}
            )
            rejected += 1
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            message = (
                _(
                    "ligne %(line)s : %(expected)s champs attendus, %(found)s trouvés, sans fin "
                    "de ligne : le fichier semble coupé (export ou copie interrompus) ; "
                    "refaites l'export."
                )
                if len(cells) < len(columns) and _cut_at(text, line)
                else _("ligne %(line)s : %(expected)s champs attendus, %(found)s trouvés.")
            )
            errors.append(message % {"line": line, "expected": len(columns), "found": len(cells)})
            rejected += 1
            continue
        values = {col: cell.strip() for col, cell in zip(columns, cells, strict=True)}
        row, problems = _check_row(line, values, default_uai)
        if problems:
            errors.extend(
                _("ligne %(line)s : %(message)s") % {"line": line, "message": problem}
                for problem in problems
            )
            rejected += 1
        elif row is not None:
            rows.append(row)
    if not rows and not errors:
        errors.append(_("le fichier ne contient aucune ligne de données."))
    if errors:
        raise CsvRejected(errors, rejected, rows)
    return rows


def _cut_at(text: str, line: int) -> bool:
    """Whether ``line`` is the last line of ``text`` and has no line end: the file was cut
    inside it (a copy or an export interrupted), rather than a row with a missing ``;``."""
    if text.rstrip(" \t\x1a").endswith(("\n", "\r")):  # spaces, DOS end-of-file mark
        return False
    return line == text.count("\n") + 1


def _check_row(
    line: int, values: dict[str, str], default_uai: str | None
) -> tuple[CsvRow | None, list[str]]:
    problems: list[str] = []
    for col, limit in _MAX_LENGTHS.items():
        if len(values.get(col, "")) > limit:
            problems.append(
                _("%(column)s trop long (%(limit)s caractères au plus).")
                % {"column": col, "limit": limit}
            )
    uai = values.get("uai", "") or (default_uai or "")
    try:
        uai = normalize_uai(uai) if uai else ""
    except InvalidUAI as exc:
        problems.append(str(exc))
        uai = ""  # said once: not compared with --uai as well
    if not uai and not problems:
        problems.append(_("UAI absent (colonne uai ou option --uai)."))
    if default_uai and uai and uai != default_uai:
        problems.append(
            _("UAI %(uai)s différent de celui demandé par --uai (%(expected)s).")
            % {"uai": uai, "expected": default_uai}
        )
    profile = parse_profile(values.get("profile", ""))
    if profile is None:
        problems.append(
            _(
                "profil « %(profile)s » inconnu ; attendus : %(expected)s (ou élève, parent, "
                "enseignant…)."
            )
            % {"profile": values.get("profile", "")[:30], "expected": ", ".join(Profile.values)}
        )
    if not values.get("last_name"):
        problems.append(_("nom absent."))
    if not values.get("first_name"):
        problems.append(_("prénom absent."))
    birth_date = None
    try:
        birth_date = parse_birth_date(values.get("birth_date", ""))
    except InvalidDate as exc:
        problems.append(str(exc))
    login = values.get("login", "")
    if login and not _LOGIN_RE.match(login):
        problems.append(
            _(
                "identifiant « %(login)s » invalide : lettres, chiffres, « . », « _ », « - » ou "
                "« @ », 64 caractères au plus."
            )
            % {"login": login[:70]}
        )
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("adresse électronique « %(email)s » invalide.") % {"email": email[:60]}
            )
    relation = None
    if values.get("relation"):
        parsed = parse_relation(values["relation"])
        if parsed is None:
            problems.append(
                _("lien « %(relation)s » inconnu ; attendus : %(expected)s.")
                % {"relation": values["relation"][:20], "expected": ", ".join(Relation.values)}
            )
        else:
            relation = parsed
    if values.get("level") and profile is not None and profile != Profile.PUPIL:
        problems.append(
            _("niveau « %(level)s » : seuls les élèves ont un niveau.")
            % {"level": values["level"][:50]}
        )
    children = [child.strip() for child in values.get("children", "").split("|") if child.strip()]
    password = values.get("password", "")
    imported_hash = ""
    if values.get("password_hash"):
        imported_hash, problem = _imported_hash(values["password_hash"], bool(password))
        if problem:
            problems.append(problem)
    if password and not problems:
        try:
            who = SimpleNamespace(
                login=login,
                first_name=values.get("first_name", ""),
                last_name=values.get("last_name", ""),
                email=email,
            )  # for the validator that refuses a password close to the person's names
            validate_password(password, cast("Person", who))
        except ValidationError as exc:
            problems.append(
                _("mot de passe refusé : %(reasons)s") % {"reasons": " ".join(exc.messages)}
            )
    if problems:
        return None, problems
    return (
        CsvRow(
            line=line,
            uai=uai,
            profile=str(profile),
            last_name=values["last_name"],
            first_name=values["first_name"],
            birth_last_name=values.get("birth_last_name", ""),
            birth_date=birth_date,
            postal_code=values.get("postal_code", ""),
            class_name=values.get("class"),
            level=values.get("level"),
            login=login,
            password=password,
            imported_hash=imported_hash,
            external_id=values.get("external_id", ""),
            children=children,
            email=email,
            relation=relation,
        ),
        [],
    )


def _imported_hash(value: str, with_password: bool) -> tuple[str, str]:
    """(the hash to store, "") or ("", the problem); the value is never quoted in a message."""
    if with_password:
        return "", _(
            "password et password_hash (empreinte_mot_de_passe) remplis tous deux : un seul "
            "des deux par ligne."
        )
    try:
        return import_hash(value), ""
    except TooCostly as exc:
        return "", _(
            "empreinte de mot de passe (password_hash) trop coûteuse à vérifier à chaque "
            "connexion (%(limit)s) : donnez un mot de passe initial ou des lettres d'activation."
        ) % {"limit": exc.limit}
    except UnsupportedHash:
        return "", _(
            "empreinte de mot de passe (password_hash) mal formée ou dans un format non "
            "accepté ; formats acceptés : %(formats)s."
        ) % {"formats": ACCEPTED_FORMATS}
