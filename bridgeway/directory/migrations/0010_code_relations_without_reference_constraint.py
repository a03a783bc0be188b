"""The six code relations keep their foreign key to the district, force area or term in
Django only: the database constraint is dropped, so PostgreSQL checks no key at commit for
each code row an import writes (about 470,000 at 50,000 services). Every writer takes its
codes from the reference tables first, and reference rows are never deleted (decision 0162).
Reversed, the constraints are added again and check every row already there."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0009_code_relations_without_service_index"),
        ("equality", "0001_initial"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="servicedistrict",
            name="localauthoritydistrict",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="places.localauthoritydistrict",
            ),
        ),
        migrations.AlterField(
            model_name="serviceethnicgroup",
            name="term",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="equality.term",
            ),
        ),
        migrations.AlterField(
            model_name="serviceharmtype",
            name="term",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="equality.term",
            ),
        ),
        migrations.AlterField(
            model_name="servicelanguage",
            name="term",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="equality.term",
            ),
        ),
        migrations.AlterField(
            model_name="servicepoliceforcearea",
            name="policeforcearea",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="places.policeforcearea",
            ),
        ),
        migrations.AlterField(
            model_name="servicereligion",
            name="term",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="equality.term",
            ),
        ),
    ]
