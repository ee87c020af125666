"""``TraceScope.profile``: the profile the trace's person held in the establishment that sees
the trace, when it was recorded, shown in « Traces » and counted by « Indicateurs » instead of
the person's profile of today (docs/portal.md, "Traces").

The rows already stored get the profile their person holds there **at the upgrade** (the best
the database knows; "" when none, as the pages showed before for a person who left): one
``UPDATE`` per range of 50,000 traces, each row's profile read by the database through the
index of the person's memberships, nothing loaded into Python. 5 million rows: see CHANGELOG,
"Upgrading". The column has a database default, so that a node of the previous version still
writes its rows during a rolling upgrade (those get no profile)."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

CHUNK = 50_000


def fill(apps: Any, schema_editor: Any) -> None:
    TraceScope = apps.get_model("portal", "TraceScope")
    Trace = apps.get_model("portal", "Trace")
    Membership = apps.get_model("directory", "Membership")
    Establishment = apps.get_model("directory", "Establishment")
    quote = schema_editor.quote_name
    scope, trace = quote(TraceScope._meta.db_table), quote(Trace._meta.db_table)
    membership = quote(Membership._meta.db_table)
    establishment = quote(Establishment._meta.db_table)
    # Table names from the models, quoted; the bounds are parameters.
    update = (
        f"UPDATE {scope} SET profile = COALESCE(("  # noqa: S608
        f"SELECT MIN(m.profile) FROM {trace} t"
        f" JOIN {membership} m ON m.person_id = t.person_id"
        f" JOIN {establishment} e ON e.id = m.establishment_id"
        f" WHERE t.id = {scope}.trace_id AND e.uai = {scope}.uai), '')"
        " WHERE trace_id >= %s AND trace_id < %s AND profile = ''"
    )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(trace_id), MAX(trace_id) FROM {scope}")  # noqa: S608
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, CHUNK):
            cursor.execute(update, [start, start + CHUNK])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0009_person_deactivated_at"),
        ("portal", "0009_trace_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="tracescope",
            name="profile",
            field=models.CharField(blank=True, db_default="", default="", max_length=16),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
