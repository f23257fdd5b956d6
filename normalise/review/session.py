"""What a review is about: the items a person decides on, their decisions, and the table file.

Items come from ``suggest`` proposals over a corpus (new groups, new variants of existing
entries) and from the records of a run (``--log``), grouped by rule, entry and original
spelling. A decision on an item (accept, reject, keep as written, with a changed canonical form
or a group split first) is written at once to the one table file the person named: the file is
rebuilt, checked as ``normalise check`` would check it with the session's other tables, and
renamed over the old one, so it is never half-written and never invalid. Every decision is
also kept in that file, as a comment line ``# review: {...}``, so that a second review of the
same corpus shows only what is new and no other file is written.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..atomic import AtomicFile
from ..errors import InputError, TableError
from ..log import read_log
from ..proposals import Suggestions
from ..report import _open
from ..scan import match_key
from ..table import KINDS, Problem, Table, TableText, table_problems

#: Contexts shown per item.
CONTEXTS = 3
#: Characters either side of a spelling in a keyword-in-context line.
KWIC_CHARS = 60
#: The comment that remembers one decision in the table file.
DECISION_MARK = "# review: "
ACTIONS = ("accept", "reject", "keep")  # and "split", taken by Session.split


@dataclass
class Item:
    """One thing to decide: spellings of one name, with their evidence."""

    id: str
    source: str  # "suggest" or "log"
    rule: str  # new-entry, extension, or a log rule (table, phonetic, ...)
    canonical: str
    spellings: list[dict[str, Any]]  # form, count, docs, score
    kind: str = "other"
    docs: int = 0
    contexts: list[dict[str, Any]] = field(default_factory=list)
    entry_variants: tuple[str, ...] = ()  # an existing entry's variants (extension, log)
    evidence: float | None = None  # a new group's evidence beyond similarity (ranking)
    weak: bool = False  # ... not enough of it: only similarity speaks for the group

    @property
    def count(self) -> int:
        return sum(s["count"] for s in self.spellings)

    @property
    def score(self) -> float | None:
        scores = [s["score"] for s in self.spellings if s.get("score") is not None]
        return min(scores) if scores else None

    @property
    def existing(self) -> bool:
        return self.rule != "new-entry"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "rule": self.rule,
            "canonical": self.canonical,
            "kind": self.kind,
            "spellings": self.spellings,
            "count": self.count,
            "docs": self.docs,
            "score": self.score,
            "existing": self.existing,
            "contexts": self.contexts,
            "entry_variants": list(self.entry_variants),
            "evidence": self.evidence,
            "weak": self.weak,
        }


def group_id(forms: Iterable[str]) -> str:
    """The same spellings give the same id in every review (case and accents aside)."""
    return "g:" + "|".join(sorted({match_key(f) for f in forms}))


def _kwic(text: str, forms: Sequence[str]) -> dict[str, str]:
    """A context line split around the first of ``forms`` it holds."""
    lower = text.lower()
    best = None
    for form in forms:
        at = lower.find(form.lower())
        if at >= 0 and (best is None or at < best[0]):
            best = (at, at + len(form))
    if best is None:
        return {"before": text, "word": "", "after": ""}
    return {"before": text[: best[0]], "word": text[best[0] : best[1]], "after": text[best[1] :]}


# ---------------------------------------------------------------- items


def items_from_suggestions(suggestions: Suggestions) -> list[Item]:
    """One item per proposal of :class:`normalise.proposals.Suggestions`."""
    items = []
    for proposal in (*suggestions.groups, *suggestions.extensions):
        forms = [s.form for s in proposal.spellings]
        spellings = [
            {
                "form": s.form,
                "count": s.count,
                "docs": s.docs,
                "score": None if s.score is None else round(s.score, 3),
            }
            for s in proposal.spellings
        ]
        contexts = [
            {"file": e.file, "line": e.line, **_kwic(e.text, forms)} for e in proposal.examples
        ]
        if proposal.existing:
            items.append(
                Item(
                    "x:" + match_key(proposal.canonical) + ":" + group_id(forms)[2:],
                    "suggest",
                    "extension",
                    proposal.canonical,
                    spellings,
                    proposal.kind,
                    proposal.docs,
                    contexts,
                    tuple(proposal.entry_variants),
                )
            )
        else:
            items.append(
                Item(
                    group_id(forms),
                    "suggest",
                    "new-entry",
                    proposal.canonical,
                    spellings,
                    proposal.kind,
                    proposal.docs,
                    contexts,
                    evidence=proposal.evidence,
                    weak=not proposal.supported,
                )
            )
    return items


def items_from_logs(
    paths: Sequence[str], table: Table | None = None, encoding: str = "utf-8"
) -> list[Item]:
    """Records of runs grouped by (rule, entry, original spelling), most frequent first, with
    contexts read from the input files where they can still be read."""
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in paths:
        with _open(path, "r", encoding="utf-8", errors="strict") as stream:
            try:
                for record in read_log(stream, path):  # summary lines checked and skipped
                    rule, entry, original = record["rule"], record["entry"], record["original"]
                    score = float(record.get("score", 1.0))
                    grouping = (rule, entry, match_key(original))
                    group = groups.get(grouping)
                    if group is None:
                        group = groups[grouping] = {
                            "forms": {},
                            "files": set(),
                            "score": score,
                            "where": [],
                        }
                    group["forms"][original] = group["forms"].get(original, 0) + 1
                    group["score"] = min(group["score"], score)
                    file = record.get("file")
                    if file is not None:
                        group["files"].add(file)
                        if (
                            len(group["where"]) < CONTEXTS
                            and isinstance(record.get("line"), int)
                            and isinstance(record.get("column"), int)
                        ):
                            group["where"].append(
                                (file, record["line"], record["column"], original)
                            )
            except UnicodeDecodeError:
                raise InputError("not UTF-8 text", file=path) from None
    lines = _read_lines({(f, n) for g in groups.values() for f, n, _, _ in g["where"]}, encoding)
    entries = {e.canonical: e for e in table.entries} if table is not None else {}
    items = []
    for (rule, entry, key), group in groups.items():
        forms = sorted(group["forms"], key=lambda f: (-group["forms"][f], f))
        contexts = []
        for file, number, column, original in group["where"]:
            text = lines.get((file, number))
            if text is None:
                continue
            end = column + len(original)
            contexts.append(
                {
                    "file": file,
                    "line": number,
                    "before": text[max(0, column - KWIC_CHARS) : column],
                    "word": text[column:end],
                    "after": text[end : end + KWIC_CHARS].rstrip("\r\n"),
                }
            )
        known = entries.get(entry)
        spellings = [
            {"form": f, "count": group["forms"][f], "docs": None, "score": round(group["score"], 3)}
            for f in forms
        ]
        items.append(
            Item(
                f"l:{rule}:{match_key(entry)}:{key}",
                "log",
                rule,
                entry,
                spellings,
                known.kind if known else "other",
                len(group["files"]),
                contexts,
                known.variants if known else (),
            )
        )
    items.sort(key=lambda i: (-i.count, i.canonical, i.id))
    return items


def _read_lines(wanted: set[tuple[str, int]], encoding: str) -> dict[tuple[str, int], str]:
    """The text of the (file, line) pairs asked for, each file read once; files that cannot
    be read give no context."""
    by_file: dict[str, set[int]] = {}
    for file, number in wanted:
        by_file.setdefault(file, set()).add(number)
    found: dict[tuple[str, int], str] = {}
    for file, numbers in by_file.items():
        last = max(numbers)
        try:
            with open(file, encoding=encoding, errors="replace", newline="") as stream:
                for number, text in enumerate(stream, 1):
                    if number in numbers:
                        found[(file, number)] = text
                    if number >= last:
                        break
        except (OSError, LookupError):
            continue
    return found


def _parts(item: Item, parts: Sequence[Sequence[str]]) -> list[Item]:
    """The groups a split makes of an item (spellings the corpus no longer has are left out)."""
    out = []
    for names in parts:
        spellings = [s for s in item.spellings if s["form"] in set(names)]
        if not spellings:
            continue
        forms = [s["form"] for s in spellings]
        contexts = [c for c in item.contexts if c["word"] in forms] or item.contexts
        canonical = item.canonical if item.canonical in forms else forms[0]
        out.append(
            Item(
                group_id(forms),
                item.source,
                item.rule,
                canonical,
                spellings,
                item.kind,
                item.docs,
                contexts,
            )
        )
    return out


# ---------------------------------------------------------------- decisions and the table


class ReviewError(Exception):
    """A decision that cannot be taken (the message says why, for the person)."""


class Session:
    """Items and decisions of one review, and the table file they are written to.

    ``tables`` are the other tables the written one is used with (checked together with it,
    as ``normalise check TABLES... OUT`` would); ``base`` is what the table file held when the
    review started, less what earlier reviews wrote (kept as it was)."""

    def __init__(
        self,
        table_path: str,
        items: Sequence[Item],
        *,
        tables: Sequence[str] = (),
        default_table: bool = True,
    ) -> None:
        self.table_path = table_path
        self.tables = list(tables)
        self.default_table = default_table
        self.lock = threading.Lock()
        self.decisions: dict[str, dict[str, Any]] = {}
        self.base_entries: list[dict[str, Any]] = []
        self.base_keep: list[str] = []
        self.name = "review"
        self._problems: set[tuple[str, str]] = set()  # findings the file already had
        self._read_table()
        if os.path.exists(table_path):
            self._problems = self._check(self.render())
        self.items: list[Item] = []
        self._by_id: dict[str, Item] = {}
        for item in items:
            self._add(item)

    def _add(self, item: Item) -> None:
        """Add an item; one an earlier review split is split again, as it was."""
        if item.id in self._by_id:
            return
        decision = self.decisions.get(item.id)
        if decision and decision["action"] == "split" and not item.existing:
            for part in _parts(item, decision.get("parts") or ()):
                self._add(part)
            return
        self._by_id[item.id] = item
        self.items.append(item)

    # -- the table file -------------------------------------------------------------------

    def _read_table(self) -> None:
        """The decisions, name, entries and kept forms of the table file an earlier review
        wrote (or a person did); the entries and forms that its decisions wrote are left out
        of the base, since :meth:`render` writes them again from the decisions."""
        path = self.table_path
        if not os.path.exists(path):
            return
        text, data = _load_table_file(path)
        self.decisions = _recorded_decisions(text)
        self.name = str(data.get("table") or "review")
        written = {d["canonical"] for d in self.decisions.values() if d["action"] == "accept"}
        kept = {
            match_key(f)
            for d in self.decisions.values()
            if d["action"] == "keep"
            for f in d["forms"]
        }
        self.base_entries = [
            e
            for e in data.get("entries") or ()
            if not (isinstance(e, dict) and e.get("canonical") in written)
        ]
        self.base_keep = [
            k for k in data.get("keep") or () if not (isinstance(k, str) and match_key(k) in kept)
        ]

    def render(self, decisions: dict[str, dict[str, Any]] | None = None) -> str:
        """The table file for these decisions: earlier content, accepted entries, kept forms,
        and one comment per decision."""
        decisions = self.decisions if decisions is None else decisions
        entries = list(self.base_entries)
        keep = list(self.base_keep)
        for decision in decisions.values():
            if decision["action"] == "accept" and decision.get("write", True):
                _write_entry(entries, decision)
            elif decision["action"] == "keep":
                keep.extend(f for f in decision["forms"] if f not in keep)
        data: dict[str, Any] = {"table": self.name, "description": "Decisions of normalise review."}
        if entries or not keep:
            data["entries"] = entries
        if keep:
            data["keep"] = keep
        body = yaml.safe_dump(
            data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
        )
        head = [
            "# Written by 'normalise review'. Each '# review:' line is a decision, kept so",
            "# that the next review shows only what is new; entries may be edited by hand.",
        ]
        head += [
            DECISION_MARK + json.dumps(d, ensure_ascii=False, sort_keys=True)
            for d in decisions.values()
        ]
        return "\n".join(head) + "\n" + body

    def _check(self, text: str) -> set[tuple[str, str]]:
        """The findings of ``normalise check`` on a table file with this text."""
        return {(p.message, p.kind) for p in self._findings(text)}

    def _findings(self, text: str) -> list[Problem]:
        """What ``normalise check`` finds in the table file with this text (every finding on
        its own), what loading it after the session's other tables finds (conflicts), and kept
        forms that nothing in all of them would touch. The other tables' own findings are
        theirs, and checking the default table whole takes seconds, so they are not run. The
        text is checked in memory, under the table file's name."""
        from ..check import check_tables, unused_keep
        from ..rewrite import Normaliser

        mine_text = TableText(self.table_path, text)
        others = (["default"] if self.default_table else []) + self.tables

        def mine(p: Problem) -> bool:
            return p.file is None or p.file == mine_text.name

        if not others:
            return [p for p in check_tables([mine_text]) if mine(p)]
        table, problems = table_problems([*others, mine_text])
        if table is None:
            return [p for p in problems if mine(p)]
        found = [p for p in check_tables([mine_text]) if mine(p) and p.kind != "unused-keep"]
        if table.keep:
            found.extend(
                p for p in unused_keep(table, Normaliser(table=table, phonetic="off")) if mine(p)
            )
        return found

    def _write(self, decisions: dict[str, dict[str, Any]]) -> None:
        """Write the table atomically, or raise ReviewError (file untouched) when the result
        would not pass ``normalise check`` with the session's tables."""
        text = self.render(decisions)
        sink = AtomicFile(self.table_path)
        try:
            sink.write(text.encode("utf-8"))
            sink.stream.flush()
            found = self._findings(text)
            # What the file held before (a hand-written entry) is not this decision's fault.
            problems = [p for p in found if (p.message, p.kind) not in self._problems]
            if problems:
                raise ReviewError("; ".join(f"{p.message} [{p.kind}]" for p in problems[:3]))
            sink.commit()
            self._problems = {(p.message, p.kind) for p in found}
        finally:
            sink.discard()  # nothing left behind; after commit there is nothing to remove

    # -- deciding ---------------------------------------------------------------------------

    def item(self, item_id: str) -> Item:
        try:
            return self._by_id[item_id]
        except KeyError:
            raise ReviewError(f"no item {item_id!r}") from None

    def status(self, item: Item) -> str:
        decision = self.decisions.get(item.id)
        return decision["action"] if decision else "pending"

    def decide(
        self,
        item_id: str,
        action: str,
        *,
        canonical: str | None = None,
        forms: Sequence[str] | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        """Take a decision on an item and write the table; returns the decision."""
        with self.lock:
            item = self.item(item_id)
            if action == "undo":
                decisions = {k: v for k, v in self.decisions.items() if k != item_id}
                self._write(decisions)
                self.decisions = decisions
                return {"id": item_id, "action": "pending"}
            if action not in ACTIONS:
                raise ReviewError(f"unknown action {action!r}")
            decision = self._decision(item, action, canonical, forms, kind)
            decisions = dict(self.decisions)
            decisions[item_id] = decision
            self._write(decisions)
            self.decisions = decisions
            return decision

    def _decision(
        self,
        item: Item,
        action: str,
        canonical: str | None,
        forms: Sequence[str] | None,
        kind: str | None,
    ) -> dict[str, Any]:
        """The record of a decision on an item (raises :class:`ReviewError` when it cannot be
        taken): the spellings chosen (all, when none of the item's are given) and, to accept,
        the entry to write."""
        spellings = [s["form"] for s in item.spellings]
        chosen = [f for f in (forms or ()) if f in spellings] or spellings
        decision: dict[str, Any] = {"id": item.id, "action": action, "forms": chosen}
        if action == "reject":
            return decision
        if action == "keep":
            decision["forms"] = _kept_forms(item, chosen)
            return decision
        kind = kind or item.kind or "other"
        if kind not in KINDS:
            raise ReviewError(f"unknown kind {kind!r}")
        if item.existing:
            if canonical and canonical != item.canonical:
                raise ReviewError("the canonical form of an existing entry is its table's")
            decision.update(_extension(item, chosen, kind))
        else:
            decision.update(_new_entry(item, chosen, kind, canonical))
        return decision

    def split(self, item_id: str, forms: Sequence[str]) -> list[Item]:
        """Split the spellings ``forms`` off a group into a group of their own; returns the
        two groups. The split is remembered: the next review of the corpus splits the group
        again."""
        with self.lock:
            item = self.item(item_id)
            if item.existing:
                raise ReviewError("only a proposed group can be split")
            if item.id in self.decisions:
                raise ReviewError("undo the decision before splitting")
            names = [s["form"] for s in item.spellings]
            off = [f for f in names if f in set(forms)]
            rest = [f for f in names if f not in set(forms)]
            if not off or not rest:
                raise ReviewError("choose some of the spellings, not none or all")
            decisions = dict(self.decisions)
            decisions[item.id] = {
                "id": item.id,
                "action": "split",
                "forms": names,
                "parts": [rest, off],
            }
            self._write(decisions)
            self.decisions = decisions
            parts = [p for p in _parts(item, [rest, off]) if p.id not in self._by_id]
            index = self.items.index(item)
            del self._by_id[item.id]
            self.items[index : index + 1] = parts
            for part in parts:
                self._by_id[part.id] = part
            return parts

    # -- views ------------------------------------------------------------------------------

    def page(
        self, offset: int = 0, limit: int = 50, view: str = "pending", query: str = ""
    ) -> dict[str, Any]:
        """One page of items (``view``: pending, decided or all; ``query`` filters by
        spelling), and the counts a person wants at a glance."""
        with self.lock:
            query = match_key(query) if query.strip() else ""
            chosen = []
            for item in self.items:
                status = self.status(item)
                if view == "pending" and status != "pending":
                    continue
                if view == "decided" and status == "pending":
                    continue
                if (
                    query
                    and not any(query in match_key(s["form"]) for s in item.spellings)
                    and query not in match_key(item.canonical)
                ):
                    continue
                chosen.append(item)
            total = len(chosen)
            rows = []
            for item in chosen[offset : offset + limit]:
                row = item.to_dict()
                row["status"] = self.status(item)
                row["decision"] = self.decisions.get(item.id)
                rows.append(row)
            pending = sum(1 for i in self.items if i.id not in self.decisions)
            return {
                "items": rows,
                "total": total,
                "offset": offset,
                "limit": limit,
                "pending": pending,
                "decided": len(self.items) - pending,
                "remembered": len(self.decisions),
                "table": self.table_path,
            }


# -- the table file and the decisions ----------------------------------------------------------


def _load_table_file(path: str) -> tuple[str, dict[str, Any]]:
    """The text of a table file and its YAML mapping; raises :class:`TableError`."""
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
        data = yaml.safe_load(text) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise TableError(
            f"cannot read the table to write: {err}".splitlines()[0], file=path
        ) from None
    if not isinstance(data, dict):
        raise TableError(
            "not a table (a mapping with 'entries')",
            file=path,
            hint="give -o a table an earlier review wrote, or a new file",
        )
    return text, data


def _recorded_decisions(text: str) -> dict[str, dict[str, Any]]:
    """The decisions recorded in a table file's ``# review:`` lines, by item id (a line that
    does not read as one, edited by hand, is passed over)."""
    decisions: dict[str, dict[str, Any]] = {}
    for line in text.splitlines():
        if line.startswith(DECISION_MARK):
            try:
                decision = json.loads(line[len(DECISION_MARK) :])
                decisions[decision["id"]] = decision
            except (ValueError, KeyError, TypeError):
                continue
    return decisions


def _write_entry(entries: list[Any], decision: dict[str, Any]) -> None:
    """Add an accepted entry to the entries to write. An entry this file already has (an
    earlier review's, or written by hand) takes the new variants: one entry per canonical
    form."""
    same = next(
        (
            i
            for i, e in enumerate(entries)
            if isinstance(e, dict) and e.get("canonical") == decision["canonical"]
        ),
        None,
    )
    if same is not None:
        merged = dict(entries[same])
        known = {match_key(decision["canonical"])}
        known.update(match_key(v) for v in merged.get("variants") or ())
        merged["variants"] = [
            *(merged.get("variants") or ()),
            *(v for v in decision["variants"] if match_key(v) not in known),
        ]
        entries[same] = merged
        return
    entry: dict[str, Any] = {
        "canonical": decision["canonical"],
        "kind": decision.get("kind", "other"),
        "variants": decision["variants"],
    }
    if decision.get("override"):
        entry["override"] = True
    entries.append(entry)


def _kept_forms(item: Item, chosen: list[str]) -> list[str]:
    """The spellings to keep (never rewritten); an entry's own canonical form is never kept."""
    if item.existing:
        chosen = [f for f in chosen if match_key(f) != match_key(item.canonical)]
    if not chosen:
        raise ReviewError("nothing to keep")
    return chosen


def _extension(item: Item, chosen: list[str], kind: str) -> dict[str, Any]:
    """New variants of an entry of another table: the entry is written whole, with override,
    so this table takes it over (README: override); nothing is written when none is new."""
    known = {match_key(item.canonical), *(match_key(v) for v in item.entry_variants)}
    new = [f for f in chosen if match_key(f) not in known]
    return {
        "canonical": item.canonical,
        "kind": kind,
        "forms": chosen,
        "variants": [*item.entry_variants, *new],
        "override": True,
        "write": bool(new),
    }


def _new_entry(item: Item, chosen: list[str], kind: str, canonical: str | None) -> dict[str, Any]:
    """A new entry of the spellings chosen, under the canonical form given or proposed."""
    canonical = (canonical or item.canonical).strip()
    if not canonical:
        raise ReviewError("the canonical form is empty")
    variants = [f for f in chosen if match_key(f) != match_key(canonical)]
    if not variants:
        raise ReviewError("an entry needs at least one variant besides its canonical form")
    return {"canonical": canonical, "kind": kind, "variants": variants}
