"""Rounds are drafts until published; joint rounds record partner offices and contributions.

Rounds that existed before were already open to applications, so they count as published
from when they were made.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def publish_existing(apps, schema_editor):
    FundingRound = apps.get_model("commissioning", "FundingRound")
    FundingRound.objects.filter(published_at__isnull=True).update(published_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_enrolment_links"),
        ("commissioning", "0003_timetable_criteria_reviews"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="fundinground",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="published"),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
        migrations.CreateModel(
            name="RoundPartner",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("contribution", models.DecimalField(decimal_places=2, max_digits=12, verbose_name="contribution")),
                ("added_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("funding_round", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="partners", to="commissioning.fundinground")),
                ("office", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.organisation")),
            ],
            options={
                "ordering": ["office__name"],
                "constraints": [
                    models.UniqueConstraint(fields=("funding_round", "office"), name="commissioning_partner_once_a_round"),
                    models.CheckConstraint(condition=models.Q(("contribution__gt", 0)), name="commissioning_partner_contribution_positive"),
                ],
            },
        ),
    ]
