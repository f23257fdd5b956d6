"""What ``normalise suggest`` proposes, and how it is written out.

Discovery (:mod:`normalise.suggest`) builds :class:`Suggestions`; this module only presents
them, so a format can change (or be tested on hand-made proposals) without a corpus. One format
per reader: a text report for people, a YAML table to review and append (checked as
``normalise check`` would, an entry it refuses left as a comment) and JSON for programs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex

from .table import Problem, TableText

_PLAIN_YAML = regex.compile(r"^\p{L}[\p{L}\p{M}'\u2019\u02bc \-]*\p{L}$")
_YAML_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "null", "y", "n", "nan", "inf"})


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Example:
    """A few words around one occurrence of a spelling."""

    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


@dataclass(frozen=True)
class Spelling:
    """One spelling of a proposal and the evidence for it."""

    form: str
    count: int
    docs: int
    score: float | None = None  # similarity to the proposal's canonical form / entry


@dataclass(frozen=True)
class Proposal:
    """Spellings proposed for one table entry.

    ``existing`` is False for a new entry (``canonical`` is the most frequent spelling) and
    True for new variants of the table entry ``canonical`` (``spellings`` are all new)."""

    canonical: str
    kind: str
    spellings: tuple[Spelling, ...]
    docs: int
    examples: tuple[Example, ...]
    existing: bool = False
    entry_file: str | None = None
    entry_line: int | None = None
    entry_variants: tuple[str, ...] = ()
    #: A new group's evidence beyond similarity (:mod:`normalise.ranking`), and whether it is
    #: enough: groups without enough are listed after the others, marked.
    evidence: float | None = None
    supported: bool = True

    @property
    def count(self) -> int:
        return sum(s.count for s in self.spellings)

    @property
    def variants(self) -> tuple[str, ...]:
        """The spellings to add as variants (all but the canonical form)."""
        return tuple(s.form for s in self.spellings if s.form != self.canonical)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "canonical": self.canonical,
            "kind": self.kind,
            "existing": self.existing,
            "variants": list(self.variants),
            "count": self.count,
            "docs": self.docs,
            "spellings": [
                {
                    "form": s.form,
                    "count": s.count,
                    "docs": s.docs,
                    **({"score": round(s.score, 4)} if s.score is not None else {}),
                }
                for s in self.spellings
            ],
            "examples": [{"file": e.file, "line": e.line, "text": e.text} for e in self.examples],
        }
        if self.evidence is not None:
            out["evidence"] = round(self.evidence, 2)
            out["supported"] = self.supported
        if self.existing:
            out["entry"] = {
                "file": self.entry_file,
                "line": self.entry_line,
                "variants": list(self.entry_variants),
            }
        return out


@dataclass(frozen=True)
class Suggestions:
    """What :meth:`normalise.suggest.VariantDiscovery.result` proposes, best evidence first."""

    groups: tuple[Proposal, ...]
    extensions: tuple[Proposal, ...]
    documents: int
    tokens: int
    #: The corpus's language (wordfreq code), given or guessed: its common words are no names.
    language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "tokens": self.tokens,
            "language": self.language,
            "groups": [p.to_dict() for p in self.groups],
            "extensions": [p.to_dict() for p in self.extensions],
        }


def iter_proposals(suggestions: Suggestions) -> Iterator[Proposal]:
    """Every proposal, new entries first."""
    yield from suggestions.groups
    yield from suggestions.extensions


# ---------------------------------------------------------------- output


def format_text(suggestions: Suggestions) -> str:
    """A report for people: each proposal with its counts and a few contexts."""
    lines = [
        (
            f"{suggestions.documents} document{'s' * (suggestions.documents != 1)}, "
            f"{suggestions.tokens} name-like tokens"
            + (f", language {suggestions.language}" if suggestions.language != "en" else "")
        )
    ]
    lines.append("")
    lines.append(
        f"New entries ({len(suggestions.groups)}): spellings of one name that no table lists"
    )
    if not suggestions.groups:
        lines.append("  (none)")
    for number, proposal in enumerate(suggestions.groups, 1):
        lines.extend(_text_proposal(number, proposal))
    lines.append("")
    lines.append(f"New variants of existing entries ({len(suggestions.extensions)})")
    if not suggestions.extensions:
        lines.append("  (none)")
    for number, proposal in enumerate(suggestions.extensions, 1):
        lines.extend(_text_proposal(number, proposal))
    return "\n".join(lines) + "\n"


def _text_proposal(number: int, proposal: Proposal) -> list[str]:
    docs = f"{proposal.docs} document{'s' * (proposal.docs != 1)}"
    if proposal.existing:
        where = f", {proposal.entry_file}:{proposal.entry_line}" if proposal.entry_file else ""
        head = (
            f"{number:>3}. {proposal.canonical} ({proposal.kind}{where}): add "
            f"{', '.join(proposal.variants)}  [{proposal.count} occurrences, {docs}]"
        )
    else:
        head = (
            f"{number:>3}. {' / '.join(s.form for s in proposal.spellings)}  "
            f"[{proposal.count} occurrences, {docs}{_evidence(proposal)}]"
        )
    out = [head]
    width = max(len(s.form) for s in proposal.spellings)
    for s in proposal.spellings:
        score = f"  score {s.score:.2f}" if s.score is not None else "  (canonical)"
        out.append(
            f"       {s.form:<{width}}  {s.count:>6}  in {s.docs} doc{'s' * (s.docs != 1)}{score}"
        )
    for example in proposal.examples:
        out.append(f"       e.g. {example}")
    return out


def _evidence(proposal: Proposal) -> str:
    if proposal.evidence is None:
        return ""
    weak = "" if proposal.supported else ", weak: only similarity speaks for it"
    return f", evidence {proposal.evidence:+.1f}{weak}"


def format_json(suggestions: Suggestions) -> str:
    return json.dumps(suggestions.to_dict(), ensure_ascii=False, indent=2) + "\n"


def format_yaml(suggestions: Suggestions, *, validate: bool = True) -> str:
    """A table of the new entries, ready to review and append to a table, with the evidence
    as comments; new variants of existing entries as comments saying which entry to extend.
    With ``validate`` the table is checked as ``normalise check`` would, and an entry it
    finds a problem with is left as a comment with the reason."""
    rejected: dict[str, str] = {}
    for _ in range(3):
        text = _yaml(suggestions, rejected)
        if not validate:
            return text
        problems = _problems(text)
        fresh = {p.entry: p.message for p in problems if p.entry and p.entry not in rejected}
        if not fresh:
            return text
        rejected.update(fresh)
    return _yaml(suggestions, rejected)


def _problems(text: str) -> list[Problem]:
    """What ``normalise check`` finds in the table made, checked in memory."""
    from .check import check_tables

    return check_tables([TableText("<suggested table>", text)])


def _yaml(suggestions: Suggestions, rejected: dict[str, str]) -> str:
    out = [
        "# Proposed by 'normalise suggest': review each entry before adding it to a table.",
        (
            f"# Evidence from {suggestions.documents} document"
            f"{'s' * (suggestions.documents != 1)}; counts are occurrences."
        ),
        "table: suggestions",
        "description: Variant spellings found in a corpus by normalise suggest.",
        "entries:",
    ]
    entries = 0
    for proposal in suggestions.groups:
        out.append("")
        out.extend(_yaml_evidence(proposal))
        block = [
            f"  - canonical: {_yaml_str(proposal.canonical)}",
            f"    kind: {proposal.kind}",
            f"    variants: [{', '.join(_yaml_str(v) for v in proposal.variants)}]",
        ]
        if proposal.canonical in rejected:
            out.append(f"  # not proposed: {_one_line(rejected[proposal.canonical])}")
            out.extend("  # " + line.strip() for line in block)
        else:
            out.extend(block)
            entries += 1
    if suggestions.extensions:
        out.append("")
        out.append(
            "  # New variants of entries that tables already have: add them to those entries."
        )
    for proposal in suggestions.extensions:
        out.append("")
        where = f" ({proposal.entry_file}:{proposal.entry_line})" if proposal.entry_file else ""
        out.append(
            f"  # extend '{proposal.canonical}', kind {proposal.kind}{where}, "
            f"with {', '.join(proposal.variants)}:"
        )
        out.extend(_yaml_evidence(proposal))
        out.append(f"  #   - canonical: {_yaml_str(proposal.canonical)}")
        variants = [*proposal.entry_variants, *proposal.variants]
        out.append(f"  #     variants: [{', '.join(_yaml_str(v) for v in variants)}]")
    if not entries:  # an empty table is still a table 'normalise check' accepts
        out[out.index("entries:")] = "entries: []"
    return "\n".join(out) + "\n"


def _yaml_evidence(proposal: Proposal) -> list[str]:
    counts = ", ".join(f"{s.form} {s.count}" for s in proposal.spellings)
    lines = [
        (
            f"  # {proposal.count} occurrences in {proposal.docs} document"
            f"{'s' * (proposal.docs != 1)}: {counts}{_evidence(proposal)}"
        )
    ]
    lines.extend(f"  #   {_one_line(str(e))}" for e in proposal.examples)
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _yaml_str(text: str) -> str:
    """A YAML scalar: plain when safe, else double-quoted (JSON is YAML)."""
    if (
        _PLAIN_YAML.match(text)
        and text.lower() not in _YAML_WORDS
        and ": " not in text
        and " #" not in text
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


FORMATTERS = {"text": format_text, "yaml": format_yaml, "json": format_json}
