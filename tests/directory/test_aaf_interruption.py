"""An AAF import interrupted (Ctrl-C, a killed process) is completed by reading the same files
again: each file is committed on its own, and what runs after (parent links, relatives'
memberships, full files' deactivations, ``person_deactivated``) is recomputed from the records."""

from __future__ import annotations

from pathlib import Path

import pytest

from socle.directory.aaf import importer
from socle.directory.aaf.importer import import_aaf
from socle.directory.models import Membership, ParentLink, Person
from socle.directory.signals import person_deactivated
from tests.directory.aaf_helpers import delete, pupil, relative, school_files, write


class _Signals:
    """Records ``person_deactivated``; the first ``interrupt_after`` calls pass, the next one
    raises ``KeyboardInterrupt`` (Ctrl-C while the signals are sent)."""

    def __init__(self, interrupt_after: int | None = None) -> None:
        self.received: list[str] = []
        self.interrupt_after = interrupt_after

    def __call__(self, person: Person, **kwargs: object) -> None:
        if self.interrupt_after is not None and len(self.received) >= self.interrupt_after:
            self.interrupt_after = None
            raise KeyboardInterrupt
        self.received.append(person.external_id)

    def __enter__(self) -> _Signals:
        person_deactivated.connect(self, weak=False, dispatch_uid="aaf-interruption")
        return self

    def __exit__(self, *exc: object) -> None:
        person_deactivated.disconnect(dispatch_uid="aaf-interruption")


def test_it_signals_a_delta_deletion_again_when_the_same_delta_is_read_again(tmp_path: Path):
    import_aaf(school_files(tmp_path / "full"))
    delta = write(tmp_path / "delta", "ENT_Delta_20250915_Eleve_0001.xml", [delete("Eleve", "E2")])
    with _Signals(interrupt_after=0), pytest.raises(KeyboardInterrupt):
        import_aaf(delta.parent)
    assert not Person.objects.get(external_id="E2").is_active  # the file was committed
    with _Signals() as signals:
        report = import_aaf(delta.parent)
    assert signals.received == ["E2"]
    assert report.by_type["Eleve"].deactivated == 0  # already done: counted as unchanged


def test_it_makes_the_links_of_an_interrupted_delta_when_it_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import_aaf(school_files(tmp_path / "full"))
    delta = tmp_path / "delta"
    write(
        delta,
        "ENT_Delta_20250915_Eleve_0001.xml",
        [pupil("E9", "NOUVEAU", "Élise", klass="6E1", relatives=["R9$1$1$1$1$0"])],
    )
    write(delta, "ENT_Delta_20250915_PersRelEleve_0001.xml", [relative("R9", "NOUVEAU", "Anne")])
    real_sync_links = importer.sync_links

    def interrupted(*args: object, **kwargs: object) -> set[int]:
        raise KeyboardInterrupt

    monkeypatch.setattr(importer, "sync_links", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_aaf(delta)
    assert Person.objects.filter(external_id__in=["E9", "R9"]).count() == 2
    assert not ParentLink.objects.filter(child__external_id="E9").exists()
    monkeypatch.setattr(importer, "sync_links", real_sync_links)
    import_aaf(delta)
    assert ParentLink.objects.filter(child__external_id="E9", parent__external_id="R9").exists()
    assert Membership.objects.filter(person__external_id="R9", profile="National_TUT").exists()


def test_it_deactivates_and_signals_an_interrupted_full_file_when_it_is_read_again(
    tmp_path: Path,
):
    import_aaf(school_files(tmp_path / "day1"))
    day2 = school_files(
        tmp_path / "day2",
        date="20250902",
        pupils=[
            pupil("E1", "MARTIN", "Camille", relatives=["R1$1$1$1$1$0", "R2$1$0$2$0$0"]),
            pupil("E3", "DUBOIS", "Zoé", school="S2", klass="4A", relatives=["R3$10$0$1$0$0"]),
        ],
    )
    with _Signals(interrupt_after=0), pytest.raises(KeyboardInterrupt):
        import_aaf(day2)
    # Interrupted before its end: the deactivation was rolled back with its unsent signal.
    assert Person.objects.get(external_id="E2").is_active
    with _Signals() as signals:
        report = import_aaf(day2)
    assert not Person.objects.get(external_id="E2").is_active
    assert signals.received == ["E2"]
    assert report.by_type["Eleve"].deactivated == 1
