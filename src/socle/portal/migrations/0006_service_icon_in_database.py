"""Service icons move from files of one node into the database (``ServiceIcon``).

Only additions for the database: the former column ``icon`` (the file's path) stays, under the
name ``legacy_icon_path``, and ``icon_hash`` has a database default, so that nodes of the
previous version keep reading and writing services during a rolling upgrade. Migration 0007
moves the files' bytes.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_subjects"),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceIcon",
            fields=[
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="stored_icon",
                        serialize=False,
                        to="portal.service",
                    ),
                ),
                ("content_type", models.CharField(max_length=32)),
                ("data", models.BinaryField()),
            ],
        ),
        migrations.AddField(
            model_name="service",
            name="icon_hash",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                max_length=64,
                verbose_name="empreinte de l'icône",
            ),
        ),
        migrations.AlterField(
            model_name="service",
            name="icon",
            field=models.CharField(blank=True, db_column="icon", editable=False, max_length=100),
        ),
        migrations.RenameField(model_name="service", old_name="icon", new_name="legacy_icon_path"),
    ]
