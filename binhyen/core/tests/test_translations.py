"""The English catalog: complete, compiled, in step with the source, and actually used.

Vietnamese is the interface language; English comes from binhyen/locale/en (see
CONTRIBUTING.md, "Translations"). The catalog is read with a tiny PO parser so the checks
need no extra dependency; the check against the source runs `makemessages` on a temporary
copy of the tree when gettext is installed (CI installs it) and a scan of the source
otherwise.
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from binhyen.cases.services import IncomingMessage, message_receive
from binhyen.testing import PASSWORD

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "binhyen"
LOCALE_DIR = PACKAGE / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
# The same ignores as the documented `makemessages` command in CONTRIBUTING.md.
MAKEMESSAGES_IGNORE = [".venv/*", "var/*", "binhyen/simulator/*"]
SOURCE_EXTENSIONS = {".py", ".html", ".txt"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|\{\w*\}")
HTML_TAG = re.compile(r"<[^>]+>")
# Under CI gettext is installed by .ci/run: a missing tool there is a failure, not a skip.
UNDER_CI = bool(os.environ.get("CI"))
HAS_GETTEXT = UNDER_CI or all(
    shutil.which(tool) for tool in ("xgettext", "msguniq", "msgmerge", "msgattrib")
)
HAS_MSGFMT = UNDER_CI or shutil.which("msgfmt") is not None


# --- a tiny PO parser ----------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Entries in file order, the header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current is not None:
                entries.append(current)
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry()
        if line.startswith("#,"):
            current.flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#:"):
            current.references += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, line
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, name, getattr(current, name) + _unquote(line))
        else:
            match = re.fullmatch(
                r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")", line
            )
            assert match, f"unparsable line in {path.name}: {line!r}"
            name, index, value = match.groups()
            if name == "msgstr":
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = _unquote(value)
            else:
                target = (name, 0)
                setattr(current, name, _unquote(value))
    return entries


def catalog_of_po(path: Path) -> dict[object, str]:
    """What a compiled .mo holds for this .po, keyed the way `gettext.GNUTranslations` keys it."""
    catalog: dict[object, str] = {}
    for e in parse_po(path):
        if "fuzzy" in e.flags and e.msgid:
            continue  # msgfmt leaves fuzzy entries out
        msgid = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural is None:
            catalog[msgid] = e.msgstr[0]
        else:
            for index, text in e.msgstr.items():
                catalog[(msgid, index)] = text
    return catalog


def catalog_of_mo(path: Path) -> dict[object, str]:
    with path.open("rb") as fp:
        return dict(gnu_gettext.GNUTranslations(fp)._catalog)  # type: ignore[attr-defined]


def _without_pot_date(catalog: dict[object, str]) -> dict[object, str]:
    """msgfmt drops the POT-Creation-Date header line; nothing else may differ."""
    header = re.sub(r"^POT-Creation-Date: .*\n", "", catalog.get("", ""), flags=re.MULTILINE)
    return {**catalog, "": header}


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    found = parse_po(PO_FILE)
    assert found and found[0].msgid == "", "the catalog starts with its header"
    return found


@pytest.fixture(scope="module")
def messages(entries: list[Entry]) -> list[Entry]:
    return entries[1:]


def _where(e: Entry) -> str:
    return f"{e.msgid!r} ({', '.join(e.references[:2])})"


# --- the catalog itself -------------------------------------------------------------------


def test_the_catalog_holds_the_console_strings(messages):
    assert len(messages) > 500


def test_the_catalog_header_declares_english_and_its_two_plural_forms(entries):
    header = entries[0].msgstr[0]
    assert "Language: en\n" in header
    assert "Content-Type: text/plain; charset=UTF-8\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header


def test_no_entry_is_fuzzy(entries):
    assert [_where(e) for e in entries if "fuzzy" in e.flags] == []


def test_every_entry_is_translated_in_every_plural_form(messages):
    untranslated = [
        _where(e)
        for e in messages
        if not e.msgstr
        or any(not text.strip() for text in e.msgstr.values())
        or sorted(e.msgstr) != ([0, 1] if e.msgid_plural is not None else [0])
    ]
    assert untranslated == []


def test_translations_keep_every_placeholder(messages):
    broken = []
    for e in messages:
        for index, text in e.msgstr.items():
            source = e.msgid_plural if (e.msgid_plural is not None and index > 0) else e.msgid
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                broken.append(_where(e))
    assert broken == []


def test_translations_keep_the_markup_and_add_none(messages):
    changed = [
        _where(e)
        for e in messages
        for text in e.msgstr.values()
        if HTML_TAG.findall(text) != HTML_TAG.findall(e.msgid)
    ]
    assert changed == []


def test_translations_are_english_not_copied_vietnamese(messages):
    vietnamese = re.compile(
        "[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
    )
    leftover = [_where(e) for e in messages for t in e.msgstr.values() if vietnamese.search(t)]
    assert leftover == []


# --- compiled and in step with the source ---------------------------------------------------


def test_the_compiled_catalog_matches_the_po_file():
    """The .mo is committed (no gettext needed to run the demo): it must not lag the .po."""
    assert MO_FILE.exists(), "run: binhyen compilemessages -l en --ignore .venv"
    assert _without_pot_date(catalog_of_mo(MO_FILE)) == _without_pot_date(catalog_of_po(PO_FILE)), (
        "django.mo is older than django.po: run binhyen compilemessages -l en --ignore .venv"
    )


@pytest.mark.skipif(not HAS_MSGFMT, reason="gettext's msgfmt is not installed")
def test_the_compiled_catalog_is_what_msgfmt_makes_of_the_po_file(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(PO_FILE)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    assert catalog_of_mo(MO_FILE) == catalog_of_mo(fresh)


def _copy_source_tree(destination: Path) -> None:
    """The files `makemessages` reads, without the virtualenv, var/ and any locale dir."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        skipped = set()
        for name in names:
            path = here / name
            if path.is_dir():
                if name.startswith(".") or name in {"var", "locale", "__pycache__", "node_modules"}:
                    skipped.add(name)
            elif path.suffix not in SOURCE_EXTENSIONS:
                skipped.add(name)
        return skipped

    shutil.copytree(REPO, destination, ignore=ignore)


