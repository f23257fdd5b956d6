"""Phonetic matching: map spellings the variant table has never seen to a known entry.

Why: names from Arabic, Persian, Pashto, Urdu and Russian reach English news through several
romanisation systems, so a table of known variants is never complete. A reader meets Taluqan
and Talukan where the table knows Taloqan, Taleqan and Taliqan. This module finds the entry
such a spelling belongs to, and refuses whenever it is not sure: turning an ordinary English
word or an unrelated name into a table entry is far worse than leaving a variant alone.
Precision before recall.

How:

* Keys. The letter correspondences that separate romanisation systems (q/k, kh/h/x, gh/g,
  dj/dzh/zh/j, sch/sh, ou/u, e/i, o/u, ay/ai/ey, ow/aw/au, w/v, doubled letters, -eh/-a
  endings, the izafe, diacritics ...) are data, in ``data/romanisation.yaml`` (the al-
  particles are :data:`normalise.chars.ARABIC_ARTICLES`). A spelling is folded (lower case, special letters spelt out,
  marks and diacritics removed) and rewritten by those named rules into a *spelling key*:
  Taloqan, Taluqan and Talukan become ``talokan``, ``talukan``, ``talukan``, equal once the
  vowels the file marks as ``same`` (e is i, o is u) are merged; e and o stay in the key
  only because they are nearer to a (Uzbek Toshkent, Tashkent) than i and u are.
* Index. Every known form of every entry is indexed by its *skeleton* (the key's consonants,
  with a leading and a final vowel marked) and the skeleton's one-letter deletions (a
  symmetric-deletion index), by a *coarse skeleton* (near letters merged: k/g, s/z/sh/ch,
  t/d, b/p/f; weak letters h, y, v, w dropped) and, when it has four letters or more, its
  one-letter deletions (a coarse skeleton under three letters is not used), and by the
  metaphone of its key. The coarse skeleton finds spellings
  that differ in two near letters (Askabat, Ashgabat) or in a letter and a near letter. A
  token finds its candidates with a few dozen dictionary look-ups, never a table scan.
  Multi-word forms are indexed whole (joined: Lashkargah finds Lashkar Gah), by their words,
  and, when they hold a generic word of place names (``generic`` in the same file: Bandar
  "port", Shahri "town of", City ...), whole without it (Deylam finds Bandar-e Deylam). A
  word match is shown as a candidate but never wins: a lone token is never rewritten to a
  whole multi-word name it only shares a word with (Sharif is not Mazar-e Sharif), and a
  token whose best match is such a word is left alone.
* Score, for spelling keys ``a`` and ``b``::

      score = W_JARO_WINKLER * jellyfish.jaro_winkler_similarity(a, b)
            + W_EDIT * (1 - romanised_distance(a, b) / max(weight(a), weight(b)))

  ``romanised_distance`` is a Damerau-Levenshtein distance whose costs come from the same
  file: vowel edits are cheap (short vowels are rendered arbitrarily; Uzbek o is Persian a),
  a word-final vowel less so (it is often a suffix: Kabul is not Qabula), weak letters (h, y,
  v) cheap to drop, near letters (k/g, s/z, t/d, ch/sh ...) cheap to confuse, any other
  consonant edit costs 1. ``weight`` counts a consonant 1 and a vowel less. Identical keys
  score 1; the score is in [0, 1]. Jaro-Winkler adds weight to agreeing beginnings.
* Decision. A token is rewritten only when it looks like a name (a capital, then lower-case
  letters, internal apostrophes allowed; all-capital tokens are acronyms or headlines and
  never rewritten), has at least four letters, is no known form (nor a word of one) of any
  entry and not protected, is no known name plus a suffix that makes another word of it
  (Kandahari, Kabulis: the suffixes are in the same file), is not an established English
  spelling (wordfreq Zipf frequency below ``COMMON_WORD_ZIPF``, about once per hundred
  million words, and, at the start of a sentence, unknown to wordfreq altogether), and its
  best candidate is a whole form scoring at least ``min_score`` (plus ``SHORT_PENALTY`` for
  each letter the token has fewer than ``SHORT_LETTERS``: a short token carries less evidence,
  and most rare English words the score takes for names are short; or, if more, plus
  ``KNOWN_WORD_PENALTY`` per unit of the token's Zipf frequency: a word English uses, however
  rarely, is likelier a word or name of its own than a new spelling of an entry, and from about
  Zipf 1.87 no score is enough: Hominy is not Khomeini, nor Pharah Farah) that beats the best whole
  form of every other entry by at least ``margin``, or by less when the runner-up is at
  least ``MARGIN_RATIO`` times as far from the token (distance is 1 - score) and at least
  ``EXACT_MARGIN`` behind: a token that spells one entry exactly under the rules (Taluqan,
  Taloqan) beats an entry it only resembles (Talaqan). Two entries too close give no winner.

The English gate does most of the work for ordinary words: the score alone would take many
short English words for names (Host is Khost to it). The score's job is the names the gate
cannot know.
"""

from __future__ import annotations

import enum
import functools
import heapq
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import jellyfish
import regex

from .chars import APOSTROPHES, ARABIC_ARTICLES, alternation
from .core import compiled_module, edit_distance
from .english import english_frequencies
from .flat_index import index_of_state, keeps_every_key
from .options import DEFAULT_MARGIN as DEFAULT_MARGIN  # defined with the options (issue 17)
from .options import DEFAULT_MIN_SCORE as DEFAULT_MIN_SCORE

if TYPE_CHECKING:
    from .table import Entry

EXACT_MARGIN: float = 0.08  # the least lead over the runner-up, for a best that is exact
MARGIN_RATIO: float = (
    3.0  # a runner-up this many times as far from the token as the best is far enough
)
COMMON_WORD_ZIPF: float = 2.0  # about once per hundred million words of English
MIN_LETTERS: int = 4
SHORT_LETTERS: int = 6  # a token with fewer letters carries less evidence:
SHORT_PENALTY: float = 0.05  # each letter short of SHORT_LETTERS raises its threshold this much
KNOWN_WORD_PENALTY: float = (
    0.075  # per Zipf unit: a word English uses needs min_score + this * Zipf
)
MAX_CANDIDATES: int = 5
#: Longer tokens and forms are not looked at: no name is this long, and the index keys of a
#: token grow with the square of its length (one 100,000-letter word took 4.3 GB).
MAX_TOKEN_CHARS: int = 64
#: Decisions kept for tokens seen before (tens of MB at most, whatever the corpus).
MAX_CACHED_DECISIONS: int = 100_000
W_JARO_WINKLER: float = 0.2
W_EDIT: float = 0.8

