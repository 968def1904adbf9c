"""The translation catalogues: Vietnamese is complete, compiled and not stale."""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from hrms.models import Role
from positions.models import OrgUnit

LOCALE = Path(settings.BASE_DIR) / "locale"
VI_PO = LOCALE / "vi" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the PO files makemessages writes (no polib needed)."""
    entries: list[Entry] = []
    entry, key = Entry(), None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry.line:
                entries.append(entry)
            entry, key = Entry(), None
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            key, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            entry.line = entry.line or number
        if key == "msgid":
            entry.msgid += value
        elif key == "msgid_plural":
            entry.msgid_plural += value
        elif key == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif key == "msgstr":
            entry.msgstr[0] = entry.msgstr.get(0, "") + value
        elif key and key.startswith("msgstr["):
            index = int(key[7:-1])
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
    if entry.line:
        entries.append(entry)
    return [e for e in entries if e.msgid]  # drop the header


def _translated(entry: Entry) -> str:
    if entry.msgid_plural:
        if entry.msgctxt is not None:
            return translation.npgettext(
                entry.msgctxt, entry.msgid, entry.msgid_plural, 1
            )
        return translation.ngettext(entry.msgid, entry.msgid_plural, 1)
    if entry.msgctxt is not None:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


VI_ENTRIES = parse_po(VI_PO)


def test_both_catalogues_are_compiled():
    for language in ("vi", "en"):
        folder = LOCALE / language / "LC_MESSAGES"
        assert (folder / "django.po").exists()
        assert (folder / "django.mo").exists(), f"run compilemessages ({language})"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Log in", "Đăng nhập"),
        ("Log out", "Đăng xuất"),
        ("Page not found", "Không tìm thấy trang"),
        ("HR officer's page", "Trang của cán bộ tổ chức"),
    ],
)
def test_key_strings_are_in_vietnamese(source, expected):
    with translation.override("vi"):
        assert translation.gettext(source) == expected
    with translation.override("en"):
        assert translation.gettext(source) == source


def test_role_and_unit_labels_are_in_vietnamese():
    with translation.override("vi"):
        assert str(Role.ADMIN.label) == "Quản trị hệ thống"
        assert str(Role.HR.label) == "Cán bộ tổ chức"
        assert str(Role.MANAGER.label) == "Lãnh đạo đơn vị"
        assert str(Role.INSPECTOR.label) == "Thanh tra"
        assert str(Role.COUNTER.label) == "Cán bộ một cửa"
        assert str(Role.STAFF.label) == "Công chức, viên chức"
        assert str(OrgUnit._meta.verbose_name) == "đơn vị"


def test_the_compiled_catalogue_matches_the_po_file():
    """Fails when django.po was edited and compilemessages was not run."""
    assert VI_ENTRIES, "the Vietnamese catalogue is empty"
    stale = []
    with translation.override("vi"):
        for entry in VI_ENTRIES:
            if entry.msgstr.get(0) and "fuzzy" not in entry.flags:
                if _translated(entry) != entry.msgstr[0]:
                    stale.append(f"line {entry.line}: {entry.msgid!r}")
    assert not stale, "run `make messages`; stale: " + "; ".join(stale[:10])


def test_every_vietnamese_entry_is_translated():
    missing = [
        f"line {e.line}: {e.msgid!r}" for e in VI_ENTRIES if not all(e.msgstr.values())
    ]
    assert not missing, "untranslated in locale/vi: " + "; ".join(missing[:20])


def test_no_vietnamese_entry_is_fuzzy():
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in VI_ENTRIES if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries in locale/vi: " + "; ".join(fuzzy[:20])


def test_translations_keep_their_placeholders():
    wrong = [
        f"line {e.line}: {e.msgid!r}"
        for e in VI_ENTRIES
        if e.msgstr.get(0)
        and not e.msgid_plural
        and sorted(PLACEHOLDER.findall(e.msgid))
        != sorted(PLACEHOLDER.findall(e.msgstr[0]))
    ]
    assert not wrong, "placeholders differ: " + "; ".join(wrong)
