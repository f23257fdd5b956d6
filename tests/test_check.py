"""``normalise check``: each kind of finding on a small bad table, through the library and
through the command; clean and bundled tables pass."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from normalise import Normaliser, bundled_tables, settle
from normalise.check import check_tables, severity, shadowed
from normalise.cli import main
from normalise.table import Entry, Table

HERE = Path(__file__).parent


def _write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _cli(*args, process: bool = False) -> subprocess.CompletedProcess:
    """``normalise check ARGS``: in a new process (``python -m normalise``), or, faster,
    through the same entry point in this one."""
    argv = ["check", *map(str, args)]
    if process:
        return subprocess.run(
            [sys.executable, "-m", "normalise", *argv],
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
    out, err = io.StringIO(), io.StringIO()
    handler = signal.getsignal(signal.SIGTERM)  # main() installs its own
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
    finally:
        signal.signal(signal.SIGTERM, handler)
    return subprocess.CompletedProcess(argv, status, out.getvalue(), err.getvalue())


def _found(path: Path, kind: str) -> list:
    return [p for p in check_tables([path]) if p.kind == kind]


def assert_reported(
    path: Path, kind: str, line: int, entry: str, words: str, process: bool = False
) -> None:
    """The library and the command both report ``kind`` at ``path:line`` for ``entry``."""
    found = _found(path, kind)
    assert [(p.file, p.line, p.entry) for p in found] == [(str(path), line, entry)], found
    assert words in found[0].message
    text = _cli(path, process=process)
    assert text.returncode == 1, text.stderr
    assert any(
        row.startswith(f"{path}:{line}: ") and row.endswith(f"[{kind}]") and words in row
        for row in text.stdout.splitlines()
    ), text.stdout
    assert "1 problem" in text.stderr
    as_json = _cli(path, "--format", "json", process=process)
    assert as_json.returncode == 1
    rows = [json.loads(row) for row in as_json.stdout.splitlines()]
    assert [(r["file"], r["line"], r["entry"], r["kind"]) for r in rows] == [
        (str(path), line, entry, kind)
    ]
    assert words in rows[0]["message"]
    assert rows[0]["severity"] == severity(found[0])


CLEAN = """table: clean
entries:
  - canonical: Taloqan
    kind: place
    variants: [Taleqan, Taliqan]
  - canonical: U.S.
    kind: abbreviation
    case_sensitive: true
    variants: [US]
  - canonical: al-Qaeda
    kind: organisation
    separators: flexible
    variants: [al-Qaida]
  - canonical: Lashkar Gah
    kind: place
    variants: [Lashkargah]
  - canonical: neighborhood
    kind: spelling
    variants: [neighbourhood]
"""


def test_clean_table_passes(tmp_path):
    path = _write(tmp_path, CLEAN)
    assert check_tables([path]) == []
    result = _cli(path, process=True)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "" and result.stderr.strip() == f"{path}: ok"
    assert _cli(path, "--format", "json").stdout == ""


def test_invalid_table_is_reported_with_its_kind(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: Kunduz
    kind: place
    variants: [Kondoz]
  - canonical: Konduz
    kind: place
    variants: [Kondoz]
""",
    )
    assert_reported(path, "conflict", 7, "Konduz", "also the variant 'Kondoz'")


def test_form_of_combining_marks_only_is_invalid(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: Kabul
    kind: place
    variants: [Kabol, "\\u0301."]
""",
    )
    assert_reported(path, "invalid", 4, "Kabul", "no letter or digit")


def test_english_word(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: Herat
    kind: place
    variants: [Harat, Heart]
""",
    )
    assert_reported(path, "english-word", 4, "Herat", "'heart'", process=True)


def test_point_chain(tmp_path):
    """'Qzrx.' ends a sentence as 'Qzr.', which the other entry lists: the text goes on."""
    path = _write(
        tmp_path,
        """entries:
  - canonical: Qzr
    kind: abbreviation
    variants: [Qzrx.]
  - canonical: Qzrt
    kind: abbreviation
    variants: [Qzr.]
""",
    )
    assert_reported(path, "point-chain", 4, "Qzr", "'Qzr.', which is a form of 'Qzrt'")


def test_english_word_from_flexible_separators(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: Pen Insula
    kind: place
    separators: flexible
    variants: [Pen-Insoola]
""",
    )
    assert_reported(path, "english-word", 2, "Pen Insula", "spelling 'PenInsula'")


def test_english_word_case_sensitive_only_in_lower_case(tmp_path):
    upper = _write(
        tmp_path,
        """entries:
  - canonical: U.S.
    kind: abbreviation
    case_sensitive: true
    variants: [US]
""",
        "upper.yaml",
    )
    assert check_tables([upper]) == []
    lower = _write(
        tmp_path,
        """entries:
  - canonical: U.S.
    kind: abbreviation
    case_sensitive: true
    variants: [US, us]
""",
        "lower.yaml",
    )
    assert_reported(lower, "english-word", 5, "U.S.", "'us'")


def test_english_word_spares_house_spelling_and_the_same_name(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: color
    kind: spelling
    variants: [colour]
  - canonical: Kyiv
    kind: place
    variants: [Kiev]
""",
    )
    assert check_tables([path]) == []


