"""Seed the `answer` rule (questions and feedback get an operational clock instead of the
legal 24 h classification clock of tips). A frozen copy; tests check it against the code."""

from django.db import migrations

RULES = [
    {
        "code": "answer",
        "kind": "operational",
        "family": "answer",
        "amount": 24,
        "unit": "hours",
        "end_of_day": False,
        "roll_to_working_day": False,
        "citation_vi": "Chỉ tiêu nghiệp vụ của Công an tỉnh (không phải quy định pháp luật)",
        "citation_en": "Operational target set by the provincial command (not a legal rule)",
        "description_vi": "Trả lời câu hỏi, phản ánh của người dân",
        "description_en": "Answer the citizen's question or feedback",
        "extends": "",
        "anchor": "start",
        "pausable": False,
        "restart_on_resume": "",
        "starts_on": "",
        "repeat": False,
        "not_when_anonymous": False,
    }
]


def seed(apps, schema_editor):
    ClockRule = apps.get_model("clocks", "ClockRule")
    for row in RULES:
        fields = dict(row)
        code = fields.pop("code")
        ClockRule.objects.get_or_create(code=code, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0002_seed_default_rules"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