ROMANISATION_PATH = Path(__file__).parent / "data" / "romanisation.yaml"

# Apostrophe-like marks inside a name are those the scanner reads as one (Uzbek oʻ and gʻ in
# Fargʻona, Xoʻjand; the ʿayn of Kaʿba): each joins two lower-case runs.
_NAME_LIKE = regex.compile(rf"^\p{{Lu}}\p{{Ll}}*(?:[{regex.escape(APOSTROPHES)}]\p{{Ll}}+)*$")
_POSSESSIVE = re.compile(rf"[{re.escape(APOSTROPHES)}]s$")
_SEPARATORS = re.compile(r"[\s\-‐‑–]+")
_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True)
class Candidate:
    entry: str  # canonical form of the entry
    form: str  # the known form (canonical or variant) it matched best
    score: float  # in [0, 1]
    part: bool = False  # matched one word of a multi-word form: shown, never a winner


class Verdict(enum.Enum):
    """What a decision came to, for code to branch on (``Decision.reason`` says it to people,
    with figures, and may be reworded)."""

    # the gate: refused whatever the token matches
    TOO_LONG = "too-long"
    POSSESSIVE = "possessive"
    NOT_NAME_LIKE = "not-name-like"
    TOO_SHORT = "too-short"
    KNOWN_FORM = "known-form"
    PROTECTED = "protected"
    WORD_OF_KNOWN_FORM = "word-of-known-form"
    SENTENCE_INITIAL_WORD = "sentence-initial-word"
    COMMON_WORD = "common-word"
    INFLECTED = "inflected"
    # the score
    ENGLISH_WORD = "english-word"  # a word English uses so often no score is enough
    NO_CANDIDATE = "no-candidate"
    WORD_ONLY = "word-only"  # the best candidate is one word of a multi-word form
    BELOW_THRESHOLD = "below-threshold"
    AMBIGUOUS = "ambiguous"
    MATCH = "match"


@dataclass(frozen=True)
class Refusal:
    """Why the gate refuses a token: the verdict, and the reason in words."""

    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class Decision:
    token: str
    winner: Candidate | None  # None: rewrite nothing
    candidates: tuple[Candidate, ...]  # best first, one per entry
    reason: str
    verdict: Verdict

    @property
    def ambiguous(self) -> bool:
        """Two entries fit about equally well (no winner; the best is ``candidates[0]``)."""
        return self.verdict is Verdict.AMBIGUOUS

    @property
    def english(self) -> bool:
        """Refused as an English word: a common one, or one no score could clear."""
        return self.verdict in (Verdict.COMMON_WORD, Verdict.ENGLISH_WORD)


@dataclass(frozen=True)
class Rule:
    name: str
    doc: str
    pattern: re.Pattern[str]
    replace: str
    pairs: tuple[tuple[str, str], ...]

    def apply(self, word: str) -> str:
        return self.pattern.sub(self.replace, word)


def _letters(token: str) -> int:
    """How many letters ``token`` has (most name tokens are letters only: counted at once)."""
    return len(token) if token.isalpha() else sum(c.isalpha() for c in token)


@dataclass(frozen=True)
class Costs:
    """Costs of the romanisation-aware edit distance (``costs`` in the YAML file)."""

    vowels: frozenset[str]
    vowel_weight: float
    vowel_substitute: float
    vowel_indel: float
    final_vowel_indel: float
    consonant: float
    transpose: float
    weak: dict[str, float]
    near: dict[tuple[str, str], float]
    near_names: dict[str, tuple[str, str]]  # rule-style name -> its letter pair
    near_pairs: dict[str, tuple[tuple[str, str], ...]]
    same: dict[str, str]  # vowel letter -> the vowel it is scored as (e is i, o is u)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_same", str.maketrans(self.same))
        object.__setattr__(self, "_substitutes", _Substitutes(self))
        object.__setattr__(self, "_weights", _Weights(self))

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Costs:
        near: dict[tuple[str, str], float] = {}
        for item in data["near"]:
            a, b = item["letters"]
            near[a, b] = near[b, a] = float(item["cost"])
        return cls(
            vowels=frozenset(data["vowels"]),
            vowel_weight=float(data["vowel_weight"]),
            vowel_substitute=float(data["vowel_substitute"]),
            vowel_indel=float(data["vowel_indel"]),
            final_vowel_indel=float(data["final_vowel_indel"]),
            consonant=float(data["consonant"]),
            transpose=float(data["transpose"]),
            weak={k: float(v) for k, v in data["weak"].items()},
            near=near,
            near_names={i["name"]: tuple(i["letters"]) for i in data["near"]},
            near_pairs={
                i["name"]: tuple(tuple(p) for p in i.get("pairs", ())) for i in data["near"]
            },
            same=dict(data.get("same", {})),
        )

    def plain(self, key: str) -> str:
        """A key with the vowels of ``same`` merged: keys equal here spell one name."""
        return key.translate(self._same)  # type: ignore[attr-defined]

    def substitute(self, a: str, b: str) -> float:
        if a == b:
            return 0.0
        near = self.near.get((a, b))
        if near is not None:
            return near
        a, b = self.same.get(a, a), self.same.get(b, b)
        if a == b:
            return 0.0
        near = self.near.get((a, b))
        if near is not None:
            return near
        if a in self.vowels and b in self.vowels:
            return self.vowel_substitute
        return self.consonant

    def indels(self, key: str) -> list[float]:
        """The cost of dropping each letter of a key."""
        costs = [
            self.vowel_indel if c in self.vowels else self.weak.get(c, self.consonant) for c in key
        ]
        if key and key[-1] in self.vowels:
            costs[-1] = self.final_vowel_indel
        return costs

    def weight(self, key: str) -> float:
        return self._weights[key]  # type: ignore[attr-defined, no-any-return]

    def _weight(self, key: str) -> float:
        return sum(self.vowel_weight if c in self.vowels else 1.0 for c in key)

    def distance(self, a: str, b: str) -> float:
        """Damerau-Levenshtein distance (adjacent transpositions) with these costs (the
        same in C when the compiled core runs: :func:`normalise.core.edit_distance`)."""
        compiled = edit_distance()
        if compiled is not None:
            return compiled(self, a, b)
        drop_a, drop_b = self.indels(a), self.indels(b)
        substitute, transpose = self._substitutes.__getitem__, self.transpose  # type: ignore[attr-defined]
        before: list[float] = []
        previous = [0.0]
        for cost in drop_b:
            previous.append(previous[-1] + cost)
        for i, ca in enumerate(a):
            drop = drop_a[i]
            current = [previous[0] + drop]
            for j, cb in enumerate(b):
                best = previous[j] + (0.0 if ca == cb else substitute((ca, cb)))
                best = min(best, previous[j + 1] + drop, current[j] + drop_b[j])
                if i and j and ca == b[j - 1] and a[i - 1] == cb and ca != cb:
                    best = min(best, before[j - 1] + transpose)
                current.append(best)
            before, previous = previous, current
        return previous[-1]

    def similarity(self, a: str, b: str) -> float:
        longest = max(self.weight(a), self.weight(b), 1.0)
        return max(0.0, 1.0 - self.distance(a, b) / longest)


