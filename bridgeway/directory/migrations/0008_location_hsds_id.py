"""A location row keeps the HSDS location's id beside its own (decision 0154), so several
services can be at one HSDS location. Every existing row keeps its id, and its HSDS id is
that same id: what the feed published before, it publishes after."""

from django.db import migrations, models
from django.db.models import F


def hsds_id_is_the_row_id(apps, schema_editor):  # noqa: ANN001, ANN201 - a migration function
    apps.get_model("directory", "Location").objects.update(hsds_id=F("id"))


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_feed_source_seen_pages"),
    ]

    operations = [
        migrations.AddField(
            model_name="location",
            name="hsds_id",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(hsds_id_is_the_row_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="location",
            name="hsds_id",
            field=models.UUIDField(blank=True, editable=False),
        ),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(fields=["hsds_id"], name="directory_location_hsds_id"),
        ),
        migrations.AddConstraint(
            model_name="location",
            constraint=models.UniqueConstraint(
                fields=("service", "hsds_id"), name="directory_location_once_per_service"
            ),
        ),
    ]
