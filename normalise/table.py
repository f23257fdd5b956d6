"""Load and validate variant tables: YAML in, an immutable :class:`Table` out.

Every problem is reported with the file and line it comes from. :func:`table_problems` collects
all of them (for ``normalise check``); :func:`load_table` raises the first as a :class:`TableError`.
Several tables load together, in order; a later entry may take over an earlier one only when it
says ``override: true``.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import regex

from ._importing import lazy
from .chars import HYPHENS, LINE_BREAKS
from .errors import TableError
from .keep import KeptForm
from .scan import fold_form, match_key

if TYPE_CHECKING:
    import yaml
else:
    yaml = lazy("yaml")  # imported where a table is read, not where it comes from the cache

KINDS = (
    "place",
    "person",
    "given-name",
    "people",
    "organisation",
    "term",
    "spelling",
    "abbreviation",
    "other",
)
SEPARATORS = ("exact", "flexible")
TABLE_FIELDS = ("table", "description", "entries", "keep")
#: Most parts a flexible form may have (each gap has three spellings: 3 ** (parts - 1) forms).
MAX_FLEXIBLE_PARTS = 6

_PART_SEPARATOR = regex.compile(f"[ {regex.escape(HYPHENS)}]+")
_WORD = regex.compile(r"[\p{L}\p{N}]")

TableSource = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Entry:
    """One canonical form and the spellings that are rewritten to it."""

    canonical: str
    variants: tuple[str, ...] = ()
    kind: str = "other"
    separators: str = "exact"
    case_sensitive: bool = False
    override: bool = False
    notes: str | None = None
    sources: tuple[str, ...] = ()
    file: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)
    #: line of each form in ``(canonical, *variants)``, for messages
    form_lines: tuple[int | None, ...] = field(default=(), compare=False, repr=False)
    #: False: the phonetic matcher never maps an unseen spelling to this entry (bulk-imported
    #: names: only their listed forms match, so they do not draw unrelated names to them)
    phonetic: bool = True
    #: The full name of the person a surname entry was derived from (:mod:`normalise.surnames`;
    #: not a table field): a surname standing alone is that person's name
    person: str | None = field(default=None, compare=False)

    @property
    def forms(self) -> tuple[str, ...]:
        """The canonical form followed by the variants."""
        return (self.canonical, *self.variants)

    def where(self, index: int = 0) -> tuple[str | None, int | None]:
        line = self.form_lines[index] if index < len(self.form_lines) else None
        return self.file, line if line is not None else self.line

    def spellings(self, form: str) -> list[str]:
        """Every spelling of ``form`` this entry accepts: itself, and with flexible separators
        each combination of space, hyphen or nothing between its parts."""
        if self.separators != "flexible":
            return [form]
        parts = _PART_SEPARATOR.split(form)
        if len(parts) == 1:
            return [form]
        joins = itertools.product((" ", "-", ""), repeat=len(parts) - 1)
        return ["".join(p + j for p, j in zip(parts, (*js, ""), strict=False)) for js in joins]


@dataclass(frozen=True)
class Table:
    """An immutable, validated set of entries from one or more table files."""

    entries: tuple[Entry, ...]
    sources: tuple[str, ...] = ()
    #: forms never rewritten (the tables' ``keep:`` lists), in load order
    keep: tuple[KeptForm, ...] = ()

    def __len__(self) -> int:
        return len(self.entries)

    def variant_count(self) -> int:
        return sum(len(e.variants) for e in self.entries)

    def entry(self, canonical: str) -> Entry:
        for e in self.entries:
            if e.canonical == canonical:
                return e
        raise KeyError(canonical)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a table, where it is, and which entry it concerns."""

    file: str | None
    line: int | None
    message: str
    entry: str | None = None
    kind: str = "invalid"

    def __str__(self) -> str:
        where = (
            f"{self.file}:{self.line}: " if self.line else (f"{self.file}: " if self.file else "")
        )
        return where + self.message


# --------------------------------------------------------------------------- locating tables


def bundled_tables() -> dict[str, Path]:
    """Names of the tables shipped with the package, and their files (beside this module,
    as the romanisation data is: :mod:`importlib.resources` cost 3 ms of each command's
    start)."""
    data = Path(__file__).parent / "data"
    found = {"default": data / "variants.yaml"}
    tables = data / "tables"
    if tables.is_dir():
        for item in sorted(tables.iterdir(), key=lambda p: p.name):
            if item.name.endswith(".yaml"):
                found[item.name[: -len(".yaml")]] = item
    return found


