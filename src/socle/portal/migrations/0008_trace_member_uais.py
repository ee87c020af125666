"""``Trace.member_uais``: the establishments a trace's person belonged to when a trace without
UAI was recorded, by which each school's « Traces » shows it. The traces already stored get
their person's establishments at the upgrade (the best the database knows): from then on,
a person who moves keeps their earlier traces in the school they leave."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations, models

CHUNK = 500


def date_from_memberships(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    Membership = apps.get_model("directory", "Membership")
    Trace = apps.get_model("portal", "Trace")
    uais: dict[int, set[str]] = defaultdict(set)
    rows = Membership.objects.using(alias).values_list("person_id", "establishment__uai")
    for person_id, uai in rows.iterator(chunk_size=5000):
        uais[person_id].add(uai)
    people: dict[str, list[int]] = defaultdict(list)  # one UPDATE per set of establishments
    for person_id, held in uais.items():
        people[" ".join(sorted(held))].append(person_id)
    for text, ids in people.items():
        for start in range(0, len(ids), CHUNK):
            Trace.objects.using(alias).filter(
                uai="", person_id__in=ids[start : start + CHUNK]
            ).update(member_uais=text)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0009_person_deactivated_at"),
        ("portal", "0007_service_icon_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="trace",
            name="member_uais",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(date_from_memberships, migrations.RunPython.noop),
    ]
