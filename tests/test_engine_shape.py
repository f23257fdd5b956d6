"""The engine's shape (issue 19): one options value, one compiled table and its core, events
in a leaf module, and no import cycle in the package."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from normalise import Normaliser, load_table
from normalise.compile import CompiledTable, PythonCore, TablePass, load_core
from normalise.events import Event, Rule, apply_events
from normalise.options import Options
from normalise.table import Entry, table_from_entries

PACKAGE = Path(__file__).resolve().parent.parent / "normalise"
#: Modules a core may provide that need not exist (the compiled core, issue 17).
OPTIONAL = frozenset({"normalise._core"})


# --------------------------------------------------------------------------- imports


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.with_suffix("").relative_to(PACKAGE.parent).parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports when it runs: at the top or inside a
    function (both are import edges), not under ``if TYPE_CHECKING``."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in OPTIONAL:
                    continue
                found.add(full if full in modules else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in modules and m != name}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph``, or None."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = walk(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = walk(node)
            if found:
                return found
    return None


def test_the_package_has_no_import_cycle():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert len(graph) > 30  # the walk found the package
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


# --------------------------------------------------------------------------- complexity

#: The worst cyclomatic complexity a function may have: radon's rank C (issue 19).
WORST_RANK = "C"


def _too_complex(source: str) -> list[str]:
    from radon.complexity import cc_rank, cc_visit

    found = []
    for block in cc_visit(source):
        for each in (block, *getattr(block, "methods", ())):
            if cc_rank(each.complexity) > WORST_RANK:
                found.append(f"{each.fullname}:{each.lineno} {cc_rank(each.complexity)}")
    return found


def test_no_function_is_worse_than_rank_c():
    """What `radon cc -n D normalise` checks: no function or method ranks D or worse."""
    found = [
        f"{path.relative_to(PACKAGE.parent)} {block}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for block in _too_complex(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_complexity_check_finds_a_complex_function():
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(25))
    assert _too_complex(f"def f(x):\n{branches}    return -1\n") == ["f:1 D"]


def test_events_import_nothing_of_the_package_but_its_errors():
    modules = _modules()
    assert _imports("normalise.events", modules["normalise.events"], modules) == {
        "normalise.errors"
    }
    assert _imports("normalise.errors", modules["normalise.errors"], modules) == set()


# --------------------------------------------------------------------------- options


def test_options_are_checked_once_and_replace_checks_again():
    options = Options(phonetic="off", keep=(" Herat ",))
    assert options.keep == ("Herat",)
    assert options.replace(phonetic="suggest").phonetic == "suggest"
    with pytest.raises(ValueError, match="phonetic"):
        options.replace(phonetic="sometimes")
    with pytest.raises(ValueError, match="min_score"):
        Options(min_score=1.5)
    with pytest.raises(TypeError, match="one string"):
        Options(keep="Herat")
    with pytest.raises(ValueError, match="given_names"):
        Options(given_names="never")


def test_table_and_tables_together_are_an_error(tmp_path):
    table = table_from_entries([Entry("Kunduz", ("Konduz",), "place")], "t")
    with pytest.raises(ValueError, match="not both"):
        Options(tables=("en-US",), table=table)
    with pytest.raises(ValueError, match="not both"):
        Normaliser(["en-US"], table=table)
    n = Normaliser(table=table, phonetic="off")  # the whole table: no default table
    assert [e.canonical for e in n.table.entries] == ["Kunduz"]
    assert n.options.sources == []


def test_options_or_keywords_give_the_same_normaliser():
    table = str(Path(__file__).parent / "fixtures" / "cli_table.yaml")  # small: fast to build
    options = Options(tables=(table,), default_table=False, phonetic="off")
    by_options = Normaliser(options=options)
    by_keywords = Normaliser(table, default_table=False, phonetic="off")
    assert by_options.options == by_keywords.options
    text = "The Taleban of Taliqan, in the neighbourhood of Kiev."
    assert by_options.normalise(text) == by_keywords.normalise(text)
    with pytest.raises(TypeError, match="not both"):
        Normaliser(options=options, phonetic="suggest")
    with pytest.raises(TypeError, match="not both"):  # the cached one ignored it silently
        Normaliser.cached(options=options, phonetic="suggest")
    assert Normaliser.cached(options=options).options == options


def test_the_cache_key_changes_with_each_option():
    base = Options(phonetic="off")
    keys = {
        repr(o.cache_key())
        for o in (
            base,
            base.replace(phonetic="suggest"),
            base.replace(min_score=0.9),
            base.replace(margin=0.1),
            base.replace(keep=("Herat",)),
            base.replace(given_names="always"),
            base.replace(default_table=False),
            base.replace(tables=("en-US",)),
        )
    }
    assert len(keys) == 8


# --------------------------------------------------------------------------- compiled table, core


def test_the_compiled_table_pickles_and_normalises_alike():
    n = Normaliser(phonetic="off")
    compiled = pickle.loads(pickle.dumps(n.compiled))
    assert isinstance(compiled, CompiledTable)
    again = Normaliser.from_compiled(compiled)
    text = "Taleban fighters entered Taliqan and Konduz."
    assert again.normalise(text) == n.normalise(text)
    assert again.normalise(text).changed


def test_the_python_core_is_chosen_by_the_environment(monkeypatch):
    compiled = Normaliser(default_table=False, phonetic="off").compiled
    monkeypatch.setenv("NORMALISE_CORE", "python")
    assert isinstance(load_core(compiled), PythonCore)
    monkeypatch.setenv("NORMALISE_CORE", "fast")
    with pytest.raises(ValueError, match="NORMALISE_CORE"):
        load_core(compiled)


def test_a_table_pass_returns_typed_events_and_spans():
    table = load_table("default")
    n = Normaliser(table=table, phonetic="off")
    core = PythonCore(n.compiled)
    text = "Taleban in Taliqan, also spelt Taleqan."
    found = core.table_pass(text)
    assert isinstance(found, TablePass)
    assert all(isinstance(e, Event) and e.rule == Rule.TABLE for e in found.events)
    assert [text[e.start : e.end] for e in found.events] == ["Taleban", "Taliqan"]
    assert [(h.start, h.end) for h in found.hits] == [tuple(s) for s in found.taken]
    result = core.apply(text, found.events)
    assert result == apply_events(text, found.events)
    assert result.text == "Taliban in Taloqan, also spelt Taleqan."


# --------------------------------------------------------------------------- decisions


def test_decisions_say_their_kind_in_typed_fields():
    from normalise.phonetic import PhoneticMatcher

    matcher = PhoneticMatcher([("Kandahar", ("Kandahar",)), ("Kandihar", ("Kandihar",))])
    ambiguous = matcher.decide("Kandohar")
    assert ambiguous.winner is None and ambiguous.ambiguous and not ambiguous.english
    assert ambiguous.reason.startswith("ambiguous")  # the message still says so
    common = matcher.decide("Water")
    assert common.english and not common.ambiguous and common.winner is None
    unknown = matcher.decide("Zzyzx")
    assert not (unknown.english or unknown.ambiguous)
