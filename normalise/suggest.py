"""Propose new table entries from a corpus (``normalise suggest``).

Tables are the bottleneck: the corpus itself can say that Taliqan and Taleqan are Taloqan.
:class:`VariantDiscovery` reads texts chunk by chunk and keeps only counts (of distinct
name-like tokens and short multi-word names) and a few example contexts per spelling, never
the texts, so memory stays bounded by the vocabulary of names. :meth:`VariantDiscovery.result`
then proposes

* **groups**: spellings in no table that are variants of one another (Taliban, Taleban);
* **extensions**: spellings in no table that belong to an existing entry (Kundoz -> Kunduz).

Discovery and matching agree because both use the phonetic matcher: a spelling is a candidate
when the matcher's gate lets it through (name-like, four letters or more, no known form, no
known name plus a suffix, not an English word; at the start of a sentence, unknown to wordfreq
altogether), and spellings are linked by :meth:`PhoneticMatcher.similarity` with the matcher's
own thresholds. One exception: a spelling that is a common English word (Taliban is, for
wordfreq) may *join* a group when it is written capitalised in mid-sentence, but never starts
one: each group needs at least one spelling that passes the gate. In a corpus of another
language (:mod:`normalise.language` tells which) the words common in that language are weighed
the same way. Groups are built by complete linkage: every two spellings of a group are similar,
so two different names are never chained through a third spelling between them (Taliban -
Taliqan - Taloqan).

An extension is a spelling whose :meth:`PhoneticMatcher.decide` picks a winner: exactly the
spellings the matcher would rewrite, proposed for the table so the rewrite no longer depends on
a score.

This module only discovers: the proposals and their formats (text, YAML, JSON) are
:mod:`normalise.proposals`, the command is :func:`normalise.cli.run_suggest`.
"""

from __future__ import annotations

import bisect
import enum
import fnmatch
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import regex

from .chars import (
    APOSTROPHES,
    ARABIC_ARTICLES,
    ENGLISH_ARTICLES,
    HYPHENS,
    IZAFE,
    NEWLINE_PATTERN,
    PATRONYMS,
    alternation,
    count_newlines,
)
from .check import common_words
from .declension import two_cases
from .errors import InputError
from .language import ENGLISH, LanguageWords, guess_language, is_language
from .phonetic import PhoneticMatcher, Verdict, english_zipf
from .proposals import (
    FORMATTERS,
    Example,
    Proposal,
    Spelling,
    Suggestions,
    format_json,
    format_text,
    format_yaml,
)
from .ranking import _fold, corpus_evidence, rank_groups
from .rewrite import PHONETIC_KINDS, Normaliser, is_sentence_initial
from .scan import match_key
from .sentence import NAME_TOKEN as _NAME_TOKEN
from .stream import CHUNK_CHARS, Source, read_chunks
from .table import TableSource

# The formats live in .proposals; they are exported here too because
# ``from normalise.suggest import discover, format_yaml`` is the documented API.
__all__ = [
    "DEFAULT_GLOB",
    "DEFAULT_LIMIT",
    "DEFAULT_MIN_COUNT",
    "DEFAULT_MIN_DOCS",
    "FORMATTERS",
    "Example",
    "Proposal",
    "Spelling",
    "Suggestions",
    "VariantDiscovery",
    "discover",
    "expand_paths",
    "format_json",
    "format_text",
    "format_yaml",
]