def resolve(source: TableSource) -> Path:
    """A path for a table named by path or by bundled name (``default``, ``en-US``, ...).

    A bundled name always means the bundled table, even when a file of that name is in the
    working directory (name that file ``./en-US``): what a command does must not depend on
    where it is run."""
    text = os.fspath(source)
    bundled = bundled_tables()
    if isinstance(source, str) and text in bundled:
        return bundled[text]
    return Path(text)


def as_sources(tables: TableSource | Iterable[TableSource]) -> list[TableSource]:
    """A list of table sources: one path or name (``"en-US"``) is a list of one, not of its
    characters."""
    if isinstance(tables, (str, os.PathLike)):
        return [tables]
    return list(tables)


# --------------------------------------------------------------------------- parsing


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


#: Reports one problem of the table being parsed: (node or line, message, entry, kind).
_Report = Callable[..., None]


def _reporter(name: str, problems: list[Problem]) -> _Report:
    """A function that records a problem of table ``name`` at a node or line."""

    def problem(
        node_or_line: yaml.Node | int | None,
        message: str,
        entry: str | None = None,
        kind: str = "invalid",
    ) -> None:
        line = (
            node_or_line
            if isinstance(node_or_line, int) or node_or_line is None
            else _line(node_or_line)
        )
        problems.append(Problem(name, line, message, entry, kind))

    return problem


def _parse(
    path: Path, name: str, keep: list[KeptForm] | None = None
) -> tuple[list[Entry], list[Problem]]:
    """The entries of one table file and its problems; its ``keep:`` forms go to ``keep``."""
    text, problems = _read(path, name)
    if text is None:
        return [], problems
    return _parse_text(text, name, keep)