def test_shadowed(tmp_path):
    # A variant that starts with a combining mark is found only without its mark.
    path = _write(
        tmp_path,
        """entries:
  - canonical: Kabul
    kind: place
    variants: [Kabol, "\\u0301Kaboul"]
""",
    )
    assert_reported(path, "shadowed", 4, "Kabul", "never finds it as written")


def test_shadowed_when_another_entry_always_wins():
    """Tables that load never let one entry win another's form (merge reports it); a table
    built by hand shows what the finding says when it happens."""
    kabul = Entry("Kabul", ("Kabol",), "place", file="t.yaml", line=1, form_lines=(1, 2))
    other = Entry("Kaboul", ("Kabol",), "place", file="t.yaml", line=3, form_lines=(3, 4))
    found = list(shadowed(Normaliser(table=Table((kabul, other)), phonetic="off")))
    assert [(p.line, p.entry, p.kind) for p in found] == [(2, "Kabul", "shadowed")]
    assert "always read as 'Kaboul'" in found[0].message
    exact = Entry("US", ("U.S.",), "abbreviation", case_sensitive=True, line=5)
    loose = Entry("Usa", ("us",), "place", line=6)
    found = list(shadowed(Normaliser(table=Table((exact, loose)), phonetic="off")))
    assert [p.entry for p in found] == []  # "us" still matches: only "US" is taken
    loose = Entry("Usa", ("US",), "place", line=6)
    found = list(shadowed(Normaliser(table=Table((exact, loose)), phonetic="off")))
    assert [p.entry for p in found] == ["Usa"]


def test_redundant_is_a_note(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: Taloqan
    kind: place
    variants: [Taleqan, Tāloqān]
""",
    )
    assert_reported(path, "redundant", 4, "Taloqan", "'Taloqan'")
    assert severity(_found(path, "redundant")[0]) == "note"
    assert "note: variant" in _cli(path).stdout


def test_redundant_flexible_spelling(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: Sar-e Pul
    kind: place
    separators: flexible
    variants: [Sar-i-Pul, Sari Pul]
""",
    )
    assert_reported(path, "redundant", 5, "Sar-e Pul", "'Sar-i-Pul'")


def test_a_variant_inside_a_multi_word_form_is_stable(tmp_path):
    """The table compiler gives Dahla Dam the spelling Arghandob Dam (the inner name written
    as its variant), so one pass reaches the fixed point and check finds nothing."""
    path = _write(
        tmp_path,
        """entries:
  - canonical: Arghandab
    kind: place
    variants: [Arghandob]
  - canonical: Dahla Dam
    kind: place
    variants: [Arghandab Dam]
""",
    )
    assert not _found(path, "unstable")
    n = Normaliser([path], default_table=False, phonetic="off")
    assert n.normalise("Arghandob Dam").text == "Dahla Dam"


OVERLAPPING = """entries:
  - canonical: Band-e Amir
    kind: place
    variants: [Band-i-Amir]
  - canonical: Amir Khan
    kind: person
    variants: [Ameer Khan]
"""


def test_overlapping_forms_are_settled_by_further_passes(tmp_path):
    """A canonical form that starts inside another form and runs past its end: one pass makes
    a match that the input did not have, and the rewriter's further passes settle it, so the
    table is stable."""
    path = _write(tmp_path, OVERLAPPING)
    assert not _found(path, "unstable")
    n = Normaliser([path], default_table=False, phonetic="off")
    assert n.normalise("Band-i-Ameer Khan").text == "Band-e Amir Khan"


def test_unstable_is_what_the_passes_do_not_settle(tmp_path, monkeypatch):
    """``unstable`` reports a witness that still changes when run again: with the further
    passes switched off, the overlap above is one."""
    monkeypatch.setattr(settle, "MAX_PASSES", 0)
    path = _write(tmp_path, OVERLAPPING)
    found = {p.line: p.message for p in _found(path, "unstable")}
    assert (
        "'Band-i-Ameer Khan' becomes 'Band-i-Amir Khan' and, run again, 'Band-e Amir "
        "Khan'" in found[4]
    )
    # In lower case the canonical form itself is recased on the second run.
    assert "'band-e Ameer Khan' becomes 'band-e Amir Khan'" in found[2]


def test_capitals_keep_the_key(tmp_path):
    """The capitals of Fußweg would be FUSSWEG, another entry's variant: the rewriter keeps
    the ß, so the table is stable."""
    path = _write(
        tmp_path,
        """entries:
  - canonical: Fußweg
    kind: spelling
    variants: [Fusweg]
  - canonical: Footpath
    kind: spelling
    variants: [Fussweg]
""",
    )
    assert not _found(path, "unstable")
    n = Normaliser([path], default_table=False, phonetic="off")
    assert n.normalise("FUSWEG FUSSWEG").text == "FUßWEG FOOTPATH"