class _Substitutes(dict[tuple[str, str], float]):
    """Memoised ``Costs.substitute`` for the edit distance's inner loop."""

    def __init__(self, costs: Costs):
        super().__init__()
        self._costs = costs

    def __reduce__(self) -> tuple[type[_Substitutes], tuple[Costs]]:
        return (_Substitutes, (self._costs,))  # a memo: it travels empty, so pickles do not grow

    def __missing__(self, pair: tuple[str, str]) -> float:
        cost = self[pair] = self._costs.substitute(*pair)
        return cost


class _Weights(dict[str, float]):
    """Memoised ``Costs.weight``: every token is scored against dozens of indexed forms, and
    the forms come back for every token (bounded: it starts afresh at 65,536 keys)."""

    def __init__(self, costs: Costs):
        super().__init__()
        self._costs = costs

    def __reduce__(self) -> tuple[type[_Weights], tuple[Costs]]:
        return (_Weights, (self._costs,))  # a memo: it travels empty, so pickles do not grow

    def __missing__(self, key: str) -> float:
        if len(self) >= 1 << 16:
            self.clear()
        weight = self[key] = self._costs._weight(key)
        return weight


class _FormKeys(dict[str, str]):
    """Memoised ``Romanisation.form_key`` (bounded: it starts afresh at 65,536 forms)."""

    def __init__(self, romanisation: Romanisation):
        super().__init__()
        self._romanisation = romanisation

    def __reduce__(self) -> tuple[type[_FormKeys], tuple[Romanisation]]:
        return (_FormKeys, (self._romanisation,))  # a memo: it travels empty

    def __missing__(self, form: str) -> str:
        if len(self) >= 1 << 16:
            self.clear()
        key = self[form] = self._romanisation._form_key(form)
        return key


class Romanisation:
    """The romanisation correspondences of ``romanisation.yaml``, applied to spellings."""

    def __init__(self, data: dict[str, Any]):
        self.letters: dict[str, str] = dict(data["letters"])
        # deleted when folding: every apostrophe mark the scanner reads as one, and the
        # file's own (ʹ, the soft sign of some transliterations)
        marks: str = data["marks"]
        self.marks = marks + "".join(c for c in APOSTROPHES if c not in marks)
        self.rules: tuple[Rule, ...] = tuple(_rule(r) for r in data["rules"])
        self._subs = tuple((r.pattern.sub, r.replace) for r in self.rules)
        #: each rule's expression, with the letters one of which its every match reads (or
        #: None): a word without any of them is left as it is (see :meth:`key`)
        self._needing = tuple(
            (r.pattern.sub, r.replace, needed_letters(r.pattern)) for r in self.rules
        )
        self._form_keys = _FormKeys(self)
        self.costs = Costs.from_data(data["costs"])
        self.generic: frozenset[str] = frozenset(data.get("generic", ()))
        self.suffixes: tuple[str, ...] = tuple(sorted(data["suffixes"], key=len, reverse=True))
        self._particle = re.compile(rf"^{alternation(ARABIC_ARTICLES)}[\s\-]+(?=[^\W\d_])")
        izafe = data["joiners"]["izafe"]
        self._izafe = re.compile(izafe["pattern"])
        self._izafe_replace: str = izafe["replace"]
        self._table = str.maketrans({**self.letters, **dict.fromkeys(self.marks, "")})
        self._drop_vowels = str.maketrans(dict.fromkeys(self.costs.vowels, None))
        coarse = data["coarse"]
        self._coarse = str.maketrans({**coarse["merge"], **dict.fromkeys(coarse["drop"])})
        other = data.get("other_languages") or {}
        #: wordfreq languages outside the table's world, and the score a candidate attested
        #: as a word of one of them needs (see :func:`normalise.evidence.other_language`)
        self.other_languages: tuple[str, ...] = tuple(other.get("languages", ()))
        self.other_language_score: float = float(other.get("score", 0.0))
        #: letter sequences of other orthographies: (name, pattern, score or None: never)
        self.other_spellings: tuple[tuple[str, re.Pattern[str], float | None], ...] = tuple(
            (
                rule["name"],
                re.compile(rule["pattern"]),
                None if rule.get("score") is None else float(rule["score"]),
            )
            for rule in other.get("spellings", ())
        )

    @classmethod
    def load(cls, path: Path = ROMANISATION_PATH) -> Romanisation:
        import yaml  # here: a run without the matcher does not import it (issue 17)

        with open(path, encoding="utf-8") as f:
            return cls(yaml.safe_load(f))

    def fold(self, text: str) -> str:
        """Lower case, special letters spelt out, marks deleted, diacritics removed."""
        text = text.lower().translate(self._table)
        if text.isascii():
            return text  # NFKD leaves ASCII as it is, and no ASCII character combines
        decomposed = unicodedata.normalize("NFKD", text)
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    def words(self, form: str) -> tuple[str, list[str]]:
        """A form folded into one word (particle dropped, izafe kept as a vowel) and its words."""
        folded = self.fold(form)
        if folded.isalpha():
            # letters only: no space or hyphen, so no particle, izafe or separator to find
            return folded, [folded]
        folded = self._particle.sub("", folded.strip())
        joined = _SEPARATORS.sub("", self._izafe.sub(self._izafe_replace, folded))
        words = [w for w in _SEPARATORS.split(self._izafe.sub(" ", folded)) if w]
        return joined, words

    def without_generic(self, form: str) -> tuple[str, str] | None:
        """A multi-word form without its generic words (Bandar-e Deylam: Deylam), folded and
        joined, with the words left as written; None if it has no generic word or only those."""
        words = _SEPARATORS.split(self._izafe.sub(" ", form.strip()))
        kept = [w for w in words if w and self.fold(w) not in self.generic]
        if not kept or len(kept) == len(words):
            return None
        rest = " ".join(kept)
        return self.words(rest)[0], rest

    #: the rules in C (``_core.SpellingRules``) once asked on the compiled core; False: the
    #: rules hold a construct C does not (every key is then made by ``re``); never pickled
    _compiled_rules: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_compiled_rules"}

    def key(self, word: str) -> str:
        """The spelling key of one folded word: every rule applied in order.

        On the compiled core the rules run in C (:meth:`compiled_rules`), each compiled from
        Python's own parse of its expression, for words of the characters 0-255; a longer
        word or one with another character, and every word when a rule holds a construct the
        C matcher lacks, is keyed here by ``re`` (:meth:`regex_key`, the reference)."""
        if edit_distance() is not None:
            rules = self._compiled_rules
            if rules is None:
                rules = self.compiled_rules()
            if rules:
                found = rules.key(word)
                if found is not None:
                    return found  # type: ignore[no-any-return]
        return self.regex_key(word)

    def compiled_rules(self) -> Any:
        """The rules in C (``_core.SpellingRules``, made once), or False when one of them
        holds a construct it does not (see ``_core.spelling_program``)."""
        if self._compiled_rules is None:
            try:
                self._compiled_rules = compiled_module().SpellingRules(
                    [
                        (r.pattern, r.replace, needed)
                        for r, (_s, _r, needed) in zip(self.rules, self._needing, strict=True)
                    ]
                )
            except ValueError:
                self._compiled_rules = False
        return self._compiled_rules

    def regex_key(self, word: str) -> str:
        """:meth:`key` by ``re``: a rule whose every match reads one of a few letters
        (:func:`needed_letters`) is not tried on a word that has none of them: it cannot
        change it (most words lack most of the letters the rules are about: q, x, kh, dj ...).
        :meth:`reference_key` tries every rule."""
        present = set(word)
        for sub, replace, needed in self._needing:
            if needed is not None and needed.isdisjoint(present):
                continue
            rewritten = sub(replace, word)
            if rewritten != word:
                word = rewritten
                present = set(word)
        return word

    def reference_key(self, word: str) -> str:
        """:meth:`key` with every rule tried on every word (the reference of its skips)."""
        for sub, replace in self._subs:
            word = sub(replace, word)
        return word

    def form_key(self, form: str) -> str:
        """The spelling key of a whole form, as written (multi-word forms joined; memoised:
        a token's key is asked by the gate's inflection check and again by the ranking)."""
        return self._form_keys[form]

    def _form_key(self, form: str) -> str:
        return self.key(self.words(form)[0])

    def stems(self, token: str) -> list[tuple[str, str]]:
        """(stem, suffix) for each name-making suffix a token ends with, stem 3+ letters long."""
        lower = token.lower()
        return [
            (token[: -len(s)], s)
            for s in self.suffixes
            if lower.endswith(s) and len(token) - len(s) >= 3
        ]

    def skeleton(self, key: str) -> str:
        """The consonants of a key, with a leading and a final vowel marked (index only)."""
        if not key:
            return ""
        vowels = self.costs.vowels
        head = "a" if key[0] in vowels else ""
        tail = key[-1] if key[-1] in vowels else ""
        return head + key.translate(self._drop_vowels) + tail

    def coarse(self, skeleton: str) -> str:
        """A skeleton with near letters merged and weak letters dropped (index only)."""
        return _REPEATS.sub(r"\1", skeleton.translate(self._coarse))

    def fired(self, word: str) -> list[str]:
        """Names of the rules that change a folded word, in order (for tests and explain)."""
        names = []
        for rule in self.rules:
            rewritten = rule.apply(word)
            if rewritten != word:
                names.append(rule.name)
            word = rewritten
        return names


