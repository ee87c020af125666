"""``Person.deactivated_at``: when an account was deactivated, for the retention of people who
left (``SOCLE_DEACTIVATED_RETENTION_DAYS``). People already inactive get the migration's time:
their retention starts at the upgrade, so that nobody is deleted at once by the next
``socle retention_purge``."""

from typing import Any

from django.db import migrations, models
from django.utils import timezone


def date_the_inactive(apps: Any, schema_editor: Any) -> None:
    Person = apps.get_model("directory", "Person")
    Person.objects.using(schema_editor.connection.alias).filter(
        is_active=False, deactivated_at__isnull=True
    ).update(deactivated_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0008_pronote_uids_exported"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="deactivated_at",
            field=models.DateTimeField(
                blank=True, db_index=True, editable=False, null=True, verbose_name="désactivé le"
            ),
        ),
        migrations.RunPython(date_the_inactive, migrations.RunPython.noop),
    ]
