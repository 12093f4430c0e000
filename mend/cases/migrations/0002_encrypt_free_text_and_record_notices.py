"""Free text that can hold what a participant said is encrypted; notices become codes.

Existing plaintext values of the newly encrypted columns are encrypted in place: they are
read with plain SQL (the field would try to decrypt them) and written back through the
historical model, whose field encrypts them.
"""

import django.db.models.deletion
import mend.core.fields
from django.conf import settings
from datetime import timedelta

from django.db import migrations, models


NEWLY_ENCRYPTED = [
    ("consententry", "note"),
    ("eligibilitydecision", "reason"),
    ("eligibilitydecision", "override_justification"),
    ("person", "accessibility_needs"),
    ("stagechange", "reason"),
]


def encrypt_existing(apps, schema_editor):
    connection = schema_editor.connection
    for model_name, field_name in NEWLY_ENCRYPTED:
        model = apps.get_model("cases", model_name)
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(model._meta.get_field(field_name).column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608
            rows = cursor.fetchall()
        for pk, value in rows:
            if not str(value).startswith("enc1:"):
                model.objects.filter(pk=pk).update(**{field_name: value})


def mark_named_in_referral(apps, schema_editor):
    # People added with the referral itself were named by the referrer.
    Participant = apps.get_model("cases", "Participant")
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.only("id", "created_at").iterator():
        Participant.objects.filter(
            case_id=case.id,
            role__in=["harmed", "responsible"],
            created_at__lte=case.created_at + timedelta(minutes=1),
        ).update(named_in_referral=True)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0001_initial_cases'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='consententry',
            name='on_withdrawal',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='note',
            name='notice',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='participant',
            name='contact_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='people_to_contact', to=settings.AUTH_USER_MODEL, verbose_name='contacted by (volunteer)'),
        ),
        migrations.AddField(
            model_name='participant',
            name='named_in_referral',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='stagechange',
            name='notice',
            field=models.JSONField(blank=True, default=dict),
        ),
        # The old alert held words in one language; alerts are now codes (a new column).
        migrations.RemoveField(model_name='case', name='alert'),
        migrations.AddField(
            model_name='case',
            name='alert',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name='consententry',
            name='decision',
            field=models.CharField(choices=[('given', 'Given'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn')], max_length=10, verbose_name='decision'),
        ),
        migrations.AlterField(
            model_name='consententry',
            name='note',
            field=mend.core.fields.EncryptedTextField(blank=True, verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='eligibilitydecision',
            name='override_justification',
            field=mend.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.AlterField(
            model_name='eligibilitydecision',
            name='reason',
            field=mend.core.fields.EncryptedTextField(verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='participant',
            name='withdrawal_method',
            field=models.CharField(blank=True, choices=[('written', 'In writing'), ('verbal', 'Verbally'), ('portal', 'Through the participant portal')], max_length=20),
        ),
        migrations.AlterField(
            model_name='person',
            name='accessibility_needs',
            field=mend.core.fields.EncryptedTextField(blank=True, verbose_name='accessibility needs'),
        ),
        migrations.AlterField(
            model_name='stagechange',
            name='reason',
            field=mend.core.fields.EncryptedTextField(blank=True),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
        migrations.RunPython(mark_named_in_referral, migrations.RunPython.noop),
    ]