DEFAULT_MIN_COUNT = 2
DEFAULT_MIN_DOCS = 1
DEFAULT_LIMIT = 50
DEFAULT_GLOB = "*.txt"
#: Example contexts kept per spelling and shown per proposal.
MAX_EXAMPLES = 3
#: Words of context either side of a spelling in an example.
CONTEXT_WORDS = 5
#: Document names remembered per spelling (beyond it only the count of documents is exact;
#: the documents of a group are then estimated from its spellings' counts).
MAX_DOC_IDS = 256
#: A multi-word name is a candidate only when none of its words is this common in English
#: (wordfreq Zipf frequency): "Lashkar Gah" is, "Afghan Government" is not.
MULTI_WORD_ZIPF = 3.5
#: A multi-word name needs a word seen outside multi-word names at most this many times as
#: often as the name (a word of the name, not a name of its own that stands beside another).
BOUND_WORD_RATIO = 2
#: How many similar spellings each spelling is compared with (from the matcher's index).
NEIGHBOURS = 20
#: A spelling whose lower-case form occurs in the corpus at least this share of its own count
#: is an ordinary word written with a capital (There, Make, Gather), not a name.
ORDINARY_SHARE = 0.5
#: Distinct lower-case words counted (beyond it, words seen once are forgotten).
LOWER_WORDS = 1 << 20
#: A sentence with more candidate names than this is a list too long to pair up.
SENTENCE_NAMES = 40
#: Pairs of names seen in one sentence kept (beyond it no new pair is recorded).
MAX_PAIRS = 4_000_000
#: Neighbouring names remembered per spelling.
MAX_NEIGHBOURS = 200
#: Two spellings of one name stand among the same other names: the cosine of their
#: neighbour counts (names in the same sentences) must be at least this.
MIN_CONTEXT = 0.15
#: Two spellings that both occur in more than this many of the same documents are two names
#: (a writer keeps to one spelling), when the corpus has at least SHARED_DOCS_CORPUS documents.
SHARED_DOCS = 1
SHARED_DOCS_CORPUS = 4
#: ... and more than this many times as many as chance would give them (a spelling found in
#: nearly every document shares documents with every other one: Thomas, Thomos).
SHARED_OVER_CHANCE = 2.0
#: English derivational endings: two spellings that differ only by them are one name in two
#: words (Canaanites, Canaanitish), left to the inflection rules rather than grouped.
ENGLISH_ENDINGS = (
    "itish",
    "itess",
    "ites",
    "ite",
    "ism",
    "ists",
    "ist",
    "ish",
    "ess",
    "eans",
    "ean",
    "ians",
    "ian",
    "ans",
    "an",
    "es",
    "s",
    "i",
)
#: Endings that make an inflection only of the other spelling itself (Chaldea, Chaldean), not
#: of a shared stem (Taban, Tabaan are not Taba + n, Taba + an).
DIRECT_ENDINGS = ("ns", "n")
#: Plural endings of Hebrew names in English texts (Baalim, Anakim, Cherubim).
HEBREW_ENDINGS = ("im",)
#: In a corpus of another language, two words it knows that share a stem of at least
#: INFLECTION_STEM letters and differ in at most INFLECTION_LETTERS letters at the end are one
#: word inflected (Schicksal, Schicksale; Filósofo, Filósofa).
INFLECTION_STEM = 4
INFLECTION_LETTERS = 2
#: ... when wordfreq knows both at least this well (Zipf frequency; names misspelt at the end,
#: Bukowsky, Astarot, are known to it more rarely).
INFLECTION_ZIPF = 1.5

_APOSTROPHE = f"[{regex.escape(APOSTROPHES)}]"
_HYPHEN = f"[{regex.escape(HYPHENS)}]"
_SEP = f"[ \u00a0{regex.escape(HYPHENS)}]"
_WORD = rf"\p{{Lu}}[\p{{Ll}}\p{{M}}]+(?:{_APOSTROPHE}\p{{Ll}}+)*"
# A particle written apart between two words: the article forms that are no English word
# ("Jerusalem at Passover" is two names), "son of" and the izafe.
_PARTICLE = alternation((ARABIC_ARTICLES - ENGLISH_ARTICLES) | PATRONYMS | IZAFE)
_LEADING = rf"(?:{alternation(ARABIC_ARTICLES)}{_HYPHEN})"
# Two to four capitalised words joined by a space or hyphen, maybe with a particle between
# (Mazar-e Sharif, Sar-i-Pul, Lashkar Gah, Osama bin Laden) or before (al-Qaeda Wing); not
# begun inside a word (after a letter and an apostrophe, or after a hyphen).
_SPAN = regex.compile(
    rf"(?<![\w\p{{M}}{regex.escape(HYPHENS)}])(?<![\w\p{{M}}]{_APOSTROPHE}){_LEADING}?{_WORD}"
    rf"(?:{_SEP}(?:{_PARTICLE}{_SEP})?{_WORD}){{1,3}}(?![\w\p{{M}}{regex.escape(HYPHENS)}])"
)
_SPAN_WORDS = regex.compile(_WORD)
_NAME_LIKE = regex.compile(rf"^\p{{Lu}}\p{{Ll}}*(?:{_APOSTROPHE}\p{{Ll}}+)*$")
_CONTEXT_WORD = regex.compile(r"\S+")
_LINE_END = regex.compile(NEWLINE_PATTERN)
#: A citation's signature before a name: "--Brande & C.", "-- J. Brende", "— Mark Twain".
_CITATION = regex.compile(r"(?:--|\u2014)[ \t]*(?:\p{Lu}\p{Ll}{0,2}\.[ \t]*)*$")
_SURROGATES = regex.compile("[\udc80-\udcff]")
# Between a name and another spelling of it given as a gloss: "Molech, or Moloch", "Zerubbabel
# (Gr. Zorobabel)", "Nazarite (Nazirite)", "Taliqan, also spelt Taleqan".
_GLOSS_WORD = (
    r"(?:or|also|alias|i\.\s?e\.|that\s+is|called|Gr\.|Greek|Heb\.|Hebrew|Aram\."
    r"|Lat\.|spelt|spelled|written|as|more|better|properly|accurately|correctly"
    r"|usually|commonly|sometimes|often)\s*[,:]?\s*"
)
_GLOSS = regex.compile(
    rf"\s*,?\s*(?:[(\[]\s*(?:{_GLOSS_WORD})*|(?:{_GLOSS_WORD})+)", regex.IGNORECASE
)
_POSSESSIVE = regex.compile(rf"{_APOSTROPHE}s$")
_LOWER_WORD = regex.compile(r"(?<![\w\p{M}])\p{Ll}[\p{Ll}\p{M}]{3,}(?![\w\p{M}])")
# Where a sentence ends: a full stop, question or exclamation mark before white space, quotes
# or brackets, or a line end (a list of names stays within one sentence).
_SENTENCE_BREAK = regex.compile(rf"[.!?](?=[\s\"'\u201d\u2019)\]]|$)|{NEWLINE_PATTERN}")


