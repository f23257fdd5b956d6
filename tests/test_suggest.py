"""``normalise suggest``: proposing table entries from a corpus (issue 8)."""

from __future__ import annotations

import functools
import io
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from normalise import cli, suggest
from normalise.proposals import (
    Proposal,
    Spelling,
    Suggestions,
    _yaml_str,
    format_json,
    format_text,
    format_yaml,
)
from normalise.rewrite import Normaliser
from normalise.stream import CHUNK_CHARS, Source
from normalise.suggest import VariantDiscovery
from normalise.table import table_problems

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _forms(proposal) -> set[str]:
    return {s.form for s in proposal.spellings}


def _groups(suggestions: Suggestions) -> list[set[str]]:
    return [_forms(p) for p in suggestions.groups]


@functools.cache
def _default() -> Normaliser:
    return Normaliser(phonetic="suggest")


def discover(inputs, **kwargs) -> Suggestions:
    """suggest.discover with the default table built once for the whole module."""
    if kwargs.get("default_table", True):
        kwargs["normaliser"] = _default()
    return suggest.discover(inputs, **kwargs)


def _no_table(**kwargs) -> VariantDiscovery:
    return VariantDiscovery(default_table=False, **kwargs)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(["suggest", *argv])
    out, err = capsys.readouterr()
    return status, out, err


# ---------------------------------------------------------------- the seed reports


@pytest.fixture(scope="module")
def seed_suggestions() -> Suggestions:
    if not SEEDS.is_dir() or not list(SEEDS.glob("*.txt")):
        pytest.skip("seed reports not available")
    return discover([str(SEEDS)], default_table=False)


def test_seeds_propose_taliban_and_taloqan(seed_suggestions):
    groups = _groups(seed_suggestions)
    assert any({"Taliban", "Taleban"} <= g for g in groups)
    assert any({"Taloqan", "Taleqan", "Taliqan"} <= g for g in groups)
    taliban = next(p for p in seed_suggestions.groups if "Taleban" in _forms(p))
    assert taliban.canonical == "Taliban"  # the most frequent spelling
    assert taliban.docs == 5


def test_seed_proposals_never_group_two_names(seed_suggestions):
    # The default table is the oracle: every spelling it knows maps to one entry; a group
    # must not hold spellings of two entries.
    oracle = Normaliser(phonetic="off")
    for proposal in seed_suggestions.groups[:10]:
        entries = (oracle.explain(form).entry for form in _forms(proposal))
        names = {entry.canonical for entry in entries if entry is not None}
        assert len(names) <= 1, (proposal.canonical, names)
    for group in _groups(seed_suggestions)[:10]:
        assert not ({"Taliban", "Taleban"} & group and {"Taloqan", "Taliqan"} & group)


def test_seeds_with_default_table_propose_nothing_known():
    if not SEEDS.is_dir():
        pytest.skip("seed reports not available")
    suggestions = discover([str(SEEDS)])
    known = Normaliser(phonetic="off")
    for proposal in suggestions.groups:
        for form in _forms(proposal):
            assert not known.normalise(form).substitutions


def test_seeds_cli_text_report(capsys):
    if not SEEDS.is_dir():
        pytest.skip("seed reports not available")
    status, out, err = _run(capsys, "--no-default-table", str(SEEDS))
    assert status == 0, err
    assert "Taliban / Taleban" in out
    assert "Taloqan / Taleqan / Taliqan" in out
    assert "e.g. " in out and ".txt:" in out  # example contexts with file and line


# ---------------------------------------------------------------- new variants of entries


def test_unseen_spellings_extend_the_right_entries():
    suggestions = discover([str(FIXTURES / "suggest_variants.txt")])
    found = {p.canonical: set(p.variants) for p in suggestions.extensions}
    assert found == {"Kunduz": {"Kundoz"}, "Sheberghan": {"Shebarghan"}, "Taloqan": {"Taloqaan"}}
    assert all(p.kind == "place" and p.existing for p in suggestions.extensions)
    assert not suggestions.groups  # nothing is proposed twice


