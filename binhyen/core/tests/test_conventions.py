"""Conventions the code keeps, checked by tests rather than by memory (STYLE.md)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEW_FILES = [
    p for p in ROOT.rglob("*.py") if p.name in {"views.py", "api.py"} and "tests" not in p.parts
]
TEMPLATES = list(ROOT.rglob("templates/**/*.html"))


def test_views_and_apis_reach_cases_only_through_the_access_module():
    offenders = [
        str(p.relative_to(ROOT))
        for p in VIEW_FILES
        if re.search(r"\bCase\.objects\b", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_there_are_view_files_to_check():
    assert len(VIEW_FILES) >= 4


def test_templates_never_mark_content_safe():
    offenders = [
        str(p.relative_to(ROOT))
        for p in TEMPLATES
        if re.search(r"\|\s*safe\b|{%\s*autoescape\s+off", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_no_print_statements_in_application_code():
    offenders = []
    for p in ROOT.rglob("*.py"):
        if {"tests", "management", "simulator"} & set(p.parts) or p.name == "__main__.py":
            continue
        if re.search(r"^\s*print\(", p.read_text(encoding="utf-8"), re.MULTILINE):
            offenders.append(str(p.relative_to(ROOT)))
    assert offenders == []
