"""``TraceScope``: one row per trace and establishment whose « Traces » show it, so that a
school's traces are read through an index (uai, at, trace) instead of a ``LIKE`` on
``Trace.member_uais`` over every trace (docs/benchmarks/analysis.md, "Traces of a school").

Filled from the traces already stored: their own UAI, else each UAI of ``member_uais``. Two
``INSERT … SELECT`` for the traces with one establishment (nearly all: a few seconds for
millions of traces), Python only for those of several (a parent with children in two schools)."""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

CHUNK = 5000


def fill(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    Trace = apps.get_model("portal", "Trace")
    TraceScope = apps.get_model("portal", "TraceScope")
    scope, trace = TraceScope._meta.db_table, Trace._meta.db_table
    quote = schema_editor.quote_name
    # Table names from the models, quoted; no value from outside.
    insert = f"INSERT INTO {quote(scope)} (trace_id, uai, at) SELECT id, %s, at FROM {quote(trace)}"  # noqa: S608
    schema_editor.execute(insert % "uai" + " WHERE uai <> ''")
    schema_editor.execute(
        insert % "member_uais"
        + " WHERE uai = '' AND member_uais <> '' AND member_uais NOT LIKE '%% %%'"
    )
    several = (
        Trace.objects.using(alias)
        .filter(uai="", member_uais__contains=" ")
        .values_list("id", "at", "member_uais")
        .order_by("id")
    )
    rows = []
    for trace_id, at, member_uais in several.iterator(chunk_size=CHUNK):
        rows += [TraceScope(trace_id=trace_id, uai=uai, at=at) for uai in member_uais.split()]
        if len(rows) >= CHUNK:
            TraceScope.objects.using(alias).bulk_create(rows)
            rows = []
    TraceScope.objects.using(alias).bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_trace_member_uais"),
    ]

    operations = [
        migrations.CreateModel(
            name="TraceScope",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uai", models.CharField(max_length=8)),
                ("at", models.DateTimeField()),
                (
                    "trace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="portal.trace",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["uai", "at", "trace"], name="tracescope_uai_at")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
