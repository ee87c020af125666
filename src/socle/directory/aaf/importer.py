"""``socle directory_import --format aaf PATH``: reads every AAF file of PATH, in order.

Each file is imported in its own transaction: a malformed file (broken XML, wrong root) is rolled
back and reported, and the others go on; a malformed record is reported (file, id, reason) and
skipped. Parent links, relatives' memberships and the deactivations of full files run last, in
one transaction, only for groups of files that were all read.

An interrupted run (Ctrl-C, a killed process) is completed by running the same files again:

- the files already committed are read again; the links, relatives' memberships and full-file
  deactivations are recomputed from the records, whether or not they change the people;
- ``person_deactivated`` (the CAS ends the sessions) is sent right after each file commits for
  the accounts its delete records deactivated, and again for those they name that are already
  inactive (an earlier run may have stopped before sending it); the full files' deactivations
  send it inside their transaction, before it commits: a deactivation that is committed has
  always been signalled (a rolled-back one may have ended sessions of accounts still active,
  which only makes their people log in again).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _

from socle.core.batches import batched
from socle.core.locks import LockBusy, LockUnavailable, exclusive
from socle.directory.aaf.files import AafFile, SourceError, open_sources
from socle.directory.aaf.finalize import (
    LargeAbsence,
    deactivate_unlisted,
    sync_links,
    sync_relative_memberships,
    tally_deleted,
)
from socle.directory.aaf.mapping import ETAB, PUPIL, RELATIVE, SKIPPED_TYPES, STAFF
from socle.directory.aaf.people import Context, FileState, apply_people
from socle.directory.aaf.reader import MalformedFile, RawRecord, read_records
from socle.directory.aaf.records import (
    PersonData,
    RecordError,
    RelationData,
    StructureIndex,
    build_person,
    build_structure,
)
from socle.directory.aaf.report import Report
from socle.directory.logins import login_allocator_for
from socle.directory.models import Establishment, ParentLink, Person
from socle.directory.signals import person_deactivated

BATCH = 2000
Progress = Callable[[str, int], None]


@dataclass
class _Run:
    ctx: Context
    report: Report = field(default_factory=Report)
    links: dict[int, list[RelationData]] = field(default_factory=dict)
    relatives: set[int] = field(default_factory=set)
    listed: dict[tuple[str, str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    covered: dict[tuple[str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    failed_groups: set[tuple[str, str, str]] = field(default_factory=set)
    full_groups: set[tuple[str, str, str]] = field(default_factory=set)
    # Part numbers of each full group: a gap (0001 and 0003 without 0002) is a missing file.
    parts: dict[tuple[str, str, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    deactivated: list[int] = field(default_factory=list)
    # Pupils named by a delta's delete records: their relatives' memberships are recomputed.
    deleted_pupils: list[int] = field(default_factory=list)
    # Pupils placed (establishments, class) by a record without their relatives: idem.
    placed_pupils: set[int] = field(default_factory=set)
    force: bool = False  # apply a full file's absences even when they are a large share
    stopped: bool = False  # a ForeignExport: the files after it are not read


class ForeignExport(MalformedFile):
    """An establishment of the file has the jointure of one of ours but another UAI: the export
    of another academy (whose jointures may be ours), never to be mixed with this directory."""


class ImportInProgress(Exception):
    """Another AAF import runs on this database (overlapping cron runs, two operators)."""


def import_aaf(
    path: str | Path, *, progress: Progress | None = None, force: bool = False
) -> Report:
    """Imports PATH (file, folder, .zip, .tar.gz); raises ``SourceError`` if PATH is unusable
    (or the SQLite lock file cannot be created) and ``ImportInProgress`` when another AAF
    import holds the lock (``socle.core.locks``: two imports at once would create the same
    people twice and stop on a unique constraint).

    Python's cyclic garbage collector is paused meanwhile: the import keeps hundreds of thousands
    of small objects alive (ids seen, links), which every full collection would walk again and
    again for nothing (the import creates no reference cycles worth collecting)."""
    try:
        with exclusive("aaf-import"):
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                return _import(path, progress, force)
            finally:
                if was_enabled:
                    gc.enable()
    except LockBusy:
        raise ImportInProgress() from None
    except LockUnavailable as exc:
        raise SourceError(
            _(
                "Verrou de l'import AAF %(path)s impossible à créer (%(reason)s) : le dossier de "
                "la base de données doit être accessible en écriture. Rien n'a été importé."
            )
            % {"path": exc.path, "reason": exc.reason}
        ) from None


def _import(path: str | Path, progress: Progress | None, force: bool = False) -> Report:
    _tune_connection()
    run = _Run(ctx=_context(), force=force)
    with open_sources(path) as sources:
        run.report.files_skipped.extend(sources.skipped)
        run.report.files_passed_over = sources.others
        run.report.files_pronote = sources.pronote
        for aaf_file in sources.files:
            if aaf_file.type in SKIPPED_TYPES:
                run.report.files_skipped.append(
                    _("%(name)s : %(type)s non utilisé")
                    % {"name": aaf_file.name, "type": aaf_file.type}
                )
                continue
            if run.stopped:
                run.report.files_skipped.append(
                    _("%(name)s : non lu (import arrêté)") % {"name": aaf_file.name}
                )
                continue
            if aaf_file.full:
                run.full_groups.add(aaf_file.group)
                run.parts[aaf_file.group].add(aaf_file.number)
            _import_file(run, aaf_file, progress)
    if run.stopped:  # nothing of the export is to be trusted: no absences applied
        run.failed_groups |= run.full_groups
    _finish(run)
    return run.report


def _tune_connection() -> None:
    """SQLite: a bigger page cache for this connection (the default 2 MB makes every index
    update of a 200,000-person import go through the OS). No effect on other databases."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -131072")  # KiB: 128 MB at most


