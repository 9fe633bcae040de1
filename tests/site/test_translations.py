"""The French catalogues are complete and up to date with the source strings."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ["site", "home", "forms", "connectors", "common", "locale"]


def catalogues(root: Path) -> dict[str, Path]:
    found = [*root.glob("locale/*/LC_MESSAGES/django.po"), *root.glob("[a-z]*/locale/*/LC_MESSAGES/django.po")]
    return {str(path.relative_to(root)): path for path in found}


def msgids(path: Path) -> set[tuple[str, str]]:
    return {(entry.msgctxt or "", entry.msgid) for entry in polib.pofile(str(path)) if not entry.obsolete}


def test_every_string_is_translated():
    problems = []
    for name, path in catalogues(PROJECT_DIR).items():
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{name}: fuzzy: {entry.msgid!r}")
            elif not entry.translated():
                problems.append(f"{name}: untranslated: {entry.msgid!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed: cannot extract strings")
def test_catalogues_are_up_to_date(tmp_path):
    """`make messages` on the current sources would not add or remove any string."""
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(PROJECT_DIR / "manage.py", copy)
    for name in SOURCE_DIRS:
        if (PROJECT_DIR / name).exists():
            shutil.copytree(PROJECT_DIR / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--ignore=tests", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "site.settings.test"},
        timeout=300,
    )
    committed, extracted = catalogues(PROJECT_DIR), catalogues(copy)
    assert committed.keys() == extracted.keys(), "run `make messages`: a catalogue is missing"
    for name in committed:
        missing = msgids(extracted[name]) - msgids(committed[name])
        stale = msgids(committed[name]) - msgids(extracted[name])
        assert not missing, f"{name} lacks {sorted(missing)[:10]}: run `make messages` and translate"
        assert not stale, f"{name} has strings no longer in the code: {sorted(stale)[:10]}: run `make messages`"