def test_table_forms_are_never_candidates():
    discovery = VariantDiscovery()
    discovery.add_text(
        "Fighting in Kunduz and Konduz and Qunduz, then in Taloqan and "
        "Taleqan, near Sar-e Pul and Sar-i-Pul.\n" * 3
    )
    suggestions = discovery.result(min_count=1)
    assert not suggestions.groups and not suggestions.extensions


# ---------------------------------------------------------------- grouping


def test_groups_new_names_across_files():
    suggestions = discover([str(FIXTURES)], glob="suggest_[no]*.txt")
    assert _groups(suggestions) == [{"Zorbakhan", "Zurbakhan", "Zorbakhon"}]
    group = suggestions.groups[0]
    assert group.canonical == "Zorbakhan"
    assert group.variants == ("Zurbakhan", "Zorbakhon")
    assert group.count == 6 and group.docs == 2
    assert [s.count for s in group.spellings] == [3, 2, 1]
    assert len(group.examples) == 3
    assert {e.file.rsplit("/", 1)[-1] for e in group.examples} == {
        "suggest_new_names.txt",
        "suggest_other.txt",
    }
    # one spelling (Merikhel) is no group
    assert not any("Merikhel" in g for g in _groups(suggestions))


def test_min_docs_and_min_count():
    paths = [str(FIXTURES / "suggest_new_names.txt"), str(FIXTURES / "suggest_other.txt")]
    assert discover(paths, min_docs=2).groups
    assert not discover(paths, min_docs=3).groups
    assert discover(paths, min_count=6).groups
    assert not discover(paths, min_count=7).groups


def test_complete_linkage_does_not_chain_names():
    # Zorbakhan ~ Zorbakhal ~ Zorbakhel, but Zorbakhan is not like Zorbakhel.
    discovery = _no_table()
    discovery.add_text(
        "We met in Zorbakhan. " * 5 + "Then in Zorbakhal. " * 2 + "Later in Zorbakhel. " * 4
    )
    groups = _groups(discovery.result(min_count=1))
    assert groups == [{"Zorbakhal", "Zorbakhel"}]
    matcher = discovery.matcher
    for group in groups:
        for a, b in itertools.combinations(group, 2):
            assert matcher.similarity(a, b) >= max(matcher.threshold(a), matcher.threshold(b))


def test_sentence_initial_english_word_does_not_count():
    # "Taban" is a (rare) English word: at the start of a sentence only, it is no name.
    discovery = _no_table()
    discovery.add_text(
        "Tabaan is a village. People from Tabaan came.\nTaban came next. "
        "Taban said so.\nThe elders of Tabaan agreed.\n"
    )
    assert not discovery.result(min_count=1).groups
    discovery.add_text("They walked to Taban and back.\n", "other")
    assert _groups(discovery.result(min_count=1)) == [{"Tabaan", "Taban"}]


def test_common_english_word_joins_but_never_starts_a_group():
    discovery = _no_table()
    discovery.add_text("In Kaftan it rained. The men of Kaftan left.\n")  # kaftan: common
    discovery.add_text("In Caftan it rained.\n")  # caftan: rare (wordfreq)
    assert _groups(discovery.result(min_count=1)) == [{"Kaftan", "Caftan"}]
    lone = _no_table()
    lone.add_text("In Kaftan and in Talisman and in Talismans it rained. Monday and Mondays.\n")
    assert not lone.result(min_count=1).groups


def test_multi_word_names():
    discovery = _no_table()
    discovery.add_text(
        "Shepherds of Dasht-e Morghab moved south. The road to Dasht-i-Murghab "
        "was cut. Supplies reached Dasht-e Morghab late.\n"
    )
    groups = _groups(discovery.result(min_count=1))
    assert {"Dasht-e Morghab", "Dasht-i-Murghab"} in groups


def test_two_names_side_by_side_are_no_multi_word_name():
    discovery = _no_table()
    discovery.add_text(
        "We went to Zorbakhan, then Merikhel. " * 4
        + "Routes: Zorbakhan Merikhel, and Zorbakhon Merikhil.\n"
    )
    groups = _groups(discovery.result(min_count=1))
    assert not any(" " in form for group in groups for form in group)


def test_inflected_forms_are_not_variants():
    discovery = _no_table()
    discovery.add_text("Zorbakhan and the Zorbakhans and Zorbakhani people met.\n" * 2)
    assert not discovery.result(min_count=1).groups