#: English letters, least frequent first: of the letter sets a pattern needs, the rarest
#: skips the rule for the most words
_RARE_FIRST = "zqxjkvbpygfwmucldrhsnioate"


def needed_letters(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters one of which every match of ``pattern`` reads (consumes, or looks at
    through a positive lookaround), or None when the expression does not say (a negated
    class, a category, a flag, ...): a string holding none of them has no match. Read from
    the parsed expression, so that it holds for every string, not only the words tested."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return None
    import importlib

    try:
        parser: Any = importlib.import_module("re._parser")  # Python 3.11 and later
    except ImportError:  # pragma: no cover - Python 3.10
        parser = importlib.import_module("sre_parse")
    try:
        parsed = parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - a pattern re compiled parses again
        return None
    return _sequence_needs(list(parsed), parser)


def _rarity(letters: frozenset[str]) -> int:
    return sum(_RARE_FIRST.find(c) + 1 if c in _RARE_FIRST else 27 for c in letters)


def _sequence_needs(items: list[Any], parser: Any) -> frozenset[str] | None:
    """What a sequence needs: what any one of its items needs (the rarest)."""
    found = [n for n in (_item_needs(op, av, parser) for op, av in items) if n is not None]
    return min(found, key=_rarity) if found else None


def _item_needs(op: Any, av: Any, parser: Any) -> frozenset[str] | None:
    constants = parser
    if op is constants.LITERAL:
        return frozenset(chr(av))
    if op is constants.IN:
        letters: set[str] = set()
        for kind, value in av:
            if kind is constants.LITERAL:
                letters.add(chr(value))
            elif kind is constants.RANGE and value[1] - value[0] < 64:
                letters.update(map(chr, range(value[0], value[1] + 1)))
            else:
                return None  # a negation, a category, a wide range
        return frozenset(letters)
    if op in (constants.MAX_REPEAT, constants.MIN_REPEAT):
        low, _high, sub = av
        return _sequence_needs(list(sub), parser) if low >= 1 else None
    if op is constants.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _sequence_needs(list(sub), parser)
    if op is constants.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            needs = _sequence_needs(list(branch), parser)
            if needs is None:
                return None
            union |= needs
        return frozenset(union)
    if op is constants.ASSERT:  # a positive lookaround reads the string too
        return _sequence_needs(list(av[1]), parser)
    return None


def _rule(data: dict[str, Any]) -> Rule:
    return Rule(
        name=data["name"],
        doc=data["doc"],
        pattern=re.compile(data["pattern"]),
        replace=data["replace"],
        pairs=tuple(tuple(p) for p in data.get("pairs", ())),
    )


@functools.cache
def default_romanisation() -> Romanisation:
    return Romanisation.load()


@functools.cache
def _zipf_frequency() -> Any:
    import wordfreq  # ~0.2 s to import and load the English list: only when a gate needs it

    return wordfreq.zipf_frequency


@functools.lru_cache(maxsize=1 << 16)
def english_zipf(word: str) -> float:
    """Zipf frequency of a word in English (wordfreq); 0 for a word it has never seen.

    Cached (bounded): every chunk of a corpus asks again for the same capitalised words. A
    word of the ASCII letters only is answered by :func:`plain_zipf`."""
    lower = word.lower()
    if lower.isascii() and lower.isalpha():
        return plain_zipf(lower)
    zipf: float = _zipf_frequency()(lower, "en")
    return zipf


def plain_zipf(lower: str) -> float:
    """``wordfreq.zipf_frequency(lower, "en")`` of a lower-case word of the letters a-z,
    without importing wordfreq or its tokenizer: such a word is its own one token, so
    wordfreq's answer depends only on the bucket of its list that holds the word, read once
    into the cache (:mod:`normalise.english`)."""
    return english_frequencies().zipf(lower)


@functools.cache
def common_english_words(zipf: float) -> frozenset[str]:
    """The lower-case ASCII words whose English Zipf frequency (:func:`english_zipf`) is at
    least ``zipf``: about 32,000 at 2.9, the most frequent buckets of wordfreq's list
    (:meth:`~normalise.english.EnglishFrequencies.common`)."""
    return english_frequencies().common(zipf)


def score_keys(a: str, b: str, costs: Costs) -> float:
    """The score of the module docstring, between two spelling keys (1 when they are equal
    once the vowels of ``same`` are merged)."""
    plain_a, plain_b = costs.plain(a), costs.plain(b)
    if plain_a == plain_b:
        return 1.0
    return W_JARO_WINKLER * jellyfish.jaro_winkler_similarity(
        plain_a, plain_b
    ) + W_EDIT * costs.similarity(a, b)


def _one_per_entry(ranked: list[Candidate], limit: int) -> list[Candidate]:
    """The first (best) candidate of each entry, whole forms before words on a tie."""
    kept: dict[str, Candidate] = {}
    for candidate in ranked:
        if len(kept) == limit:
            break
        kept.setdefault(candidate.entry, candidate)
    return list(kept.values())


#: the most W_JARO_WINKLER * jaro_winkler_similarity can add (the similarity is at most 1;
#: the slack covers the last bit of a float that rounds up)
_JARO_WINKLER_MOST: float = W_JARO_WINKLER * 1.0 + 1e-9
_CUT_EVERY: int = 8  # forms scored between two updates of the ranking's cut


def _cut(best: dict[tuple[int, bool], tuple[float, int]]) -> float:
    """A score below which a form cannot change ``_decide``'s decision, from the best scores so
    far of each (entry, word-or-whole): the lower of the ``MAX_CANDIDATES``-th entry's best
    (a form below it cannot enter or reorder the candidates list, nor displace the best) and
    the second entry's best whole form (nor change the runner-up of the margin). Both only
    rise as forms are scored: a cut from part of the forms holds for all; -1 when unknown."""
    entry_best: dict[int, float] = {}
    wholes: list[float] = []
    for (entry, part), (score, _number) in best.items():
        if score > entry_best.get(entry, -1.0):
            entry_best[entry] = score
        if not part:
            wholes.append(score)
    if len(entry_best) < MAX_CANDIDATES or len(wholes) < 2:
        return -1.0
    fifth = heapq.nlargest(MAX_CANDIDATES, entry_best.values())[-1]
    return min(fifth, heapq.nlargest(2, wholes)[-1])


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def _coarse_keys(coarse: str) -> tuple[str, ...]:
    """A coarse skeleton and its deletions: none under three letters (they find anything),
    no deletions under four."""
    if len(coarse) < 3:
        return ()
    return (coarse, *_deletions(coarse)) if len(coarse) >= 4 else (coarse,)


def is_phonetic_name(entry: Entry, kinds: Collection[str]) -> bool:
    """Whether the phonetic matcher reads unseen spellings as ``entry``: a name of one of
    ``kinds``, not case-sensitive, and not ``phonetic: false``."""
    return entry.kind in kinds and not entry.case_sensitive and entry.phonetic


#: From this many index keys on, a matcher built on the compiled core keeps its index as a
#: ``_core.KeyTable``'s buffers and its forms' records in its pickle (:meth:`PhoneticMatcher.
#: _key_table`): at 100,000 variants (1.1 M keys) reading them back saves 5-10 us a new token;
#: the default table (about 8,000 keys) would only grow its pickle by 0.23 MB (69 %).
KEEP_INDEX_KEYS = 65_536


class _Form(NamedTuple):
    entry: int
    form: str
    key: str
    part: bool


class PhoneticMatcher:
    """Finds the table entry an unseen spelling belongs to, or refuses (see module docstring)."""

    #: skip the forms that cannot change a decision (the same decisions; False: score all,
    #: the reference the differential test compares with)
    prune_ranking: bool = True

    def __init__(
        self,
        entries: Iterable[tuple[str, Sequence[str]]],
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        margin: float = DEFAULT_MARGIN,
        protected: Iterable[str] = (),
        common_word_zipf: float = COMMON_WORD_ZIPF,
        known_word_penalty: float = KNOWN_WORD_PENALTY,
    ):
        self.min_score = min_score
        self.margin = margin
        self.common_word_zipf = common_word_zipf
        self.known_word_penalty = known_word_penalty
        self.romanisation = default_romanisation()
        self._protected = frozenset(protected)
        self._entries: list[str] = []
        self._known: dict[str, str] = {}  # exact known form -> its entry
        self._known_words: dict[str, str] = {}  # exact word of a multi-word form -> its entry
        self._bare_words: set[str] = set()  # what is left of a multi-word form without generics
        self._forms: list[_Form] = []
        self._index: dict[str, list[int]] = {}
        self._whole_keys: dict[str, str] = {}  # spelling key of a whole form -> its entry
        self._cache: dict[tuple[str, bool], Decision] = {}
        #: index number of a form -> its key with the ``same`` vowels merged and the key's
        #: weight (filled as met)
        self._plain_forms: dict[int, tuple[str, float]] = {}
        self._distance_table: Any = None  # _core.DistanceTable of the costs, made when asked
        self._compiled_ranker: Any = None  # _core.Ranker of the forms, made when asked
        #: the matcher a :meth:`view` is of (its ranker serves both), else None
        self._ranker_of: PhoneticMatcher | None = None
        self._build(entries)
        #: the index as ``_core.KeyTable``'s buffers, whole forms first (:meth:`_key_table`),
        #: kept with the matcher: one read back makes only the hash, not the index's reading
        self._key_table_state: Any = None
        #: the compiled ranking's record of each form (``_core.Ranker.records``), kept with the
        #: matcher: a ranker of a matcher read back reads no form's tuple on first use
        self._form_records: Any = None
        if len(self._index) >= KEEP_INDEX_KEYS:  # a smaller index reads itself quickly
            self._key_table_state = self._key_table()
            ranker = self._ranker()
            self._form_records = ranker.records() if ranker is not None else None
        self._compiled_ranker = None  # made when first asked (as in a matcher read back)

    @classmethod
    def for_entries(
        cls,
        entries: Iterable[Entry],
        kinds: Collection[str],
        *,
        min_score: float | None = None,
        margin: float | None = None,
    ) -> PhoneticMatcher:
        """The matcher of a table's entries: those of ``kinds`` that are neither case-sensitive
        nor ``phonetic: false`` are the names it matches; every form of the others is protected
        (never a candidate's target, never rewritten). None means the default score or margin."""
        entries = list(entries)

        def named(entry: Entry) -> bool:
            return is_phonetic_name(entry, kinds)

        return cls(
            [(e.canonical, e.forms) for e in entries if named(e)],
            protected=[f for e in entries if not named(e) for f in e.forms],
            min_score=DEFAULT_MIN_SCORE if min_score is None else min_score,
            margin=DEFAULT_MARGIN if margin is None else margin,
        )

    def view(self, *, common_word_zipf: float, known_word_penalty: float) -> PhoneticMatcher:
        """A copy with other English gates that shares this matcher's index, forms and
        compiled ranking (:meth:`_ranker`: the ranking reads no gate, and a ranker read back
        from the cache costs a few milliseconds at 100,000 variants to make), not its
        decisions."""
        import copy

        view = copy.copy(self)
        if "_index" in self.__dict__:  # left out of the copy's state when the table holds it
            view._index = self._index
        view._cache = {}
        view.common_word_zipf = common_word_zipf
        view.known_word_penalty = known_word_penalty
        view._ranker_of = self
        return view

    def __getstate__(self) -> dict[str, Any]:
        state = {
            **self.__dict__,
            "_cache": {},
            "_plain_forms": {},
            "_distance_table": None,
            "_compiled_ranker": None,
        }
        if keeps_every_key(self._key_table_state):  # the kept table holds the index
            state.pop("_index", None)
        return state

    if not TYPE_CHECKING:  # (mypy would read every unknown attribute as Any)

        def __getattr__(self, name: str) -> Any:
            """``_index`` of a matcher read back without it, made on first use from the
            kept table (the compiled ranking and the token screen probe the table instead:
            :mod:`normalise.flat_index`); a view's is its matcher's."""
            kept = self.__dict__.get("_key_table_state")
            if name != "_index" or kept is None:
                raise AttributeError(name)
            owner = self.__dict__.get("_ranker_of")
            if owner is not None and owner.__dict__.get("_key_table_state") is kept:
                index = owner._index
            else:
                index = index_of_state(kept)
            self.__dict__["_index"] = index
            return index

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_plain_forms", {})  # a matcher pickled before it had one
        self.__dict__.setdefault("_distance_table", None)
        self.__dict__.setdefault("_compiled_ranker", None)
        self.__dict__.setdefault("_ranker_of", None)
        self.__dict__.setdefault("_key_table_state", None)
        self.__dict__.setdefault("_form_records", None)

    # -- building ---------------------------------------------------------------------------

    def _build(self, entries: Iterable[tuple[str, Sequence[str]]]) -> None:
        ids: dict[str, int] = {}
        seen: set[tuple[int, str, bool]] = set()
        keys: dict[str, str] = {}  # folded word -> spelling key, shared by the whole build
        for canonical, forms in entries:
            if canonical not in ids:
                ids[canonical] = len(self._entries)
                self._entries.append(canonical)
            entry = ids[canonical]
            for form in (canonical, *forms):
                self._known.setdefault(form, canonical)
                for word, part in self._form_words(form, canonical):
                    key = keys.get(word)
                    if key is None:
                        key = keys[word] = self.romanisation.key(word)
                    if (entry, key, part) not in seen:
                        seen.add((entry, key, part))
                        self._add(_Form(entry, form, key, part))
                    if not part:
                        self._whole_keys.setdefault(self.romanisation.costs.plain(key), canonical)

    def _form_words(self, form: str, canonical: str) -> list[tuple[str, bool]]:
        """The folded words a form is indexed by: itself joined, and each word if several."""
        joined, words = self.romanisation.words(form)
        if len(words) < 2:
            return [(joined, False)]
        found = [(joined, False), *((w, True) for w in words if len(w) >= MIN_LETTERS)]
        bare = self.romanisation.without_generic(form)
        if bare and bare[0] != joined and len(bare[0]) >= MIN_LETTERS:
            found.append((bare[0], False))
            self._bare_words.update(w for w in _SEPARATORS.split(bare[1]) if w)
        for word in _SEPARATORS.split(form):
            self._known_words.setdefault(word, canonical)
        return found

    def _add(self, form: _Form) -> None:
        if len(form.key) > MAX_TOKEN_CHARS:
            return  # no token that long is looked up
        number = len(self._forms)
        self._forms.append(form)
        index = self._index
        for key in self._lookup_keys(form.key):
            bucket = index.get(key)
            if bucket is None:
                index[key] = [number]
            else:
                bucket.append(number)

    def _key_table(self) -> Any:
        """``(state, forms, index keys)`` of the index's ``_core.KeyTable`` made with the
        forms' parts (each bucket's whole forms first), its hash's slots included, when the
        compiled core runs, else None. The token screen restores it (``KeyTable.restored``:
        checked, the keys not hashed again) when the forms and keys agree."""
        if edit_distance() is None:
            return None
        parts = bytes(1 if form.part else 0 for form in self._forms)
        module = compiled_module()
        try:  # every key: the pickle leaves the index out (:mod:`normalise.flat_index`)
            table = module.KeyTable(self._index, parts, True)
        except ValueError:  # a bucket that does not ascend: the ASCII keys, the index kept
            table = module.KeyTable(self._index, parts)
        return table.state(), len(self._forms), len(self._index)

    def _lookup_keys(self, key: str) -> set[str]:
        key = self.romanisation.costs.plain(key)
        skeleton = self.romanisation.skeleton(key)
        coarse = self.romanisation.coarse(skeleton)
        keys = {skeleton, *_deletions(skeleton), *("c:" + k for k in _coarse_keys(coarse))}
        metaphone = jellyfish.metaphone(key)
        if metaphone:  # empty for other scripts: a key that would find every such form
            keys.add("m:" + metaphone)
        return keys

    # -- matching ---------------------------------------------------------------------------

    def similarity(self, a: str, b: str) -> float:
        """The score between two spellings (whole forms; multi-word forms are joined)."""
        if max(len(a), len(b)) > MAX_TOKEN_CHARS:
            return 0.0
        key = self.romanisation.form_key
        return score_keys(key(a), key(b), self.romanisation.costs)

    def candidates(self, token: str, limit: int = MAX_CANDIDATES) -> list[Candidate]:
        """The best-scoring form of each entry the index finds for a token, best first; no gates."""
        return _one_per_entry(self._ranked(token), limit)

    def _ranked(self, token: str, *, prune: bool = False) -> list[Candidate]:
        """The best whole form and the best word match of each entry found, best first.

        ``prune``: skip the Jaro-Winkler score of a form that cannot matter to ``_decide``
        (see :func:`_cut`); the list is then exact down to the ``MAX_CANDIDATES``-th entry
        and the runner-up whole form, and may be wrong or short below them. On the compiled
        core a pruned ranking runs in C (:meth:`_ranker`); this code is its reference."""
        if len(token) > MAX_TOKEN_CHARS:
            return []
        key = self.romanisation.form_key(token)
        if prune:
            ranker = self._ranker()
            ranked = None if ranker is None else ranker.rank(key)
            if ranked is not None:
                return ranked  # type: ignore[no-any-return]
        best: dict[tuple[int, bool], tuple[float, int]] = {}  # -> score, number of the form
        costs = self.romanisation.costs
        # score_keys(key, form.key, costs) with the token's parts computed once (the same
        # operations in the same order: the same floats)
        plain_key, weight_key, weight = costs.plain(key), costs.weight(key), costs.weight
        most = W_EDIT + _JARO_WINKLER_MOST  # what a form whose edit similarity is 1 can reach
        distance = self._distance(costs)
        jaro, plains, forms = jellyfish.jaro_winkler_similarity, self._plain_forms, self._forms
        cut, scored = -1.0, 0  # a form scoring below cut cannot matter (-1: every form can)
        for number in self._matches(key):
            form = forms[number]
            known = plains.get(number)
            if known is None:
                known = plains[number] = (costs.plain(form.key), weight(form.key))
            plain_form, weight_form = known
            if plain_form == plain_key:
                score = 1.0
            elif most < cut:
                continue  # nothing but an equal key reaches the cut
            else:
                longest = max(weight_key, weight_form, 1.0)
                edit = W_EDIT * max(0.0, 1.0 - distance(key, form.key) / longest)
                if edit + _JARO_WINKLER_MOST < cut:
                    continue  # even a Jaro-Winkler of 1 leaves it below the cut
                score = W_JARO_WINKLER * jaro(plain_key, plain_form) + edit
            held = best.get((form.entry, form.part))
            if held is None or score > held[0] or (score == held[0] and number < held[1]):
                best[form.entry, form.part] = (score, number)  # a tie: the first form indexed
            if prune:
                scored += 1
                if scored % _CUT_EVERY == 0:
                    cut = _cut(best)
        entries = self._entries
        ranked = [
            Candidate(entries[entry], forms[number].form, score, part)
            for (entry, part), (score, number) in best.items()
        ]
        return sorted(ranked, key=lambda c: (-c.score, c.part, c.entry))

    def _distance(self, costs: Costs) -> Callable[[str, str], float]:
        """``costs.distance`` as the ranking calls it: on the compiled core, from a table of
        the costs of the letters a-z (``_core.table_distance``, the same floats), else the
        reference."""
        compiled = edit_distance()
        if compiled is None:
            return costs.distance
        from .core import compiled_module

        module = compiled_module()
        if self._distance_table is None:
            self._distance_table = module.DistanceTable(costs)
        return functools.partial(
            module.table_distance,
            self._distance_table,
            fallback=functools.partial(compiled, costs),
        )

    def _ranker(self) -> Any:
        """The ranking of ``_ranked(prune=True)`` in C (``_core.Ranker``, the same candidates
        as far as ``_decide`` reads them) when the compiled core runs, else None; made the
        first time it is asked, never pickled."""
        compiled = edit_distance()
        if compiled is None:
            return None
        owner = self._ranker_of
        if (
            owner is not None
            and owner._forms is self._forms
            and owner._entries is self._entries
            and owner._index_held() is self._index_held()
            and owner.romanisation is self.romanisation
        ):
            return owner._ranker()  # a view's forms: its matcher's ranking
        ranker = self._compiled_ranker
        if ranker is False:
            return None  # rules whose letter maps C cannot hold: the reference ranks
        if ranker is None or ranker.size != len(self._forms):
            from .core import compiled_module

            module = compiled_module()
            if self._distance_table is None:
                self._distance_table = module.DistanceTable(self.romanisation.costs)
            constants = (W_JARO_WINKLER, W_EDIT, _JARO_WINKLER_MOST, MAX_CANDIDATES)
            try:
                ranker = module.Ranker(
                    self._forms,
                    self._entries,
                    self._index_for_ranking(module),
                    self.romanisation,
                    self._distance_table,
                    functools.partial(compiled, self.romanisation.costs),
                    Candidate,
                    constants,
                )
            except ValueError:  # a plain or coarse letter that is not one letter a-z
                self._compiled_ranker = False
                return None
            records = self.__dict__.get("_form_records")
            if records is not None:
                try:
                    ranker.restore(records)
                except ValueError:  # not made for these forms: each is read when met
                    self._form_records = None
            self._compiled_ranker = ranker
        return ranker

    def _index_held(self) -> Any:
        """What holds the index the compiled ranking reads, without making it: the kept
        table's state when it holds every key, else the dict (either shared by a view and
        its matcher)."""
        kept = self._key_table_state
        return kept if keeps_every_key(kept) else self._index

    def _index_for_ranking(self, module: Any) -> Any:
        """The index as the compiled ranking reads it: the kept ``KeyTable`` of every key,
        restored (checked), whether the dict was made or not (one path for a matcher built
        here and one read back); else the dict."""
        kept = self._key_table_state
        if keeps_every_key(kept):
            state, forms, keys = kept
            try:
                table = module.KeyTable.restored(state, forms)
            except ValueError:  # not made by this code: the dict, made from it if need be
                return self._index
            if forms == len(self._forms) and len(table) == keys and table.keeps_every_key:
                return table
        return self._index

    def _matches(self, key: str) -> set[int]:
        """The forms the index holds under any of the key's look-up keys: in the dict when
        there is one, else in the compiled ranking's table of every key (a matcher read back
        does not make the dict for ``check``: 1-2 s at 100,000 variants)."""
        found: set[int] = set()
        ranker = self._ranker() if "_index" not in self.__dict__ else None
        table = None if ranker is None else ranker.flat_table
        look_up = self._index.get if table is None else table.bucket
        for lookup in self._lookup_keys(key):
            found.update(look_up(lookup) or ())
        return found

    def decide(self, token: str, *, sentence_initial: bool = False) -> Decision:
        """Whether to rewrite a token, to what, and why (cached per token and position)."""
        cache_key = (token, sentence_initial)
        decision = self._cache.get(cache_key)
        if decision is None:
            decision = self._decide(token, sentence_initial)
            if len(self._cache) >= MAX_CACHED_DECISIONS:
                self._cache.clear()  # bounded memory on any corpus; names that repeat return
            self._cache[cache_key] = decision
        return decision

    def _decide(self, token: str, sentence_initial: bool) -> Decision:
        refusal = self.gate(token, sentence_initial)
        if refusal:
            return Decision(token, None, (), refusal.reason, refusal.verdict)
        threshold = self.required_score(token)
        if threshold > 1.0:
            return Decision(
                token,
                None,
                (),
                f"English word: needs a score of {threshold:.2f}",
                Verdict.ENGLISH_WORD,
            )
        ranked = self._ranked(token, prune=self.prune_ranking)
        winner, verdict, reason = self._choose(ranked, threshold)
        candidates = tuple(_one_per_entry(ranked, MAX_CANDIDATES))
        return Decision(token, winner, candidates, reason, verdict)

    def may_act(self, token: str) -> bool:
        """False only when the decision on ``token`` within a sentence can have no winner and
        no ambiguity, proved without making it: the gate refuses the token, no score is
        enough, or no whole form the ranking finds reaches the score it needs (on the
        compiled core: ``_core.reaches``, the ranking's own scores). True otherwise, and
        always on the Python core (the decision then says)."""
        ranker = self._ranker()
        if ranker is None:
            return True
        # the gate's checks within a sentence (:meth:`gate`), the inflection check (keys of
        # the token's stems) last: each is a condition of acting, so the order cannot change
        # the answer, and most tokens fail at the ranking
        if self._form_refusal(token) is not None or english_zipf(token) >= self.common_word_zipf:
            return False
        threshold = self.required_score(token)
        if threshold > 1.0:
            return False
        reached = compiled_module().reaches(ranker, self.romanisation.form_key(token), threshold)
        return reached is not False and self._inflection(token) is None

    def threshold(self, token: str) -> float:
        """The score a token's best candidate needs as a spelling: ``min_score``, more for
        short tokens."""
        letters = _letters(token)
        return self.min_score + SHORT_PENALTY * max(0, SHORT_LETTERS - letters)

    def required_score(self, token: str) -> float:
        """The score ``decide`` requires: ``threshold``, or, if more, ``min_score`` plus
        ``known_word_penalty`` per unit of the token's English Zipf frequency (above 1: never)."""
        known = self.known_word_penalty * english_zipf(token) if self.known_word_penalty else 0.0
        return max(self.threshold(token), self.min_score + known)

    def is_known(self, form: str) -> bool:
        """Whether ``form`` is, exactly as written, a form of an entry of the matcher."""
        return form in self._known

    def is_protected(self, form: str) -> bool:
        """Whether ``form`` is a form of an entry the matcher must never rewrite to (another
        kind, case-sensitive, or ``phonetic: false``)."""
        return form in self._protected

    def gate(self, token: str, sentence_initial: bool = False) -> Refusal | None:
        """Why a token must not be rewritten whatever it matches, or None when it may be
        (``suggest`` counts the spellings this lets through as candidates)."""
        refusal = self._form_refusal(token)
        if refusal is not None:
            return refusal
        zipf = english_zipf(token)
        if sentence_initial and zipf > 0:
            return Refusal(Verdict.SENTENCE_INITIAL_WORD, "sentence-initial English word")
        if zipf >= self.common_word_zipf:
            return Refusal(Verdict.COMMON_WORD, "common English word")
        return self._inflection(token)

    def _form_refusal(self, token: str) -> Refusal | None:
        """The gate's checks of the spelling itself and of the table, before English."""
        if len(token) > MAX_TOKEN_CHARS:
            return Refusal(
                Verdict.TOO_LONG, f"longer than {MAX_TOKEN_CHARS} characters: not a name"
            )
        if _POSSESSIVE.search(token):
            return Refusal(Verdict.POSSESSIVE, "possessive: match the name without 's")
        if not _NAME_LIKE.match(token):
            return Refusal(Verdict.NOT_NAME_LIKE, "not name-like")
        if _letters(token) < MIN_LETTERS:
            return Refusal(Verdict.TOO_SHORT, "too short")
        if token in self._known:
            return Refusal(Verdict.KNOWN_FORM, f"known form of {self._known[token]}")
        if token in self._protected:
            return Refusal(Verdict.PROTECTED, "protected")
        if token in self._known_words and token not in self._bare_words:
            return Refusal(
                Verdict.WORD_OF_KNOWN_FORM, f"word of a known form of {self._known_words[token]}"
            )
        return None

    def _inflection(self, token: str) -> Refusal | None:
        """Why a token is a known name plus a suffix that makes another word of it, or None.

        A token that spells a known form itself (Karachi, not Karach + i) is no inflection."""
        plain, key = self.romanisation.costs.plain, self.romanisation.form_key
        if plain(key(token)) in self._whole_keys:
            return None
        for stem, suffix in self.romanisation.stems(token):
            entry = self._whole_keys.get(plain(key(stem)))
            if entry:
                return Refusal(Verdict.INFLECTED, f"inflected form of {entry} (+{suffix})")
        return None

    def _choose(
        self, ranked: list[Candidate], threshold: float
    ) -> tuple[Candidate | None, Verdict, str]:
        if not ranked:
            return None, Verdict.NO_CANDIDATE, "no candidate"
        best = ranked[0]
        if best.part:
            return None, Verdict.WORD_ONLY, f"matches only a word of {best.entry}"
        if best.score < threshold:
            return (
                None,
                Verdict.BELOW_THRESHOLD,
                f"below threshold: {best.entry} {best.score:.2f} < {threshold:.2f}",
            )
        runner = next((c for c in ranked if not c.part and c.entry != best.entry), None)
        margin = best.score - (runner.score if runner else 0.0)
        needed = self.margin_needed(best.score)
        if runner and margin < needed:
            return (
                None,
                Verdict.AMBIGUOUS,
                f"ambiguous: {best.entry} {best.score:.2f} vs {runner.entry} {runner.score:.2f}",
            )
        return (
            best,
            Verdict.MATCH,
            f"score {best.score:.2f} >= {threshold:.2f} and margin {margin:.2f} >= {needed:.2f}",
        )

    def margin_needed(self, score: float) -> float:
        """How far a best candidate scoring ``score`` must lead every other entry.

        ``margin``, except that a runner-up at least ``MARGIN_RATIO`` times as far from the
        token as the best is far enough, and never less than ``EXACT_MARGIN`` ahead: a token
        that spells an entry exactly under the romanisation rules (score 1) needs only
        ``EXACT_MARGIN`` over an entry it only resembles."""
        return min(self.margin, max(EXACT_MARGIN, (MARGIN_RATIO - 1.0) * (1.0 - score)))
