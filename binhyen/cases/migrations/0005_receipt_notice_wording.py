"""The receipt notice read "tố giác, tin báo về tội phạm của bạn" ("your crime"): it now
says "do bạn cung cấp" (that you provided). Only a text still at the old default changes;
an administrator's own wording is left alone."""

from django.db import migrations

OLD = "tố giác, tin báo về tội phạm của bạn lúc"
NEW = "tố giác, tin báo về tội phạm do bạn cung cấp lúc"


def reword(apps, schema_editor):
    notice = apps.get_model("cases", "NoticeTemplate")
    for row in notice.objects.filter(code="receipt_notice", text__contains=OLD):
        row.text = row.text.replace(OLD, NEW)
        row.save(update_fields=["text"])


def back(apps, schema_editor):
    notice = apps.get_model("cases", "NoticeTemplate")
    for row in notice.objects.filter(code="receipt_notice", text__contains=NEW):
        row.text = row.text.replace(NEW, OLD)
        row.save(update_fields=["text"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_split_from")]
    operations = [migrations.RunPython(reword, back)]