@pytest.mark.skipif(not HAS_GETTEXT, reason="gettext (xgettext, msgmerge) is not installed")
def test_the_catalog_holds_exactly_the_strings_in_the_source(tmp_path, monkeypatch, settings):
    """makemessages on a copy of the tree finds the same strings as the committed catalog.

    A string missing from the catalog shows in Vietnamese to an English reader; a string in
    the catalog but gone from the source means the catalog was not regenerated.
    """
    tree = tmp_path / "tree"
    _copy_source_tree(tree)
    locale = tree / "binhyen" / "locale"
    locale.mkdir()
    settings.LOCALE_PATHS = [locale]  # nothing may be written next to the real catalog
    monkeypatch.chdir(tree)
    call_command("makemessages", locale=["en"], ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0)
    extracted = {e.key for e in parse_po(locale / "en" / "LC_MESSAGES" / "django.po")[1:]}
    committed = {e.key for e in parse_po(PO_FILE)[1:]}
    assert sorted(extracted - committed, key=str) == [], "strings missing from the catalog"
    assert sorted(committed - extracted, key=str) == [], "catalog strings gone from the source"


GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
TEMPLATE_STRINGS = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?:"([^"]*)"|'([^']*)')"""  # {% translate "…" %}
    r"""|\b_\((?:"([^"]*)"|'([^']*)')\)"""  # label=_("…"), default:_("…")
)


def _source_files(suffix: str) -> list[Path]:
    return [
        p
        for p in PACKAGE.rglob(f"*{suffix}")
        if "simulator" not in p.relative_to(PACKAGE).parts[:1] and "__pycache__" not in p.parts
    ]


def test_every_literal_string_marked_in_the_source_is_in_the_catalog(messages):
    """Without gettext: the strings of {% translate %} and _("…") calls, found by a scan."""
    catalog = {e.msgid for e in messages} | {e.msgid_plural for e in messages}
    found: dict[str, str] = {}
    for template in _source_files(".html"):
        for match in TEMPLATE_STRINGS.finditer(template.read_text(encoding="utf-8")):
            text = next(g for g in match.groups() if g is not None)
            found.setdefault(text, str(template.relative_to(REPO)))
    for module in _source_files(".py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, str(module.relative_to(REPO)))
    assert len(found) > 400, "the scan found the marked strings"
    missing = sorted(f"{text!r} ({where})" for text, where in found.items() if text not in catalog)
    assert missing == []


# --- the catalog in use -------------------------------------------------------------------


def test_english_is_one_of_the_languages_offered():
    assert settings.LANGUAGE_CODE == "vi"
    assert "en" in {code for code, _name in settings.LANGUAGES}


# Looked up through variables: literal gettext calls here would put this file into the catalog.
GLOSSARY = {"Tin báo": "Tip", "Hộp thư": "Inbox", "Tạm đình chỉ": "Suspended"}
ENTRIES = "%(n)s mục"


def test_the_english_catalog_is_loaded_for_english():
    with translation.override("en"):
        for vietnamese, english in GLOSSARY.items():
            assert translation.gettext(vietnamese) == english
        assert translation.ngettext(ENTRIES, ENTRIES, 1) == "%(n)s entry"
        assert translation.ngettext(ENTRIES, ENTRIES, 3) == "%(n)s entries"
    with translation.override("vi"):
        for vietnamese in GLOSSARY:
            assert translation.gettext(vietnamese) == vietnamese


def choose_english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_the_login_page_is_english_with_the_language_cookie(client):
    choose_english(client)
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    for words in ("Sign in", "Username", "Password", "For police officers only."):
        assert words in page
    assert "Đăng nhập" not in page
    assert "Mật khẩu" not in page


def test_the_login_page_is_vietnamese_without_the_cookie(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Mật khẩu" in page
    assert "Sign in" not in page


def test_picking_english_in_the_footer_switches_the_console_to_english(client):
    resp = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = resp.content.decode()
    assert "Sign in" in page
    assert "Đăng nhập" not in page


@pytest.fixture
def officer(world, client):

    message_receive(
        incoming=IncomingMessage(
            channel_account=world.bmt_page,
            contact_key="user:7",
            contact_kind="zalo_user",
            provider_message_id="m-i18n-1",
            kind="text",
            text="Có trộm xe ở chợ",
            sent_at=timezone.now(),
            identity={"zalo_user_id": "7"},
        )
    )
    assert client.login(username=world.officer_bmt.username, password=PASSWORD)
    return client


def test_the_inbox_is_english_with_the_language_cookie(officer):
    choose_english(officer)
    resp = officer.get(reverse("cases:inbox") + "?status=all")
    assert resp.status_code == 200
    page = resp.content.decode()
    for words in ("Inbox", "Tip inbox", "All my units", "Filter", "My cases", "Sign out"):
        assert words in page
    for words in ("Hộp thư", "Lọc", "Đăng xuất", "Việc của tôi"):
        assert words not in page


def test_the_inbox_is_vietnamese_without_the_cookie(officer):
    page = officer.get(reverse("cases:inbox") + "?status=all").content.decode()
    for words in ("Hộp thư tin báo", "Lọc", "Đăng xuất", "Việc của tôi"):
        assert words in page
    assert "Tip inbox" not in page
