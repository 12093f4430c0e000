# A person's preferred language was free text ("Spanish"); it is now a language code.
# Names Mend recognises become their code; anything else is kept as it was written.

import mend.core.languages
from django.db import migrations, models


def names_to_codes(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    for person in Person.objects.exclude(preferred_language="").only("preferred_language"):
        code = mend.core.languages.code_for(person.preferred_language)
        if code is not None and code != person.preferred_language:
            person.preferred_language = code
            person.save(update_fields=["preferred_language"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_add_referral_message'),
    ]

    operations = [
        migrations.AlterField(
            model_name='person',
            name='preferred_language',
            field=models.CharField(blank=True, max_length=40, validators=[mend.core.languages.validate_language], verbose_name='preferred language'),
        ),
        migrations.RunPython(names_to_codes, migrations.RunPython.noop),
    ]
