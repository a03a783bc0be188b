"""The coverage gaps a round is meant to close, with insight's figures when it was started."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("commissioning", "0004_published_rounds_joint_partners"),
    ]

    operations = [
        migrations.CreateModel(
            name="RoundGap",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("area_code", models.CharField(max_length=9)),
                ("area_name", models.CharField(max_length=200)),
                ("ethnic_group", models.CharField(max_length=64, verbose_name="community")),
                ("residents", models.PositiveIntegerField()),
                ("resident_share", models.DecimalField(decimal_places=6, max_digits=7)),
                ("referred_to_specialist", models.PositiveIntegerField(blank=True, null=True)),
                ("figures_from", models.DateTimeField(blank=True, null=True)),
                ("funding_round", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="gaps", to="commissioning.fundinground")),
            ],
            options={
                "ordering": ["area_name", "-residents"],
                "constraints": [
                    models.UniqueConstraint(fields=("funding_round", "area_code", "ethnic_group"), name="commissioning_gap_once_a_round"),
                ],
            },
        ),
    ]