def establishment_names() -> dict[str, str]:
    return dict(Establishment.objects.values_list("uai", "name"))


def _context() -> Context:
    rows = list(Establishment.objects.values_list("pk", "uai", "external_id"))
    by_jointure = {external_id: pk for pk, _, external_id in rows if external_id}
    expected = Person.objects.count()
    return Context(
        # Every login is loaded once: an import may create hundreds of thousands of people.
        allocator=login_allocator_for(max(expected, 51)),
        structures=StructureIndex(by_jointure, {uai: pk for pk, uai, _ in rows}),
        aaf_establishments=set(by_jointure.values()),
        uai_by_pk={pk: uai for pk, uai, _ in rows},
    )


def _import_file(run: _Run, aaf_file: AafFile, progress: Progress | None) -> None:
    state = FileState(aaf_file.name, aaf_file.full)
    structures_before = (
        dict(run.ctx.structures.by_jointure),
        dict(run.ctx.structures.by_uai),
        set(run.ctx.aaf_establishments),
        dict(run.ctx.uai_by_pk),
    )
    count = 0
    try:
        with transaction.atomic(), aaf_file.opener() as stream:
            batch: list[RawRecord] = []
            for record in read_records(stream):
                batch.append(record)
                count += 1
                if len(batch) >= BATCH:
                    _apply(run, aaf_file, batch, state)
                    batch = []
                    if progress:
                        progress(aaf_file.name, count)
            _apply(run, aaf_file, batch, state)
    except (MalformedFile, OSError) as exc:
        # Rolled back: forget what the file had added to the in-memory indexes too.
        (
            run.ctx.structures.by_jointure,
            run.ctx.structures.by_uai,
            run.ctx.aaf_establishments,
            run.ctx.uai_by_pk,
        ) = structures_before
        run.report.files_failed.append(aaf_file.name)
        run.report.errors.append(
            _("%(file)s : fichier rejeté, rien n'en a été importé (%(error)s)")
            % {"file": aaf_file.name, "error": exc}
        )
        run.failed_groups.add(aaf_file.group)
        run.stopped = isinstance(exc, ForeignExport)
        return
    if progress:
        progress(aaf_file.name, count)
    run.report.files_read.append(aaf_file.name)
    run.report.merge(state.tally)
    if state.deactivated:
        tally_deleted(aaf_file.type, state.deactivated, run.ctx.aaf_establishments, run.report)
    run.links.update(state.links)
    run.relatives |= state.relatives
    run.placed_pupils |= state.placed_pupils
    _signal_deactivated(state.deactivated + state.signal_again)
    if aaf_file.type == PUPIL:
        run.deleted_pupils.extend(state.deactivated + state.signal_again)
    if aaf_file.full:
        run.listed[aaf_file.group] |= state.listed
        run.covered[aaf_file.export] |= state.covered


def _apply(run: _Run, aaf_file: AafFile, batch: list[RawRecord], state: FileState) -> None:
    if not batch:
        return
    if aaf_file.type == ETAB:
        for record in batch:
            _apply_structure(run, record, state)
        return
    people: list[PersonData] = []
    for record in batch:
        try:
            people.append(build_person(record, aaf_file.type, run.ctx.structures))
        except RecordError as exc:
            state.error(aaf_file.type, record.id, str(exc))
    apply_people(people, aaf_file.type, run.ctx, state)