def _read(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """The text of a table file, or None and why it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [
            Problem(
                name,
                None,
                "no such table file (give a path, or one of: " + ", ".join(bundled_tables()) + ")",
                kind="unreadable",
            )
        ]
    except OSError as err:
        return None, [Problem(name, None, f"cannot read table: {err.strerror}", kind="unreadable")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, [Problem(name, line, "table is not valid UTF-8")]


def _parse_text(
    text: str, name: str, keep: list[KeptForm] | None = None
) -> tuple[list[Entry], list[Problem]]:
    """The entries of one table given as text, named ``name`` in its problems."""
    root, error = _compose(text, name)
    if root is None:
        return [], [error] if error else []
    problems: list[Problem] = []
    problem = _reporter(name, problems)
    entries_node = _entries_node(root, name, problem, keep)
    if entries_node is None:
        return [], problems
    entries = []
    for node in entries_node.value:
        entry = _entry(node, name, problem)
        if entry is not None:
            entries.append(entry)
    return entries, problems


def _compose(text: str, name: str) -> tuple[yaml.Node | None, Problem | None]:
    """The YAML node tree of a table, or None and the syntax error (or emptiness): only
    composed, values and their lines are read from the node tree."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        return None, Problem(name, line, f"YAML syntax error: {err.problem or err.context}")
    except yaml.YAMLError as err:
        return None, Problem(name, None, f"YAML error: {err}")
    if root is None:
        return None, Problem(name, 1, "table is empty: expected a mapping with 'entries'")
    return root, None


def _entries_node(
    root: yaml.Node, name: str, problem: _Report, keep: list[KeptForm] | None
) -> yaml.SequenceNode | None:
    """The ``entries`` list of a table's top mapping, its other fields checked and its
    ``keep:`` forms read into ``keep``; None when there are no entries to read."""
    top = _mapping(root, TABLE_FIELDS, "table", problem)
    if top is None:
        return None
    entries_node = top.get("entries")
    if entries_node is None and "keep" in top:  # a table of kept forms only
        _keep(top["keep"], name, problem, keep)
        return None
    if entries_node is None:
        problem(root, "table has no 'entries' list")
        return None
    if not isinstance(entries_node, yaml.SequenceNode):
        problem(entries_node, "'entries' must be a list of entries")
        return None
    for key in ("table", "description"):
        if key in top and _scalar_string(top[key]) is None:
            problem(top[key], f"'{key}' must be a string")
    if "keep" in top:
        _keep(top["keep"], name, problem, keep)
    return entries_node


def _keep(node: yaml.Node, name: str, problem: _Report, keep: list[KeptForm] | None) -> None:
    """The top-level ``keep:`` list: forms never rewritten, each checked as a table form."""
    if not isinstance(node, yaml.SequenceNode):
        problem(node, "'keep' must be a list of forms")
        return
    for item in node.value:
        form = _form(item, "kept form", problem)
        if form is not None and keep is not None:
            keep.append(KeptForm(form, name, _line(item)))


def _mapping(
    node: yaml.Node, allowed: Sequence[str], what: str, problem: _Report
) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        problem(node, f"{what} must be a mapping")
        return None
    out: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key in out:
            problem(key_node, f"duplicate key '{key}' in {what}")
            continue
        if key is None or key not in allowed:
            problem(key_node, f"unknown field '{key}' in {what} (allowed: {', '.join(allowed)})")
            continue
        out[key] = value_node
    return out


def _scalar_string(node: yaml.Node) -> str | None:
    """The string of a scalar node that YAML reads as a string (not a number, bool or null)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    if node.tag != "tag:yaml.org,2002:str":
        return None
    value: str = node.value
    return value


def _scalar_bool(node: yaml.Node) -> bool | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return node.value.lower() in ("true", "yes", "on", "y")
    return None


def _form(
    node: yaml.Node, what: str, problem: _Report, entry_name: str | None = None
) -> str | None:
    value = _scalar_string(node)
    if value is None:
        problem(
            node,
            f"{what} must be a string (quote it if YAML reads it as a number, a boolean or null)",
            entry_name,
        )
        return None
    if not value.strip():
        problem(node, f"{what} is empty", entry_name)
        return None
    if value != value.strip():
        problem(node, f"{what} {value!r} has leading or trailing white space", entry_name)
        return None
    if not _WORD.search(value):
        problem(node, f"{what} {value!r} has no letter or digit", entry_name)
        return None
    if any(c in value for c in LINE_BREAKS):
        problem(node, f"{what} {value!r} spans lines", entry_name)
        return None
    return value


def _entry(node: yaml.Node, file: str, problem: _Report) -> Entry | None:
    """One entry of a table, or None when it has a problem (each one reported)."""
    fields = _mapping(node, ENTRY_FIELDS, "entry", problem)
    if fields is None:
        return None
    if "canonical" not in fields:
        problem(node, "entry has no 'canonical' form")
        return None
    canonical = _form(fields["canonical"], "canonical form", problem)
    if canonical is None:
        return None
    values = _field_values(node, fields, canonical, problem)
    if values is None:
        return None
    values["form_lines"] = (_line(fields["canonical"]), *values.get("form_lines", ()))
    entry = Entry(canonical, file=file, line=_line(node), **values)
    return entry if _flexible_parts_fit(entry, problem) else None


def _field_values(
    node: yaml.Node, fields: dict[str, yaml.Node], canonical: str, problem: _Report
) -> dict[str, Any] | None:
    """The :class:`Entry` attributes the fields after ``canonical`` give (a field left out
    keeps the attribute's default), or None when one is missing or wrong."""
    values: dict[str, Any] = {}
    ok = True
    for name, reader in _FIELD_READERS.items():
        if name in fields:
            read = reader.read(fields[name], canonical, problem)
            if read is None:
                ok = False
            else:
                values.update(read)
        elif reader.missing is not None:
            problem(node, reader.missing(canonical), canonical)
            ok = False
    return values if ok else None


def _flexible_parts_fit(entry: Entry, problem: _Report) -> bool:
    """Whether each form of a flexible entry has few enough parts (each gap is spelt three
    ways, so the spellings grow as 3 ** gaps)."""
    if entry.separators != "flexible":
        return True
    for i, form in enumerate(entry.forms):
        if len(_PART_SEPARATOR.split(form)) > MAX_FLEXIBLE_PARTS:
            problem(
                entry.form_lines[i],
                f"'{form}' has more than {MAX_FLEXIBLE_PARTS} parts for flexible separators",
                entry.canonical,
            )
            return False
    return True


def _read_kind(node: yaml.Node, canonical: str, problem: _Report) -> dict[str, Any] | None:
    kind = _scalar_string(node)
    if kind not in KINDS:
        problem(node, f"kind of '{canonical}' must be one of: {', '.join(KINDS)}", canonical)
        return None
    # one string for all the entries of a kind: the cached table loads one, not one an entry
    return {"kind": sys.intern(kind)}


def _read_variants(node: yaml.Node, canonical: str, problem: _Report) -> dict[str, Any] | None:
    if not isinstance(node, yaml.SequenceNode):
        problem(node, f"'variants' of '{canonical}' must be a list", canonical)
        return None
    variants: list[str] = []
    lines: list[int] = []
    ok = True
    for item in node.value:
        form = _form(item, f"variant of '{canonical}'", problem, canonical)
        if form is None:
            ok = False
        else:
            variants.append(form)
            lines.append(_line(item))
    return {"variants": tuple(variants), "form_lines": tuple(lines)} if ok else None


def _read_separators(node: yaml.Node, canonical: str, problem: _Report) -> dict[str, Any] | None:
    separators = _scalar_string(node)
    if separators not in SEPARATORS:
        problem(node, f"separators of '{canonical}' must be 'exact' or 'flexible'", canonical)
        return None
    return {"separators": separators}


def _flag_reader(flag: str) -> Callable[[yaml.Node, str, _Report], dict[str, Any] | None]:
    def read(node: yaml.Node, canonical: str, problem: _Report) -> dict[str, Any] | None:
        value = _scalar_bool(node)
        if value is None:
            problem(node, f"'{flag}' of '{canonical}' must be true or false", canonical)
            return None
        return {flag: value}

    return read


def _read_notes(node: yaml.Node, canonical: str, problem: _Report) -> dict[str, Any] | None:
    notes = _scalar_string(node)
    if notes is None:
        problem(node, f"notes of '{canonical}' must be a string", canonical)
        return None
    return {"notes": notes}


def _read_sources(node: yaml.Node, canonical: str, problem: _Report) -> dict[str, Any] | None:
    if not isinstance(node, yaml.SequenceNode) or any(
        _scalar_string(s) is None for s in node.value
    ):
        problem(node, f"sources of '{canonical}' must be a list of strings", canonical)
        return None
    return {"sources": tuple(s.value for s in node.value)}


@dataclass(frozen=True)
class _FieldReader:
    """How one entry field after ``canonical`` is read: ``read`` gives the :class:`Entry`
    attributes it sets, or None after reporting the problem; ``missing`` gives the message
    for a required field left out (None: optional, the attribute keeps its default)."""

    read: Callable[[yaml.Node, str, _Report], dict[str, Any] | None]
    missing: Callable[[str], str] | None = None


#: The entry fields after ``canonical``, in the order they are read and listed. A new field
#: is a row here, an :class:`Entry` attribute, the JSON schema and the README.
_FIELD_READERS: dict[str, _FieldReader] = {
    "kind": _FieldReader(
        _read_kind, lambda c: f"entry '{c}' has no 'kind' (one of: {', '.join(KINDS)})"
    ),
    "variants": _FieldReader(_read_variants, lambda c: f"entry '{c}' has no 'variants' list"),
    "separators": _FieldReader(_read_separators),
    "case_sensitive": _FieldReader(_flag_reader("case_sensitive")),
    "override": _FieldReader(_flag_reader("override")),
    "notes": _FieldReader(_read_notes),
    "sources": _FieldReader(_read_sources),
    "phonetic": _FieldReader(_flag_reader("phonetic")),
}
ENTRY_FIELDS = ("canonical", *_FIELD_READERS)


# --------------------------------------------------------------------------- merging


@dataclass
class _Claim:
    entry: Entry
    form_index: int
    exact_key: str


def merge(tables: Sequence[tuple[str, list[Entry]]]) -> tuple[tuple[Entry, ...], list[Problem]]:
    """Combine the entries of several tables, in order, and find every conflict.

    Conflicts: a folded form claimed by two entries (a variant of two entries, or a canonical
    form that is another entry's variant: chains and cycles). Two case-sensitive forms clash
    only when they are spelled alike to the letter. A later entry with ``override`` replaces an
    earlier entry with the same canonical form and takes over the forms it claims.
    """
    problems: list[Problem] = []
    merged: list[Entry] = []
    for _name, entries in tables:
        for entry in entries:
            if entry.override:
                merged = _apply_override(merged, entry)
        merged.extend(entries)
    claims: dict[str, list[_Claim]] = {}
    for entry in merged:
        own: set[str] = set()
        for index, form in enumerate(entry.forms):
            for spelling in entry.spellings(form):
                exact = match_key(spelling, True)
                if exact in own:
                    continue
                own.add(exact)
                claim = _Claim(entry, index, exact)
                same = claims.setdefault(match_key(spelling), [])
                clash = next(
                    (
                        c
                        for c in same
                        if c.entry is not entry
                        and not (
                            entry.case_sensitive and c.entry.case_sensitive and c.exact_key != exact
                        )
                    ),
                    None,
                )
                if clash is not None:
                    problems.append(_conflict(entry, index, spelling, clash))
                else:
                    same.append(claim)
    return tuple(merged), problems


def _apply_override(earlier: list[Entry], entry: Entry) -> list[Entry]:
    taken = {match_key(s) for f in entry.forms for s in entry.spellings(f)}
    kept = []
    for old in earlier:
        if old.canonical == entry.canonical or match_key(old.canonical) in taken:
            continue  # replaced, or merged into the overriding entry
        keep = [
            i
            for i, v in enumerate(old.variants, start=1)
            if not any(match_key(s) in taken for s in old.spellings(v))
        ]
        if len(keep) != len(old.variants):
            old = replace(
                old,
                variants=tuple(old.forms[i] for i in keep),
                form_lines=(old.form_lines[:1] + tuple(old.form_lines[i] for i in keep))
                if old.form_lines
                else (),
            )
        kept.append(old)
    return kept


def _conflict(entry: Entry, index: int, spelling: str, other: _Claim) -> Problem:
    file, line = entry.where(index)
    ofile, oline = other.entry.where(other.form_index)
    elsewhere = f"{ofile}:{oline}" if ofile != file else f"line {oline}"
    role = "canonical form" if index == 0 else "variant"
    orole = "canonical form" if other.form_index == 0 else "variant"
    if index == 0 and other.form_index != 0:
        kind = "chain"
        message = (
            f"canonical form '{entry.canonical}' is a variant of '{other.entry.canonical}' "
            f"({elsewhere}): a chain; make one entry of them"
        )
    elif index != 0 and other.form_index == 0:
        kind = "chain"
        message = (
            f"variant '{spelling}' of '{entry.canonical}' is the canonical form of another "
            f"entry ({elsewhere}): a chain; make one entry of them"
        )
    else:
        kind = "conflict"
        message = (
            f"{role} '{spelling}' of '{entry.canonical}' is also the {orole} "
            f"'{other.entry.forms[other.form_index]}' of '{other.entry.canonical}' "
            f"({elsewhere})"
        )
        if file != ofile:
            message += "; mark the later entry 'override: true' to take it over"
    return Problem(file, line, message, entry.canonical, kind)


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class TableText:
    """A table given as YAML text instead of a file (one made in memory and checked before it
    is written); ``name`` stands for the file in messages."""

    name: str
    text: str


def table_problems(
    sources: Iterable[TableSource | TableText],
) -> tuple[Table | None, list[Problem]]:
    """Load tables and return every problem found (empty when they are valid)."""
    parsed = []
    problems: list[Problem] = []
    names = []
    keep: list[KeptForm] = []
    for source in sources:
        if isinstance(source, TableText):
            name = source.name
            entries, found = _parse_text(source.text, name, keep)
        else:
            name = os.fspath(source)
            entries, found = _parse(resolve(source), name, keep)
        problems.extend(found)
        parsed.append((name, entries))
        names.append(name)
    merged, found = merge(parsed)
    problems.extend(found)
    if problems:
        return None, problems
    return Table(merged, tuple(names), tuple(keep)), []


def load_table(*sources: TableSource) -> Table:
    """Load and merge tables (paths or bundled names); raise :class:`TableError` on a problem."""
    table, problems = table_problems(sources or ("default",))
    if problems:
        first = problems[0]
        more = (
            f" (and {len(problems) - 1} more problems: run 'normalise check')"
            if len(problems) > 1
            else ""
        )
        raise TableError(first.message + more, file=first.file, line=first.line)
    assert table is not None
    return table


def table_from_entries(entries: Iterable[Entry], name: str = "<memory>") -> Table:
    """Validate entries built in Python (benchmarks, generated tables) into a :class:`Table`."""
    merged, problems = merge([(name, list(entries))])
    if problems:
        first = problems[0]
        raise TableError(first.message, file=first.file or name, line=first.line)
    return Table(merged, (name,))


def iter_spellings(entry: Entry) -> Iterator[tuple[str, str]]:
    """Each accepted spelling of an entry with the automaton pattern that finds it."""
    for form in entry.forms:
        for spelling in entry.spellings(form):
            yield spelling, fold_form(spelling)
