from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("vault", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="identity",
            options={
                "permissions": [
                    (
                        "reveal_identity",
                        "Xem danh tính người báo tin (có lý do, được ghi nhật ký)",
                    ),
                    ("erase_identity", "Xóa danh tính người báo tin theo yêu cầu"),
                ],
                "verbose_name": "danh tính",
                "verbose_name_plural": "danh tính",
            },
        ),
    ]