def test_a_trailing_point_before_another_point_is_left_alone(tmp_path):
    """'Dr..': which point is the abbreviation's cannot be told, so nothing is rewritten
    (rewriting 'Dr.' would leave 'Dr.', which a second run would rewrite again)."""
    path = _write(
        tmp_path,
        """entries:
  - canonical: Dr
    kind: abbreviation
    case_sensitive: true
    variants: [Dr.]
""",
    )
    assert not _found(path, "unstable")
    n = Normaliser([path], default_table=False, phonetic="off")
    assert n.normalise("Dr.. Dr. Khan. Dr.").text == "Dr.. Dr Khan. Dr."


def test_phonetic_conflict(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: Kunduz
    kind: place
    variants: [Qunduz]
  - canonical: Spin Boldak
    kind: place
    variants: [Speen Boldak]
  - canonical: Konduz
    kind: place
    variants: []
""",
    )
    found = _found(path, "phonetic-conflict")
    # Left out, Konduz would be read as Kunduz; Kunduz keeps Qunduz, which scores as high.
    assert [(p.line, p.entry) for p in found] == [(8, "Konduz")]
    assert "read as 'Kunduz'" in found[0].message
    result = _cli(path, "--format", "json")
    assert result.returncode == 1
    rows = [json.loads(row) for row in result.stdout.splitlines()]
    assert {(r["line"], r["entry"]) for r in rows if r["kind"] == "phonetic-conflict"} == {
        (p.line, p.entry) for p in found
    }


@pytest.mark.parametrize(
    "text, line, entry, words",
    [
        (
            "- canonical: kabul\n  kind: place\n  variants: [Kabol]\n",
            2,
            "kabul",
            "starts in lower case",
        ),
        (
            "- canonical: taliban\n  kind: term\n  variants: [Taleban, Talibaan]\n",
            2,
            "taliban",
            "every variant is capitalised",
        ),
        (
            "- canonical: Kabul\n  kind: place\n  variants: [Kabol, kaboul]\n",
            4,
            "Kabul",
            "'kaboul' of 'Kabul' starts in lower case",
        ),
        (
            "- canonical: al-qaeda\n  kind: organisation\n  variants: [Al-Qaida]\n",
            2,
            "al-qaeda",
            "starts in lower case",
        ),
    ],
    ids=[
        "name in lower case",
        "lower canonical, capital variants",
        "name variant in lower",
        "lower case after a particle",
    ],
)
def test_casing(tmp_path, text, line, entry, words):
    body = "".join("  " + row + "\n" for row in text.splitlines())
    path = _write(tmp_path, "entries:\n" + body)
    assert_reported(path, "casing", line, entry, words)


def test_casing_allows_particles_and_other_scripts(tmp_path):
    path = _write(
        tmp_path,
        """entries:
  - canonical: al-Qaeda
    kind: organisation
    variants: [Al Qaida, القاعدة]
  - canonical: bin Laden
    kind: person
    variants: [Bin Ladin]
  - canonical: Kyiv
    kind: place
    variants: [Київ]
  - canonical: eBay
    kind: organisation
    variants: [E-bay]
""",
    )
    assert check_tables([path]) == []


def test_findings_name_files_in_the_order_given(tmp_path):
    first = _write(
        tmp_path, "entries:\n  - canonical: kabul\n    kind: place\n    variants: []\n", "a.yaml"
    )
    second = _write(
        tmp_path, "entries:\n  - canonical: herat\n    kind: place\n    variants: []\n", "b.yaml"
    )
    found = check_tables([second, first])
    assert [p.file for p in found] == [str(second), str(first)]


# --------------------------------------------------------------------------- bundled tables


BUNDLED = [name for name in ("default", "en-US", "en-GB") if name in bundled_tables()]


@functools.cache
def _bundled_findings(*names: str) -> list:
    return check_tables(list(names))


@pytest.mark.parametrize("name", [n for n in BUNDLED if n != "default"])
def test_bundled_tables_pass_check(name):
    """The default table's own check is the command's, below (one run of the check, 3 s,
    instead of one through the library and one through the command)."""
    problems = _bundled_findings(name)
    assert not problems, "\n".join(f"{p} [{p.kind}]" for p in problems)


@pytest.mark.parametrize("name", [n for n in BUNDLED if n != "default"])
def test_spelling_tables_pass_check_with_the_default_table(name):
    """``normalise --table en-GB`` loads the default table first: together they must load
    (no form claimed by both) and pass every check."""
    problems = _bundled_findings("default", name)
    assert not problems, "\n".join(f"{p} [{p.kind}]" for p in problems)


def test_default_table_through_the_command():
    """``normalise check`` with no table checks the default table, which passes: exit status
    0, nothing on either stream (a finding is a line and exit status 1: assert_reported)."""
    result = _cli("--format", "json")
    assert result.stderr == ""
    assert (result.returncode, result.stdout) == (0, ""), result.stdout