# ---------------------------------------------------------------- counting


class Standing(enum.Enum):
    """What a counted spelling may be in a group of spellings."""

    ANCHOR = "anchor"  # passes the matcher's gate: may start a group
    MEMBER = "member"  # a common English word written as a name in mid-sentence: may join one


class _Counts:
    __slots__ = ("cited", "count", "doc_ids", "docs", "examples", "headed", "last_doc", "mid")

    def __init__(self) -> None:
        self.count = 0
        self.mid = 0  # occurrences not at the start of a sentence
        self.headed = 0  # at the head of a sentence that starts a line (a dictionary's headword)
        self.cited = 0  # occurrences as a citation's signature ("--Brande.")
        self.docs = 0
        self.last_doc = -1
        self.doc_ids: set[int] | None = set()
        self.examples: list[Example] = []


@dataclass
class _Chunk:
    name: str
    doc: int
    line: int  # line at the start of the chunk
    ends: list[int] | None = None  # where each line of the chunk ends (built when needed)

    def line_of(self, text: str, pos: int) -> int:
        if self.ends is None:
            self.ends = [m.end() for m in _LINE_END.finditer(text)]
        return self.line + bisect.bisect_right(self.ends, pos)


class VariantDiscovery:
    """Counts candidate spellings in texts, then proposes table entries (module docstring).

    Feed it with :meth:`add_text` (one document) or :meth:`add_source` (a stream, read in
    chunks), then call :meth:`result`. The tables are those of ``normaliser`` (default: the
    default table, or ``tables``)."""

    def __init__(
        self,
        normaliser: Normaliser | None = None,
        *,
        tables: Iterable[TableSource] = (),
        default_table: bool = True,
        min_score: float | None = None,
        language: str | None = None,
    ) -> None:
        if normaliser is None:
            normaliser = Normaliser(
                tables, default_table=default_table, phonetic="suggest", min_score=min_score
            )
        self.normaliser = normaliser
        self.table = normaliser.table
        self.matcher = normaliser.matcher or PhoneticMatcher.for_entries(
            normaliser.table.entries, PHONETIC_KINDS, min_score=min_score
        )
        self._counts: dict[str, _Counts] = {}
        self._names: list[str] = []
        self._in_span: dict[str, int] = {}  # word -> occurrences inside multi-word names
        self._lower: Counter[str] = Counter()  # lower-case words (is a spelling ordinary?)
        self._together: dict[tuple[str, str], int] = {}  # match keys seen in one sentence
        self._glossed: dict[tuple[str, str], int] = {}  # one glosses the other: "A (or B)"
        self._neighbours: dict[str, dict[str, int]] = {}  # match key -> names beside it
        self._name_keys: set[str] = set()  # keys of the candidate names (set by result())
        self.tokens = 0
        #: The language given (wordfreq code), or None to guess it from the corpus's own
        #: lower-case words; :attr:`language` is the one used (set by :meth:`result`).
        if language is not None and not is_language(language):
            raise ValueError(f"unknown language {language!r} (see normalise.language.languages)")
        self.language_given = language
        self.language = language or ENGLISH
        self._words: LanguageWords | None = None  # the common words of another language

    @property
    def documents(self) -> int:
        return len(self._names)

    # -- what the texts said (read-only; normalise.ranking weighs it) ---------------------

    def glossed(self, a: str, b: str) -> int:
        """How often one of two spellings (match keys) glossed the other ("Molech, or
        Moloch")."""
        return self._glossed.get((a, b) if a < b else (b, a), 0)

    def together(self, a: str, b: str) -> int:
        """In how many sentences two spellings (match keys) stood together, glosses left out."""
        return self._together.get((a, b) if a < b else (b, a), 0)

    @property
    def neighbours(self) -> Mapping[str, Mapping[str, int]]:
        """By match key, the names counted in the same sentences and how often (a read-only
        view)."""
        return MappingProxyType(self._neighbours)

    @property
    def name_keys(self) -> frozenset[str]:
        """The match keys of the candidate names (empty before :meth:`result`)."""
        return frozenset(self._name_keys)

    # -- reading ------------------------------------------------------------------------

    def add_text(self, text: str, name: str = "<text>") -> None:
        """Count one document given whole."""
        self.add_chunks([text], name)

    def add_source(
        self,
        source: Source,
        encoding: str = "utf-8",
        on_bytes: Callable[[int], None] | None = None,
        chunk_chars: int = CHUNK_CHARS,
    ) -> None:
        """Count one document read from a stream in chunks (bounded memory)."""
        self.add_chunks(read_chunks(source, encoding, on_bytes, chunk_chars), source.name)

    def add_chunks(self, chunks: Iterable[str], name: str) -> None:
        """Count one document given as consecutive pieces that end at line ends."""
        place = _Chunk("<stdin>" if name == "-" else name, len(self._names), 1)
        self._names.append(place.name)
        for chunk in chunks:
            place.ends = None
            self._count_chunk(chunk, place)
            place.line += count_newlines(chunk)

    def _count_chunk(self, text: str, place: _Chunk) -> None:
        covered = _Coverage(self.normaliser.table_matches(text))
        self._lower.update(_LOWER_WORD.findall(text))
        if len(self._lower) > LOWER_WORDS:
            self._lower = Counter({w: n for w, n in self._lower.items() if n > 1})
        breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text)]
        sentences: dict[int, set[str]] = {}
        glossed: set[tuple[str, str]] = set()
        last: tuple[int, int, str] | None = None  # sentence, end, key of the name before
        for match in _NAME_TOKEN.finditer(text):
            token = match.group()
            if not _NAME_LIKE.match(token):
                continue
            start, end = match.span()
            if covered.overlaps(start, end):
                continue
            if last is not None and _GLOSS.fullmatch(text, last[1], end):
                continue  # "Zerubbabel Called Zorobabel": a gloss word, capitalised
            self._record(token, text, start, end, place)
            sentence, key = bisect.bisect_right(breaks, start), match_key(token)
            sentences.setdefault(sentence, set()).add(key)
            if (
                last is not None
                and last[0] == sentence
                and last[2] != key
                and _GLOSS.fullmatch(text, last[1], start)
            ):
                pair = (last[2], key) if last[2] < key else (key, last[2])
                glossed.add(pair)
                self._glossed[pair] = self._glossed.get(pair, 0) + 1
            last = (sentence, end, key)
        for names in sentences.values():
            if 1 < len(names) <= SENTENCE_NAMES:
                self._pair(sorted(names), glossed)
        for match in _SPAN.finditer(text):
            start, end = match.span()
            if covered.overlaps(start, end):
                continue
            self._record(match.group(), text, start, end, place)
            for word in _SPAN_WORDS.findall(match.group()):
                self._in_span[word] = self._in_span.get(word, 0) + 1

    def _pair(self, names: list[str], glossed: set[tuple[str, str]]) -> None:
        """Remember which names stand in one sentence: two such names are two names, unless
        one glosses the other ('Molech, or Moloch')."""
        together = self._together
        for i, a in enumerate(names):
            near = self._neighbours.setdefault(a, {})
            for b in names[i + 1 :]:
                pair = (a, b)
                if pair in glossed:
                    continue
                if pair in together:
                    together[pair] += 1
                elif len(together) < MAX_PAIRS:
                    together[pair] = 1
            for b in names:
                if b != a and (b in near or len(near) < MAX_NEIGHBOURS):
                    near[b] = near.get(b, 0) + 1

    def _record(self, form: str, text: str, start: int, end: int, place: _Chunk) -> None:
        self.tokens += 1
        counts = self._counts.get(form)
        if counts is None:
            counts = self._counts[form] = _Counts()
        counts.count += 1
        if not is_sentence_initial(text, start):
            counts.mid += 1
        elif start == 0 or text[start - 1] == "\n":
            counts.headed += 1
        before = text[max(0, start - 12) : start]
        if ("--" in before or "\u2014" in before) and _CITATION.search(before):
            counts.cited += 1
        if counts.last_doc != place.doc:
            counts.last_doc = place.doc
            counts.docs += 1
            if counts.doc_ids is not None:
                counts.doc_ids.add(place.doc)
                if len(counts.doc_ids) > MAX_DOC_IDS:
                    counts.doc_ids = None
        if len(counts.examples) < MAX_EXAMPLES:
            line = place.line_of(text, start)
            if all(e.line != line or e.file != place.name for e in counts.examples):
                counts.examples.append(Example(place.name, line, _context(text, start, end)))

    # -- proposing ------------------------------------------------------------------------

    def result(
        self,
        *,
        min_count: int = DEFAULT_MIN_COUNT,
        min_docs: int = DEFAULT_MIN_DOCS,
        limit: int | None = DEFAULT_LIMIT,
    ) -> Suggestions:
        """Groups of new spellings and new variants of existing entries, best evidence first."""
        self.language = self.language_given or guess_language(self._lower)
        self._words = LanguageWords(self.language) if self.language != ENGLISH else None
        forms = self._merged_forms()
        anchors, extensions = self._sort_out(forms)
        self._name_keys = {match_key(f) for f in anchors}
        clusters = self._cluster(anchors, forms)
        groups = [self._group_proposal(g, forms) for g in clusters]
        extended = [self._extension_proposal(e, found, forms) for e, found in extensions.items()]

        def enough(p: Proposal) -> bool:
            return p.count >= min_count and p.docs >= min_docs

        def rank(p: Proposal) -> tuple[int, int, str]:
            return (-p.docs, -p.count, p.canonical)

        # groups the texts support (beyond the spelling) first: normalise.ranking
        kept = rank_groups(list(filter(enough, groups)), corpus_evidence(self, forms))
        kept_ext = sorted(filter(enough, extended), key=rank)
        return Suggestions(
            tuple(kept[:limit]),
            tuple(kept_ext[:limit]),
            self.documents,
            self.tokens,
            self.language,
        )

    def _sort_out(
        self, forms: dict[str, _Counts]
    ) -> tuple[dict[str, float], dict[str, list[tuple[str, float]]]]:
        """The candidate spellings, as group anchors (1: passes the gate) and members (0: a
        common English word), and the spellings the matcher gives to an existing entry, by
        entry: (spelling, score)."""
        anchors: dict[str, float] = {}
        extensions: dict[str, list[tuple[str, float]]] = {}
        bare = {match_key(f) for f in forms if " " not in f and "-" not in f}
        for form, counts in forms.items():
            standing = self._standing(form, counts)
            if standing is None or self._derived(form, bare):
                continue
            if standing is Standing.ANCHOR and " " not in form and "-" not in form:
                winner = self.matcher.decide(form, sentence_initial=counts.mid == 0).winner
                if winner is not None:
                    extensions.setdefault(winner.entry, []).append((form, winner.score))
                    continue
            anchors[form] = 1.0 if standing is Standing.ANCHOR else 0.0
        return anchors, extensions

    def _merged_forms(self) -> dict[str, _Counts]:
        """Spellings that differ only in case, diacritics or apostrophe marks counted as one
        (the most frequent spelling stands for them): the table treats them as one form."""
        by_key: dict[str, list[tuple[str, _Counts]]] = {}
        for form, counts in self._counts.items():
            by_key.setdefault(match_key(form), []).append((form, counts))
        merged: dict[str, _Counts] = {}
        for same in by_key.values():
            if len(same) == 1:
                merged[same[0][0]] = same[0][1]
                continue
            same.sort(key=lambda fc: (-fc[1].count, fc[0]))
            total = _Counts()
            ids: set[int] | None = set()
            for _, counts in same:
                total.count += counts.count
                total.mid += counts.mid
                total.cited += counts.cited
                total.headed += counts.headed
                total.docs = max(total.docs, counts.docs)
                if ids is not None and counts.doc_ids is not None:
                    ids |= counts.doc_ids
                else:
                    ids = None
                total.examples.extend(counts.examples)
            if ids is not None:
                total.docs = len(ids)
            total.doc_ids = ids
            total.examples = total.examples[:MAX_EXAMPLES]
            merged[same[0][0]] = total
        return merged

    def _standing(self, form: str, counts: _Counts) -> Standing | None:
        """What a spelling may be in a group (None: no candidate)."""
        if _POSSESSIVE.search(form):
            return None  # Obed-Edom's: the name with 's, left to the affix rules
        if " " in form or "-" in form or "\u00a0" in form:
            return self._span_standing(form, counts)
        if self._ordinary(form, counts):
            return None
        refusal = self.matcher.gate(form, counts.mid == 0)
        if refusal is None:
            return self._language_standing(form, counts)
        if refusal.verdict is Verdict.COMMON_WORD and counts.mid:
            return Standing.MEMBER
        return None

    def _language_standing(self, form: str, counts: _Counts) -> Standing | None:
        """A spelling the English gate lets through, weighed as a word of the corpus's own
        language (when not English) as the gate weighs English words: a common one may join
        a group but not start one, and one never seen in mid-sentence that the language knows
        at all is no candidate (German writes every noun with a capital)."""
        words = self._words
        if words is None:
            return Standing.ANCHOR
        if counts.mid == 0 and words.known(form):
            return None
        if words.common(form):
            return Standing.MEMBER if counts.mid else None
        return Standing.ANCHOR

    def _ordinary(self, form: str, counts: _Counts) -> bool:
        """The corpus writes the word in lower case too: an English word (There, Make) that
        starts a sentence or follows a colon, not a name."""
        return self._lower.get(form.lower(), 0) >= ORDINARY_SHARE * counts.count

    def _derived(self, form: str, bare: set[str]) -> bool:
        """A word made of another name of the corpus or the tables and an ending (Baalim of
        Baal, Israelites of Israel, Median of Media): left to the inflection rules, it
        neither starts nor joins a group."""
        lower = form.lower()
        for ending in (*ENGLISH_ENDINGS, *DIRECT_ENDINGS, *HEBREW_ENDINGS):
            if lower.endswith(ending) and len(form) - len(ending) >= 3:
                stem = form[: -len(ending)]
                key = match_key(stem)
                if key in bare or self.matcher.is_known(stem):
                    return True
        return False

    def _one_name(self, a: str, b: str, forms: dict[str, _Counts]) -> bool:
        """What the texts say of two similar spellings: two names when they stand in one
        sentence ('Eleazar, and Eliezer') or share several documents; one name only when
        they stand among the same other names (Nebuchadnezzar, Nebuchadrezzar: Babylon,
        Jerusalem, Zedekiah)."""
        ka, kb = match_key(a), match_key(b)
        pair = (ka, kb) if ka < kb else (kb, ka)
        if self._glossed.get(pair) and not self._together.get(pair):
            return True  # the texts give one as a spelling of the other
        if self._together.get(pair):
            return False
        ids_a, ids_b = forms[a].doc_ids, forms[b].doc_ids
        if self.documents >= SHARED_DOCS_CORPUS and ids_a is not None and ids_b is not None:
            shared = len(ids_a & ids_b)
            chance = len(ids_a) * len(ids_b) / self.documents
            if shared > SHARED_DOCS and shared > SHARED_OVER_CHANCE * chance:
                return False
        near_a, near_b = self._near(ka, kb), self._near(kb, ka)
        if not (near_a and near_b):
            return True  # no other name beside one of them: the texts cannot tell
        return _cosine(near_a, near_b) >= MIN_CONTEXT

    def _near(self, key: str, other: str) -> dict[str, int]:
        """The candidate names counted beside a spelling (capitalised English words such as
        sentence-initial People or Monday are no evidence), the other spelling left out."""
        names = self._name_keys
        return {k: n for k, n in self._neighbours.get(key, {}).items() if k != other and k in names}

    def context_similarity(self, a: str, b: str) -> float:
        """Cosine of the candidate names that stand in the same sentences as each spelling
        (0 when either has none); meaningful after :meth:`result`."""
        ka, kb = match_key(a), match_key(b)
        return _cosine(self._near(ka, kb), self._near(kb, ka))

    def _span_standing(self, form: str, counts: _Counts) -> Standing | None:
        """A multi-word spelling is an anchor when it is no known form, no English phrase, no
        two names side by side and no heading."""
        if self.matcher.is_known(form) or self.matcher.is_protected(form):
            return None
        words = _SPAN_WORDS.findall(form)
        if any(english_zipf(w) >= MULTI_WORD_ZIPF for w in words):
            return None
        # Two names side by side ("Kabul Kandahar", a list) are no name: a word of a real
        # multi-word name rarely stands alone (Lashkar of Lashkar Gah); at least one must not.
        alone = [
            self._counts[w].count - self._in_span.get(w, 0) if w in self._counts else 0
            for w in words
        ]
        if all(n > BOUND_WORD_RATIO * counts.count for n in alone):
            return None
        if (
            counts.mid == 0
            and english_zipf(words[0]) > 0
            and english_zipf(words[0]) >= self.matcher.common_word_zipf
        ):
            return None  # "Kunduz Herat" at the start of a line: likely a heading
        return Standing.ANCHOR

    def _cluster(self, anchors: dict[str, float], forms: dict[str, _Counts]) -> list[list[str]]:
        """Complete-linkage groups of similar spellings, each with at least one anchor (or
        all of one word's letters)."""
        if len(anchors) < 2:
            return []
        names = sorted(anchors)
        groups = _complete_linkage(names, self._links(names, forms))
        # a group of common words is one word written in two ways (Muskatnuß, Muskatnuss)
        return [
            sorted(g)
            for g in groups
            if any(anchors[n] for n in g) or len({_fold(n) for n in g}) == 1
        ]

    def _links(self, names: list[str], forms: dict[str, _Counts]) -> dict[tuple[str, str], float]:
        """Pairs of candidate spellings that may be one name, with their score: similar enough
        for the matcher, not one word inflected, not one name in two cases of the corpus's
        language (:mod:`normalise.declension`), and not two names by what the texts say."""
        index = PhoneticMatcher(
            [(n, ()) for n in names],
            protected=(),
            min_score=self.matcher.min_score,
            margin=self.matcher.margin,
        )
        threshold = self.matcher.threshold
        linked: dict[tuple[str, str], float] = {}
        for name in names:
            for cand in index.candidates(name, limit=NEIGHBOURS):
                other = cand.entry
                pair = (name, other) if name < other else (other, name)
                if other == name or cand.part or pair in linked:
                    continue
                score = index.similarity(name, other)
                if (
                    score >= max(threshold(name), threshold(other))
                    and not self._inflected(name, other)
                    and not self._two_words(name, other)
                    and not two_cases(name, other, self.language)
                    and self._one_name(name, other, forms)
                ):
                    linked[pair] = score
        return linked

    def _two_words(self, a: str, b: str) -> bool:
        """Two common words of the corpus's language (not English) are two words (Kirche,
        Kirsche), unless they differ only in diacritics or ß (Muskatnuß, Muskatnuss); and so
        are two forms of one word the language knows both of, differing only in their last
        letters (Schicksal, Schicksale; Sociologica, Sociologico): an inflection."""
        words = self._words
        if words is None or " " in a or " " in b:
            return False
        if words.common(a) and words.common(b):
            return _fold(a) != _fold(b)
        x, y = a.casefold(), b.casefold()
        stem = next(
            (i for i, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), min(len(x), len(y))
        )
        return (
            x != y
            and stem >= INFLECTION_STEM
            and max(len(x), len(y)) - stem <= INFLECTION_LETTERS
            and min(words.zipf(a), words.zipf(b)) >= INFLECTION_ZIPF
        )

    def _inflected(self, a: str, b: str) -> bool:
        """One spelling is the other plus a suffix that makes another word (Afghan, Afghans),
        or both are one word with two such suffixes (Afghans, Afghani)."""
        stems = self.matcher.romanisation.stems

        def bases(form: str, endings: tuple[str, ...]) -> set[str]:
            lower = form.lower()
            english = {
                match_key(form[: -len(e)])
                for e in endings
                if lower.endswith(e) and len(form) - len(e) >= 3
            }
            return {*english, *(match_key(stem) for stem, _ in stems(form))}

        ka, kb = match_key(a), match_key(b)
        if ka in bases(b, ENGLISH_ENDINGS + DIRECT_ENDINGS) or kb in bases(
            a, ENGLISH_ENDINGS + DIRECT_ENDINGS
        ):
            return True  # Chaldea, Chaldean
        return bool(bases(a, ENGLISH_ENDINGS) & bases(b, ENGLISH_ENDINGS))

    def _group_proposal(self, group: list[str], forms: dict[str, _Counts]) -> Proposal:
        common = common_words()
        similarity = self.matcher.similarity
        # Ties (as many occurrences and documents) go to the spelling nearest all the others:
        # the largest sum of similarities, then the fewest letter edits to the others in all
        # (Kunduz among Konduz and Qunduz), then the first in alphabetical order.
        central = {
            f: (
                -round(sum(similarity(f, g) for g in group if g != f), 6),
                sum(_edits(f, g) for g in group if g != f),
            )
            for f in group
        }
        ranked = sorted(group, key=lambda f: (-forms[f].count, -forms[f].docs, central[f], f))
        # A common English word cannot be a variant ('normalise check' refuses it, and
        # rightly: prose would be rewritten), so when the group has one it is the canonical.
        words = self._words
        english = [
            f
            for f in ranked
            if match_key(f) in common or (words is not None and " " not in f and words.common(f))
        ]
        canonical = english[0] if english else ranked[0]
        ranked.remove(canonical)
        ranked.insert(0, canonical)
        spellings = tuple(
            Spelling(
                f,
                forms[f].count,
                forms[f].docs,
                None if f == canonical else similarity(canonical, f),
            )
            for f in ranked
        )
        return Proposal(
            canonical, "other", spellings, _docs(forms, ranked), _examples(forms, ranked)
        )

    def _extension_proposal(
        self, canonical: str, found: list[tuple[str, float]], forms: dict[str, _Counts]
    ) -> Proposal:
        found.sort(key=lambda fs: (-forms[fs[0]].count, fs[0]))
        entry = next((e for e in self.table.entries if e.canonical == canonical), None)
        spellings = tuple(Spelling(f, forms[f].count, forms[f].docs, score) for f, score in found)
        names = [f for f, _ in found]
        return Proposal(
            canonical,
            entry.kind if entry else "other",
            spellings,
            _docs(forms, names),
            _examples(forms, names),
            existing=True,
            entry_file=entry.file if entry else None,
            entry_line=entry.line if entry else None,
            entry_variants=entry.variants if entry else (),
        )


