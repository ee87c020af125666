"""A person deleted leaves their name nowhere in the Django admin's journal
(``django.contrib.admin.models.LogEntry``): its entries keep who did what and when, with « […] »
instead of the name (docs/privacy.md, "People who leave")."""

from __future__ import annotations

import json

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.test import Client

from socle.directory.models import Membership, Person, Profile
from socle.directory.personal_data import ERASED
from tests.factories import make_establishment, make_parent_link, make_person


def log(user: Person, objects: list[object], flag: int, message: object = "") -> None:
    LogEntry.objects.log_actions(
        user.pk, objects, flag, change_message=message, single_object=False
    )


def test_it_erases_a_deleted_persons_name_from_the_admin_journal() -> None:
    school = make_establishment("0312609T")
    admin = Person.objects.create_superuser("admin", "admin-password-2026")
    pupil = make_person("Camille", "Martin", establishment=school, class_name="4A")
    mother = make_person("Nathalie", "Martin", establishment=school, profile=Profile.PARENT)
    link = make_parent_link(mother, pupil)
    homonym = make_person("Camille", "Martin", establishment=school)  # another account
    membership = Membership.objects.get(person=pupil)
    old_membership = Membership.objects.create(
        person=pupil, establishment=make_establishment("0310001H"), profile=Profile.PUPIL
    )
    log(admin, [pupil], CHANGE, [{"changed": {"fields": ["Nom", "Prénom"]}}])
    log(admin, [membership, link], CHANGE, [{"changed": {"fields": ["Classe"]}}])
    log(admin, [old_membership], DELETION)
    old_membership.delete()
    inline = [{"added": {"name": "appartenance", "object": str(membership)}}]
    log(admin, [mother], CHANGE, [*inline, {"changed": {"fields": [pupil.login]}}])
    log(admin, [homonym], ADDITION, [{"added": {}}])
    log(admin, [mother], CHANGE, "texte libre : camille.martin2 et MARTIN Camille-Rose")

    client = Client()
    client.force_login(admin)
    response = client.post(f"/django-admin/directory/person/{pupil.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Person.objects.filter(pk=pupil.pk).exists()

    entries = list(LogEntry.objects.order_by("pk"))
    free_text, deletion = entries[-2:]
    homonym_entry = LogEntry.objects.get(object_id=str(homonym.pk), content_type__model="person")
    about_the_pupil = [e for e in entries if e not in (free_text, homonym_entry)]
    everything = json.dumps(
        [(e.object_repr, e.change_message) for e in about_the_pupil], ensure_ascii=False
    )
    assert "Camille" not in everything and pupil.login not in everything
    pupil_entries = [
        e for e in entries if e.object_id == str(pupil.pk) and e.content_type.model == "person"
    ]
    assert {e.object_repr for e in pupil_entries} == {ERASED}
    assert [e.action_flag for e in pupil_entries] == [CHANGE, DELETION]  # kept: who, when
    assert pupil_entries[-1] == deletion and deletion.user_id == admin.pk
    assert json.loads(pupil_entries[0].change_message) == [
        {"changed": {"fields": ["Nom", "Prénom"]}}
    ]
    reprs = [e.object_repr for e in entries]
    assert f"{ERASED} — Élève — 0312609T" in reprs and f"{ERASED} — Élève — 0310001H" in reprs
    assert f"MARTIN Nathalie → {ERASED} (Mère)" in reprs
    assert homonym_entry.object_repr == "MARTIN Camille"  # the homonym keeps their name
    assert free_text.change_message == "texte libre : camille.martin2 et MARTIN Camille-Rose"


def test_it_scrubs_the_journal_once_for_people_deleted_together() -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from socle.directory.signals import deleting

    school = make_establishment("0312609T")
    admin = Person.objects.create_superuser("admin", "admin-password-2026")
    people = [make_person("Camille", f"Martin{n}", establishment=school) for n in range(3)]
    gone = Membership.objects.create(
        person=people[0], establishment=make_establishment("0310001H"), profile=Profile.PUPIL
    )
    log(admin, [gone], DELETION)
    gone.delete()
    for person in people:
        log(admin, [person, Membership.objects.get(person=person)], CHANGE)
    log(admin, [admin], CHANGE, f"texte libre : {people[2].login}")
    with (
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        deleting(Person, people),
    ):
        Person.objects.filter(pk__in=[p.pk for p in people]).delete()
    scans = [q for q in queries if "django_admin_log" in q["sql"] and "LIKE" in q["sql"]]
    assert len(scans) == 1  # not one per person
    everything = json.dumps(
        [(e.object_repr, e.change_message) for e in LogEntry.objects.all()], ensure_ascii=False
    )
    assert "Camille" not in everything and "martin" not in everything.lower()
    assert LogEntry.objects.filter(object_repr=ERASED).count() == 3


def test_it_scrubs_a_single_deletion_as_a_batch_of_one() -> None:
    """One person deleted alone (the Django admin's delete page, ``Person.delete()``) goes
    through the batch's scrub: one scan of the journal, two ``LIKE`` per ASCII name and a third
    for a name Django's JSON stores escaped (« Zo\\u00e9 »), one write for every entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    school = make_establishment("0312609T")
    admin = Person.objects.create_superuser("admin", "admin-password-2026")
    pupil = make_person("Zoé", "Lefèvre", establishment=school, login="zoe.lefevre")
    mother = make_person("Nathalie", "Lefèvre", establishment=school, profile=Profile.PARENT)
    for _round in range(3):
        log(admin, [pupil, Membership.objects.get(person=pupil)], CHANGE)
    log(admin, [mother], CHANGE, [{"added": {"name": "lien", "object": str(pupil)}}])
    assert "\\u00e9" in LogEntry.objects.get(object_id=str(mother.pk)).change_message
    with CaptureQueriesContext(connection) as queries:
        pupil.delete()
    journal = [q["sql"] for q in queries if "django_admin_log" in q["sql"]]
    (scan,) = [sql for sql in journal if "LIKE" in sql]
    # « LEFÈVRE Zoé » and « Zoé Lefèvre », each with its escaped form; « zoe.lefevre »
    assert scan.count("LIKE") == 3 + 3 + 2
    updates = [sql for sql in journal if "UPDATE" in sql]
    assert len(updates) == 1  # 7 entries, one executemany
    everything = json.dumps(
        [(e.object_repr, e.change_message) for e in LogEntry.objects.all()], ensure_ascii=False
    )
    assert "Zoé" not in everything and "zoe.lefevre" not in everything