# ---------------------------------------------------------------- ranking


def test_ranked_by_documents_then_occurrences():
    discovery = _no_table()
    discovery.add_text("In Merikhel. Then Merikhil. In Zorbakhan. Then Zurbakhan.\n", "a")
    discovery.add_text("In Merikhel again. " * 3 + "\n", "b")
    discovery.add_text("In Gulbahar. Then Golbahar. " * 9 + "\n", "c")
    result = discovery.result(min_count=1)
    assert [p.canonical for p in result.groups] == ["Merikhel", "Golbahar", "Zorbakhan"]
    assert [p.docs for p in result.groups] == [2, 1, 1]
    assert discovery.result(min_count=1, limit=1).groups[0].canonical == "Merikhel"


# ---------------------------------------------------------------- output formats


def _mixed() -> Suggestions:
    return discover([str(FIXTURES)], glob="suggest_*.txt")


def test_yaml_is_a_valid_table(tmp_path):
    suggestions = _mixed()
    assert suggestions.groups and suggestions.extensions
    path = tmp_path / "proposed.yaml"
    path.write_text(format_yaml(suggestions), encoding="utf-8")
    assert table_problems([path])[1] == []
    done = subprocess.run(
        [sys.executable, "-m", "normalise", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["entries"] == [
        {"canonical": "Zorbakhan", "kind": "other", "variants": ["Zurbakhan", "Zorbakhon"]}
    ]
    text = path.read_text(encoding="utf-8")
    assert "# extend 'Kunduz', kind place" in text  # new variants of entries: comments
    assert "Kundoz" in text and "suggest_variants.txt:1:" in text


def test_yaml_without_entries_is_still_valid(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text(
        format_yaml(discover([str(FIXTURES / "suggest_variants.txt")])), encoding="utf-8"
    )
    assert table_problems([path])[1] == []
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["entries"] == []


def test_yaml_leaves_what_check_refuses_as_a_comment(tmp_path):
    # A proposal 'normalise check' refuses (a variant that is a common English word) stays
    # in the file as a comment with the reason; the rest is a valid table.
    ok = Proposal(
        "Zorbakhan",
        "other",
        (Spelling("Zorbakhan", 3, 1), Spelling("Zurbakhan", 2, 1, 0.95)),
        1,
        (),
    )
    bad = Proposal(
        "Chinna", "other", (Spelling("Chinna", 3, 1), Spelling("China", 2, 1, 0.9)), 1, ()
    )
    text = format_yaml(Suggestions((ok, bad), (), 1, 10))
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    from normalise.check import check_tables

    assert check_tables([str(path)]) == []
    assert [e["canonical"] for e in yaml.safe_load(text)["entries"]] == ["Zorbakhan"]
    assert "# not proposed: " in text and "common English word" in text
    assert "#   - canonical: Chinna" not in text and "# - canonical: Chinna" in text
    only_bad = format_yaml(Suggestions((bad,), (), 1, 10))
    assert yaml.safe_load(only_bad)["entries"] == []


def test_yaml_quoting():
    assert _yaml_str("Taloqan") == "Taloqan"
    assert _yaml_str("Mazar-e Sharif") == "Mazar-e Sharif"
    assert _yaml_str("No") == '"No"'
    assert _yaml_str("O'Neil: x") == '"O\'Neil: x"'


def test_json_output(capsys):
    status, out, err = _run(
        capsys,
        "--format",
        "json",
        str(FIXTURES / "suggest_variants.txt"),
        str(FIXTURES / "suggest_new_names.txt"),
    )
    assert status == 0, err
    data = json.loads(out)
    assert data["documents"] == 2
    assert [g["canonical"] for g in data["groups"]] == ["Zorbakhan"]
    assert data["groups"][0]["spellings"][0] == {"form": "Zorbakhan", "count": 2, "docs": 1}
    ext = {e["canonical"]: e for e in data["extensions"]}
    assert ext["Kunduz"]["variants"] == ["Kundoz"] and ext["Kunduz"]["existing"] is True
    assert ext["Kunduz"]["examples"][0]["line"] == 1
    assert "Kondoz" in ext["Kunduz"]["entry"]["variants"]
    assert json.loads(format_json(_mixed()))["groups"]


def test_text_report_lists_both_sorts():
    report = format_text(_mixed())
    assert "New entries (1)" in report and "Zorbakhan / Zurbakhan / Zorbakhon" in report
    assert "Kunduz (place, default:" in report and "add Kundoz" in report


# ---------------------------------------------------------------- reading


def test_chunks_give_the_same_counts_and_lines():
    text = (FIXTURES / "suggest_new_names.txt").read_text(encoding="utf-8") * 40
    whole = _no_table()
    whole.add_text(text, "t")
    chunked = _no_table()
    chunked.add_source(Source("t", io.BytesIO(text.encode())), chunk_chars=100)
    a, b = whole.result(min_count=1), chunked.result(min_count=1)
    assert a == b
    assert a.groups[0].count == 160
    line = text.splitlines()
    for example in a.groups[0].examples:
        words = example.text.split()
        assert all(w in line[example.line - 1] for w in words)


def test_stdin_larger_than_a_chunk():
    unit = (FIXTURES / "suggest_new_names.txt").read_bytes()
    data = unit * (CHUNK_CHARS // len(unit) + 50)
    assert len(data) > CHUNK_CHARS
    done = subprocess.run(
        [sys.executable, "-m", "normalise", "suggest", "--format", "json", "--no-progress"],
        input=data,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    group = result["groups"][0]
    repeats = CHUNK_CHARS // len(unit) + 50
    assert group["count"] == 4 * repeats and group["docs"] == 1
    assert group["examples"][0]["file"] == "<stdin>"


def test_undecodable_bytes_are_read(capsys, tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xff\xfe In Zorbakhan \xff. And Zurbakhan.\n")
    status, out, err = _run(capsys, "--format", "json", str(path))
    assert status == 0, err
    assert json.loads(out)["groups"][0]["canonical"] in ("Zorbakhan", "Zurbakhan")


def test_directory_recursion_and_glob(capsys, tmp_path):
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (sub / "one.txt").write_text("In Zorbakhan. In Zurbakhan.\n", encoding="utf-8")
    (tmp_path / "skip.md").write_text("In Merikhel. In Merikhil.\n", encoding="utf-8")
    status, out, _ = _run(capsys, "--format", "json", str(tmp_path))
    assert status == 0
    assert [g["canonical"] for g in json.loads(out)["groups"]] == ["Zorbakhan"]
    status, out, _ = _run(capsys, "--format", "json", "--glob", "*.md", str(tmp_path))
    assert [g["canonical"] for g in json.loads(out)["groups"]] == ["Merikhel"]


def test_progress_bar_does_not_touch_the_output(capsys):
    path = str(FIXTURES / "suggest_new_names.txt")
    _, plain, _ = _run(capsys, "--no-progress", path)
    status, shown, _ = _run(capsys, "--progress", path)
    assert status == 0 and shown == plain


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "argv, message",
    [
        (["missing.txt"], "missing.txt: no such file"),
        (["--min-count", "0", "x"], "must be at least 1"),
        (["--format", "xml"], "invalid choice"),
        (["-", "-"], "read only once"),
        (["--table", "no-such-table.yaml", "x"], "no-such-table.yaml"),
    ],
)
def test_errors_are_one_line_exit_2(capsys, argv, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x").write_text("In Zorbakhan.\n", encoding="utf-8")
    status, out, err = _run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_empty_directory_is_an_error(capsys, tmp_path):
    status, _, err = _run(capsys, str(tmp_path))
    assert status == 2 and "no file matching" in err and err.count("\n") == 1


def test_missing_file_from_the_shell():
    done = subprocess.run(
        [sys.executable, "-m", "normalise", "suggest", "no/such/file.txt"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "normalise: no/such/file.txt: no such file\n"


def test_example_lines_with_crlf():
    discovery = _no_table()
    discovery.add_text("a\r\nb\rc\nIn Zorbakhan here.\r\nAnd Zurbakhan there.\r\n", "t")
    group = discovery.result(min_count=1).groups[0]
    assert [(e.line, e.text) for e in group.examples] == [
        (4, "In Zorbakhan here."),
        (5, "And Zurbakhan there."),
    ]