def _complete_linkage(
    names: list[str], linked: dict[tuple[str, str], float]
) -> list[frozenset[str]]:
    """Groups of two or more names in which every two are linked, merged best link first: a
    name chained to another only through a third never joins its group."""
    cluster = {n: frozenset([n]) for n in names}
    for (a, b), _ in sorted(linked.items(), key=lambda kv: (-kv[1], kv[0])):
        ca, cb = cluster[a], cluster[b]
        if ca is cb:
            continue
        if all(((x, y) if x < y else (y, x)) in linked for x in ca for y in cb):
            union = ca | cb
            for n in union:
                cluster[n] = union
    return list({id(c): c for c in cluster.values() if len(c) > 1}.values())


class _Coverage:
    """Whether a span overlaps a table hit (hits sorted, non-overlapping)."""

    def __init__(self, hits: Sequence[tuple[int, int, int]]) -> None:
        self.starts = [h[0] for h in hits]
        self.ends = [h[1] for h in hits]

    def overlaps(self, start: int, end: int) -> bool:
        if not self.starts:
            return False
        i = bisect.bisect_left(self.ends, start + 1)  # first hit ending after start
        return i < len(self.starts) and self.starts[i] < end


def _edits(a: str, b: str) -> int:
    """Letter edits between two spellings, case aside (the tie-break of canonical forms)."""
    import jellyfish

    return jellyfish.damerau_levenshtein_distance(a.casefold(), b.casefold())


