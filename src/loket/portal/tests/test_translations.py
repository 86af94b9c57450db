"""The translation catalogues are complete and their compiled files are current."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
COMPLETE = ["nl_BE", "fr", "de"]
ALL = [*COMPLETE, "en"]


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def parse_po(path: Path) -> list[Entry]:
    """A small reader for the gettext .po format as makemessages writes it."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, key
        if entry.msgid or entry.msgstr:
            entries.append(entry)
        entry, key = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if match:
            name, index, literal = match.group(1), match.group(2), match.group(3)
            key = ("msgstr", int(index)) if name.startswith("msgstr") and index else (name, 0)
            value = ast.literal_eval(literal)
        elif line.startswith('"') and key is not None:
            value = ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}: cannot read line {raw!r}")
        name, index_number = key
        if name == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif name == "msgid":
            entry.msgid += value
        elif name == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        else:
            entry.msgstr[index_number] = entry.msgstr.get(index_number, "") + value
    finish()
    return entries


def catalogue(language: str) -> list[Entry]:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"missing {path.relative_to(LOCALE_DIR.parent)}"
    return [entry for entry in parse_po(path) if entry.msgid and not entry.obsolete]


@pytest.mark.parametrize("language", COMPLETE)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(language):
    entries = catalogue(language)
    assert len(entries) > 100

    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values()) or not e.msgstr]

    assert not fuzzy, f"{language}: fuzzy entries: {fuzzy}"
    assert not untranslated, f"{language}: untranslated entries: {untranslated}"


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.parametrize("language", ALL)
def test_placeholders_survive_translation(language):
    for entry in catalogue(language):
        expected = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for text in entry.msgstr.values():
            if text:
                assert set(PLACEHOLDER.findall(text)) <= expected, (
                    f"{language}: {entry.msgid!r} -> {text!r}"
                )


@pytest.mark.parametrize("language", ALL)
def test_compiled_catalogue_matches_the_po_file(language):
    """The .mo files are committed (not every machine has gettext): they must be current."""
    mo_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in catalogue(language):
        if entry.msgid_plural or "fuzzy" in entry.flags or not entry.msgstr.get(0):
            continue
        if entry.msgctxt is not None:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], (
                f"{language}: {entry.msgid!r} is not compiled; run `loket compilemessages`"
            )
