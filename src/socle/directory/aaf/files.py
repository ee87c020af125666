"""Finding the AAF files in a file, a folder, a ``.zip`` or a ``.tar.gz``, in processing order.

Files are named ``<PROJET>_<Complet|Delta>_<AAAAMMJJ>_<Type>_<NNNN>.xml`` (the date is
optional, as some test exports omit it). Order: by date, full files before deltas of the same
date, then establishments, staff, pupils, relatives, then the file number.
"""

from __future__ import annotations

import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from django.utils.translation import gettext as _

from socle.core.plain_errors import os_error
from socle.directory.aaf.mapping import TYPE_ORDER
from socle.directory.file_kinds import opens_as_pronote_file

FILE_NAME = re.compile(
    r"^(?P<project>.+?)_(?P<kind>Complet|Delta)_(?:(?P<date>\d{8})_)?"
    r"(?P<type>EtabEducNat|PersEducNat|Eleve|PersRelEleve|MatiereEducNat|MefEducNat)"
    r"_(?P<number>\d+)\.xml$",
    re.IGNORECASE,
)
EXPECTED = "<PROJET>_<Complet|Delta>_…_<Type>_NNNN.xml"
_CANONICAL_TYPES = {name.lower(): name for name in TYPE_ORDER}


def _not_an_archive(kind: str) -> str:
    return _(
        "ce n'est pas une archive %(kind)s complète : fichier tronqué, ou d'un autre format"
    ) % {"kind": kind}


class SourceError(Exception):
    """The PATH itself cannot be read (missing, not an archive…); French message."""


@dataclass(frozen=True)
class AafFile:
    name: str  # as shown in reports: "export.zip:ENT_Complet_20250901_Eleve_0001.xml"
    project: str
    full: bool
    date: str
    type: str
    number: int
    opener: Callable[[], IO[bytes]] = field(compare=False, repr=False)

    @property
    def group(self) -> tuple[str, str, str]:
        """Files of one export and type (several numbered parts form one group)."""
        return (self.project, self.date, self.type)

    @property
    def export(self) -> tuple[str, str]:
        return (self.project, self.date)

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.date, 0 if self.full else 1, TYPE_ORDER[self.type], self.number, self.name)


def parse_name(name: str, opener: Callable[[], IO[bytes]], shown: str) -> AafFile | None:
    match = FILE_NAME.match(PurePosixPath(name).name)
    if not match:
        return None
    return AafFile(
        name=shown,
        project=match["project"],
        full=match["kind"].lower() == "complet",
        date=match["date"] or "",
        type=_CANONICAL_TYPES[match["type"].lower()],
        number=int(match["number"]),
        opener=opener,
    )


@dataclass
class Sources:
    """What PATH holds: the AAF files in processing order, the ``.xml`` files skipped (name and
    reason), and the other files (``.dtd``, READMEs…), passed over in silence unless no AAF file
    is found at all."""

    files: list[AafFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    pronote: list[str] = field(default_factory=list)  # PRONOTE identifier files (also skipped)


@contextmanager
def open_sources(path: str | Path) -> Iterator[Sources]:
    """Yields the :class:`Sources` of PATH (file, folder, ``.zip``, ``.tar.gz``)."""
    source = Path(path)
    if not source.exists():
        raise SourceError(_("%(path)s : fichier ou dossier introuvable.") % {"path": path})
    found_files = Sources()
    files, skipped = found_files.files, found_files.skipped

    def add(name: str, opener: Callable[[], IO[bytes]], shown: str) -> None:
        found = parse_name(name, opener, shown)
        if found is not None:
            files.append(found)
        elif name.lower().endswith((".xml", ".csv")) and opens_as_pronote_file(opener):
            found_files.pronote.append(shown)
            skipped.append(
                _(
                    "%(name)s : fichier d'identifiants de PRONOTE, pas un export AAF (il "
                    "s'importe avec « socle pronote_import »)"
                )
                % {"name": shown}
            )
        elif name.lower().endswith(".xml"):
            skipped.append(
                _("%(name)s : nom non reconnu (%(expected)s)")
                % {"name": shown, "expected": EXPECTED}
            )
        else:
            found_files.others.append(shown)

    if source.is_dir():
        for item in sorted(source.rglob("*")):
            if item.is_file():
                add(item.name, _file_opener(item), str(item.relative_to(source)))
        files.sort(key=AafFile.sort_key)
        yield found_files
    elif zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    add(info.filename, _zip_opener(archive, info), f"{source.name}:{info.filename}")
            files.sort(key=AafFile.sort_key)
            yield found_files
    elif source.name.lower().endswith(".zip"):  # named so, but not a whole ZIP archive
        raise SourceError(
            _("%(name)s : archive illisible (%(error)s).")
            % {"name": source.name, "error": _not_an_archive("ZIP")}
        )
    elif source.name.lower().endswith((".tar.gz", ".tgz", ".tar")):
        try:
            archive_tar = tarfile.open(source, "r:*")  # noqa: SIM115 (closed by the with below)
        except (tarfile.TarError, OSError) as exc:
            # tarfile's own words are English, several lines long (one per method it tried).
            error = (
                _not_an_archive("tar/tar.gz")
                if isinstance(exc, tarfile.TarError)
                else os_error(exc)
            )
            raise SourceError(
                _("%(name)s : archive illisible (%(error)s).")
                % {"name": source.name, "error": error}
            ) from None
        with archive_tar:
            try:
                members = archive_tar.getmembers()  # reads it whole: a cut-off download ends here
            except (tarfile.TarError, EOFError, zlib.error):
                raise SourceError(
                    _("%(name)s : archive illisible (%(error)s).")
                    % {"name": source.name, "error": _not_an_archive("tar/tar.gz")}
                ) from None
            for member in members:
                if member.isfile():
                    shown = f"{source.name}:{member.name}"
                    add(member.name, _tar_opener(archive_tar, member), shown)
            files.sort(key=AafFile.sort_key)
            yield found_files
    else:
        add(source.name, _file_opener(source), source.name)
        if not files and not skipped:
            found_files.others.clear()
            skipped.append(
                _("%(name)s : ni .xml, ni dossier, ni archive .zip/.tar.gz") % {"name": source.name}
            )
        yield found_files


def _file_opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def _zip_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: archive.open(info)


def _tar_opener(archive: tarfile.TarFile, member: tarfile.TarInfo) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        stream = archive.extractfile(member)
        if stream is None:
            raise OSError(_("%(name)s illisible dans l'archive") % {"name": member.name})
        return stream

    return opener