def _cosine(a: dict[str, int], b: dict[str, int]) -> float:
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0
    dot = sum(a[k] * b[k] for k in shared)
    return dot / (
        math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    )


def _docs(forms: dict[str, _Counts], names: Sequence[str]) -> int:
    ids: set[int] = set()
    for name in names:
        doc_ids = forms[name].doc_ids
        if doc_ids is None:
            return max(forms[n].docs for n in names)
        ids |= doc_ids
    return len(ids)


def _examples(forms: dict[str, _Counts], names: Sequence[str]) -> tuple[Example, ...]:
    """Up to MAX_EXAMPLES contexts: as many spellings and documents as possible."""
    pool = [
        (name, example)
        for depth in range(MAX_EXAMPLES)
        for name in names
        for example in forms[name].examples[depth : depth + 1]
    ]
    chosen: list[tuple[str, Example]] = []
    # as many spellings and files as can be; then other files; then other spellings; any
    tests: tuple[Callable[[str, Example], bool], ...] = (
        lambda n, e: all(n != m and e.file != f.file for m, f in chosen),
        lambda n, e: all(e.file != f.file for _, f in chosen),
        lambda n, e: all(n != m for m, _ in chosen),
        lambda n, e: True,
    )
    for fits in tests:
        for name, example in pool:
            if len(chosen) < MAX_EXAMPLES and (name, example) not in chosen and fits(name, example):
                chosen.append((name, example))
    order = {id(e): i for i, (_, e) in enumerate(pool)}
    return tuple(sorted((e for _, e in chosen), key=lambda e: order[id(e)]))


