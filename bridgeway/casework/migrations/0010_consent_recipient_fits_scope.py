from django.db import migrations, models


# As in 0009: existing rows are checked first, and the migration stops naming any that break
# the rule rather than changing a recorded consent.
def _check_existing_rows(apps, schema_editor):
    consent = apps.get_model("casework", "Consent")
    breaking = list(consent.objects.exclude(RULE).values_list("pk", flat=True)[:20])
    if breaking:
        raise RuntimeError(
            "casework 0010 cannot add casework_consent_recipient_fits_scope until these consents "
            "name the recipient their scope needs (up to 20 shown): "
            + ", ".join(str(pk) for pk in breaking)
        )


RULE = models.Q(
    scope="police", recipient_police_force_area__isnull=False, recipient_organisation__isnull=True
) | (
    ~models.Q(scope="police")
    & models.Q(recipient_organisation__isnull=False, recipient_police_force_area__isnull=True)
)


class Migration(migrations.Migration):
    dependencies = [("casework", "0009_invariants_as_constraints")]

    operations = [
        migrations.RunPython(_check_existing_rows, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="consent",
            constraint=models.CheckConstraint(
                condition=RULE, name="casework_consent_recipient_fits_scope"
            ),
        ),
    ]
