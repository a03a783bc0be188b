"""Audit entries record the key that sealed them (docs/decisions/0060).

Entries already written keep key 0: they were sealed with plain SHA-256 and still verify as
the chain's unkeyed beginning. Adding the column fires no row trigger, so the append-only
trigger of 0004 is untouched.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0010_consent_recipient_fits_scope'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='key_id',
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