def _context(text: str, start: int, end: int) -> str:
    """A few words either side of ``text[start:end]`` on one line."""
    first = max(0, start - 12 * CONTEXT_WORDS)
    first = max(first, text.rfind("\n", first, start) + 1, text.rfind("\r", first, start) + 1)
    last = min(len(text), end + 12 * CONTEXT_WORDS)
    breaks = [b for b in (text.find("\n", end, last), text.find("\r", end, last)) if b >= 0]
    last = min(breaks, default=last)
    before = _CONTEXT_WORD.findall(text[first:start])
    after = _CONTEXT_WORD.findall(text[end:last])
    # the word the spelling is glued to ("(Kundoz" or "al-")
    head = before.pop() if text[max(0, start - 1) : start].strip() and before else ""
    tail = after.pop(0) if text[end : end + 1].strip() and after else ""
    words = [*before[-CONTEXT_WORDS:], head + text[start:end] + tail, *after[:CONTEXT_WORDS]]
    return _SURROGATES.sub("\ufffd", " ".join(words))


def discover(
    inputs: Iterable[str | tuple[str, str]],
    *,
    tables: Iterable[TableSource] = (),
    default_table: bool = True,
    min_count: int = DEFAULT_MIN_COUNT,
    min_docs: int = DEFAULT_MIN_DOCS,
    limit: int | None = DEFAULT_LIMIT,
    glob: str = DEFAULT_GLOB,
    encoding: str = "utf-8",
    normaliser: Normaliser | None = None,
    language: str | None = None,
) -> Suggestions:
    """Proposals from files and directories (paths) or ``(name, text)`` pairs; the tables
    are ``normaliser``'s when given (build it once to run many times); ``language`` (a
    wordfreq code) is guessed from the texts when None."""
    discovery = VariantDiscovery(
        normaliser, tables=tables, default_table=default_table, language=language
    )
    for item in inputs:
        if isinstance(item, tuple):
            discovery.add_text(item[1], item[0])
            continue
        for path in expand_paths([item], glob):
            with open(path, "rb") as stream:
                discovery.add_source(Source(path, stream), encoding)
    return discovery.result(min_count=min_count, min_docs=min_docs, limit=limit)


def expand_paths(paths: Sequence[str], glob: str = DEFAULT_GLOB) -> list[str]:
    """Files to read: each file as given, each directory's files matching ``glob``
    (recursively, in sorted order); ``-`` is standard input. Raises :class:`InputError`."""
    found: list[str] = []
    for path in paths:
        if path == "-":
            found.append(path)
            continue
        if os.path.isdir(path):
            matched: list[str] = []
            for root, dirs, files in os.walk(path):
                dirs.sort()
                matched.extend(
                    os.path.join(root, f) for f in sorted(files) if fnmatch.fnmatch(f, glob)
                )
            if not matched:
                raise InputError(f"no file matching {glob!r} in this directory", file=path)
            found.extend(matched)
        elif not os.path.exists(path):
            raise InputError("no such file", file=path)
        elif not os.access(path, os.R_OK):
            raise InputError("permission denied", file=path)
        else:
            found.append(path)
    return found
