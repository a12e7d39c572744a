from django.db import migrations


def seed(apps, schema_editor):
    from binhyen.cases.models.notice import DEFAULT_NOTICES

    NoticeTemplate = apps.get_model("cases", "NoticeTemplate")
    for code, (description, text) in DEFAULT_NOTICES.items():
        NoticeTemplate.objects.get_or_create(code=code, defaults={"description": description,
                                                                  "text": text})


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_noticetemplate")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