def _apply_structure(run: _Run, record: RawRecord, state: FileState) -> None:
    try:
        data = build_structure(record)
    except RecordError as exc:
        state.error(ETAB, record.id, str(exc))
        return
    ctx, tally = run.ctx, state.tally.by_type[ETAB]
    establishment = Establishment.objects.filter(external_id=data.external_id).first()
    if establishment is not None and data.fields.get("uai", establishment.uai) != establishment.uai:
        raise ForeignExport(
            _(
                "ENTStructureJointure %(jointure)s : c'est %(current)s (%(name)s) dans l'annuaire, "
                "mais %(uai)s dans ce fichier. Un établissement ne change pas d'UAI : cet export "
                "vient-il d'une autre académie ? Import arrêté, les fichiers suivants ne sont pas "
                "lus."
            )
            % {
                "jointure": data.external_id,
                "current": establishment.uai,
                "name": establishment.name,
                "uai": data.fields["uai"],
            }
        )
    if establishment is None and "uai" in data.fields:
        establishment = Establishment.objects.filter(uai=data.fields["uai"]).first()
    if data.operation == "delete":
        # Establishments are never deleted by a feed; their people follow their own files.
        tally.bump("unchanged")
        return
    if establishment is None and data.operation == "modify":
        state.error(ETAB, data.external_id, _("modification d'un établissement inconnu."))
        return
    fields = dict(data.fields)
    if establishment is None:
        fields.setdefault("name", "")
        establishment = Establishment(external_id=data.external_id, **fields)
        establishment.name = establishment.name or establishment.uai
        establishment.save()
        tally.bump("created")
    else:
        if not fields.get("name"):
            fields.pop("name", None)
        fields["external_id"] = data.external_id
        changed = [k for k, v in fields.items() if getattr(establishment, k) != v]
        for name in changed:
            setattr(establishment, name, fields[name])
        if changed:
            establishment.save(update_fields=changed)
        tally.bump("updated" if changed else "unchanged")
    ctx.structures.by_jointure[data.external_id] = establishment.pk
    ctx.structures.by_uai[establishment.uai] = establishment.pk
    ctx.aaf_establishments.add(establishment.pk)
    ctx.uai_by_pk[establishment.pk] = establishment.uai
    if state.full:
        state.covered.add(establishment.pk)


def _finish(run: _Run) -> None:
    report = run.report
    complete = {g for g in run.full_groups if g not in run.failed_groups}
    for group in sorted(run.full_groups - complete):
        report.notes.append(
            _("Désactivations non appliquées pour %(group)s : un fichier du groupe est en erreur.")
            % {"group": " ".join(group)}
        )
    for group in sorted(complete):
        missing = sorted(set(range(1, max(run.parts[group]) + 1)) - run.parts[group])
        if missing:
            complete.discard(group)
            report.errors.append(  # an error: the exit status tells cron something is wrong
                _(
                    "%(group)s : partie(s) %(parts)s manquante(s) ; les comptes absents de ce "
                    "fichier complet n'ont pas été désactivés."
                )
                % {"group": " ".join(group), "parts": ", ".join(f"{n:04d}" for n in missing)}
            )
    with transaction.atomic():
        parents = sync_links(run.links, report) | run.relatives | _relatives_of(run.deleted_pupils)
        parents |= _relatives_of(sorted(run.placed_pupils - set(run.links)))
        for kind in (STAFF, PUPIL):
            for group in sorted(g for g in complete if g[2] == kind):
                gone = _absences(run, group)
                run.deactivated.extend(gone)
                if kind == PUPIL:
                    parents |= _relatives_of(gone)
        # Relatives are judged on the memberships they had before this import's changes (one
        # whose children all left would otherwise escape), then memberships follow the links.
        for group in sorted(g for g in complete if g[2] == RELATIVE):
            run.deactivated.extend(_absences(run, group))
        sync_relative_memberships(parents, run.ctx.aaf_establishments)
        _signal_deactivated(run.deactivated)  # before the commit: see the module's docstring


def _absences(run: _Run, group: tuple[str, str, str]) -> list[int]:
    """A complete full group's absences applied; a large share of its kind refused (as an
    error: the exit status tells cron), nothing deactivated, unless ``force``."""
    listed = run.listed.get(group, set())
    covered = run.covered.get((group[0], group[1]), set())
    try:
        return deactivate_unlisted(group[2], listed, covered, run.report, force=run.force)
    except LargeAbsence as large:
        values = {"group": " ".join(group), "absent": large.absent, "total": large.total}
        if large.uai:  # one school's people missing from a region's export
            message = _(
                "%(group)s : %(absent)s comptes sur %(total)s de l'établissement %(uai)s, "
                "absents de ce fichier complet, seraient désactivés (plus de la moitié) : "
                "aucun compte de ce type ne l'a été. L'export de cet établissement "
                "manque-t-il ? Si ces départs sont réels, relancez l'import avec --force."
            ) % {**values, "uai": large.uai}
        else:
            message = (
                _(
                    "%(group)s : %(absent)s comptes sur %(total)s, absents de ce fichier complet, "
                    "seraient désactivés (plus de la moitié) : aucun ne l'a été. Une partie de "
                    "l'export manque-t-elle ? Si ces départs sont réels, relancez l'import avec "
                    "--force."
                )
                % values
            )
        run.report.errors.append(message)
        return []


def _relatives_of(pupils: list[int]) -> set[int]:
    found: set[int] = set()
    for chunk in batched(pupils, 1000):
        found.update(
            ParentLink.objects.filter(child_id__in=chunk).values_list("parent_id", flat=True)
        )
    return found


def _signal_deactivated(pks: list[int]) -> None:
    for start in range(0, len(pks), 1000):
        for person in Person.objects.filter(pk__in=pks[start : start + 1000]):
            person_deactivated.send(sender=Person, person=person)


__all__ = ["ImportInProgress", "import_aaf", "establishment_names"]
