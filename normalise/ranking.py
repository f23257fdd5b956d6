"""Which ``normalise suggest`` groups the texts support: evidence beyond similarity.

Two names a letter apart (Abimelech, Ahimelech; Shimei, Shimea) are as similar as two
spellings of one name (Uzza, Uzzah; Melchizedek, Melchisedec). Similarity cannot tell them
apart, so each group is weighed by what else the corpus and the spellings say; groups with
enough evidence come first, best first, and the others after them, marked (precision before
recall):

* **the kind of edit**: spellings of one name vary by vowels (Hiram, Huram), doubled letters
  (Fausset, Faussett), an h (Uzza, Uzzah; Ashkelon, Askelon) and letter pairs that write one
  sound (c/k, ph/f, s/z, i/j/y, u/v/w, ae/e, ch/k); a changed or added consonant outside those
  pairs usually makes another name (Abimelech, Ahimelech), a syllable added at either end
  another word (Zalmon, Zalmonah; Homiletic, Homiletical), and one stem with the endings of two
  ranks of a classification two taxa (Ginkgophyta, Ginkgophytina); Cyrillic and Greek letters
  are read by their romanisation (:mod:`normalise.alphabet`), and two Cyrillic spellings that
  romanise alike (Сэмюель, Сэмюэль) are one name transcribed two ways;
* **a gloss**: one spelling given as the other's ("Molech, or Moloch"), unless the two also
  share documents beyond the glosses: then the gloss records a doubt between two names
  ("a son of Dishan or Dishon");
* **the company they keep**: the other names in their sentences overlap (cosine of the
  neighbour counts), or one spelling has no neighbours and the texts cannot tell; a neighbour
  that is a third spelling of both (Pahlavi beside Pahlevi and Pehlevi) is a gloss each has
  of its own, not company;
* **their distribution**: spellings of one name fall in different documents (a writer keeps
  to one), while two names both occur in the same documents; two spellings a line to
  :data:`NEAR_LINES` lines apart in one document, never in one sentence, are neighbouring
  entries of a dictionary or items of a list (Jiphtah, Jiphthah; Tahapanes, Tahpenes);
* **where they stand**: a capital at the head of a sentence or an entry is no evidence of a
  name; a spelling never seen in mid-sentence may be a headword or any capitalised word
  (Chiram, Churam in Strong's dictionary; Peter, Pitier in Webster's), but a misprint seen once
  or twice may head a sentence by chance (Augstine signing a quotation), and is a headword
  only where it starts a line;
* **their counts**: a misprint or an old spelling is rare beside a common canonical form; a
  misprint (once or twice, in one document, a common spelling with a letter added, dropped or
  two swapped, its first letter kept) is too rare to keep company, so it makes up for having
  none;
* **how far apart**: spellings three or more letter edits apart, without a gloss, are two names
  sharing a stem (Jeshua, Jeshaiah);
* **citations**: two spellings both signed mostly under quotations ("--Brande & C.",
  "--Brende.") are two authors a letter apart, cited in the same kind of entry;
* **the same letters**: spellings that differ only in spaces, hyphens, apostrophes, diacritics
  or a ligature (Obed Edom, Obededom) are one name written apart or together;
* **English usage**: two spellings that wordfreq both knows are two names in their own right
  (Osborne, Osburn), which also costs a few true variants that English uses too (Taleban).

Each pair of a group's canonical form and one of its other spellings gets a score, the sum of
the weights below; a group's score is that of its weakest pair. Groups scoring below
:data:`MIN_EVIDENCE` are listed after the others with ``supported`` False: the top list holds
only groups with evidence of one name. The weights were set on corpora judged by hand (Treasury
of David and the World English Bible; the neighbouring lines, mid-sentence, citation and
no-company weights on the Bibles' dictionaries and Webster's; the misprint, distance,
same-letters and rank weights on all of those, fortunes, FOLDOC and the Jargon File; the
misprint at the head of a sentence and the third spelling on all of those, WordNet and the
Reina-Valera Bible of 1909), and measured on corpora held out from that (last, blind, the
fortune cookies of four other languages; ``benchmarks/results/suggest_precision.md``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from . import alphabet
from .proposals import Proposal

if TYPE_CHECKING:
    from .suggest import VariantDiscovery, _Counts

#: Letters that alternate freely between spellings of one name.
VOWELS = frozenset("aeiouy")
#: Letter pairs (either way round) that write one sound in different spellings of a name.
ALTERNATIONS = frozenset(
    frozenset(pair)
    for pair in (
        ("c", "k"),
        ("ch", "k"),
        ("c", "ch"),
        ("ck", "k"),
        ("q", "k"),
        ("qu", "k"),
        ("qu", "c"),
        ("kh", "k"),
        ("ph", "f"),
        ("s", "z"),
        ("c", "s"),
        ("z", "tz"),
        ("s", "sh"),
        ("t", "th"),
        ("x", "ks"),
        ("x", "cs"),
        ("j", "i"),
        ("j", "y"),
        ("i", "y"),
        ("u", "v"),
        ("u", "w"),
        ("v", "w"),
        ("ae", "e"),
        ("oe", "e"),
    )
)

#: Latin and Greek endings: a name with one and a name without are two words (Carthusian,
#: Carthusianus; Jehovah, Jehovæ), not two spellings.
LATIN_ENDINGS = frozenset({"us", "os", "um", "ae"})

#: Endings of the ranks of a biological classification (division, subdivision, class,
#: superfamily, family, subfamily, order, suborder, tribe): one stem with two of them names
#: two ranks (Ginkgophyta, Ginkgophytina), not two spellings.
RANK_ENDINGS = (
    "phytina",
    "phyta",
    "opsida",
    "oidea",
    "ineae",
    "aceae",
    "idae",
    "inae",
    "ales",
    "eae",
)

# Weights of the evidence (see the module docstring); a group needs MIN_EVIDENCE.
#: A consonant changed or added outside the alternations (per place where the spellings differ).
OTHER_CONSONANT = -1.0
#: Two or more letters, not all vowels, added at the start or the end (Zalmon, Zalmonah).
AFFIX = -2.0
#: One spelling glosses the other.
GLOSS = 3.0
#: Both have neighbouring names and at least CONTEXT_SHARED of them in common (cosine) ...
CONTEXT = 1.5
CONTEXT_SHARED = 0.35
#: ... or one of them has none: the texts cannot tell, and a distribution over documents and
#: a rare variant alone do not make a group (in a dictionary's parts they say little).
NO_CONTEXT = -1.5
#: A neighbour beside more than this share of the names is no company (From, Palestine in a
#: dictionary of names; the commonest in a Bible stand beside less than a fifth: Yahweh, Israel).
COMMON_NEIGHBOUR = 0.2
#: ... counted only among at least this many names with neighbours (a share of a handful of
#: names says nothing).
SPREAD_NAMES = 50
#: They share no document although chance would give them at least COMPLEMENTARY_EXPECTED.
COMPLEMENTARY = 1.0
COMPLEMENTARY_EXPECTED = 0.3
#: They share at least as many documents as chance would give them.
SHARED_DOCUMENTS = -0.5
#: The rarer spelling has at most RARE_SHARE of the commoner's count, which is RARE_BASE or more.
RARE = 1.0
RARE_SHARE = 0.1
RARE_BASE = 10
#: Both spellings are established in English, each at least this common (wordfreq Zipf):
#: two names in their own right (Julius, Julias; Osborne, Osburn; Jewitt, Jewett).
ESTABLISHED = -2.0
ESTABLISHED_ZIPF = 1.3
#: Per place beyond MANY_PLACES where the spellings differ (Burges, Burroughes).
MANY = -1.0
MANY_PLACES = 2
#: Seen at most this many lines apart in one document (and never on one line), never in one
#: sentence and without a gloss: neighbouring entries or list items, two names.
NEARBY = -1.5
NEAR_LINES = 3
#: A spelling never seen in mid-sentence (and no gloss): only capitalised at the head of a
#: sentence or an entry, which any word is (Pitier, Serye as headwords of a dictionary).
NEVER_MID = -1.0
#: Both spellings stand mostly (at least CITED_SHARE of their occurrences) as a citation's
#: signature: two authors.
CITED = -2.0
CITED_SHARE = 0.5
#: The spellings have the same letters and differ only in spaces, hyphens, apostrophes,
#: diacritics or a ligature (Obed Edom, Obededom; Hewlett-Packard, Hewlett Packard): one name
#: written apart or together, whatever company a multi-word name (none is counted) keeps.
SAME_LETTERS = 3.0
#: Cyrillic spellings that romanise alike (:func:`alphabet.romanised_alike`:
#: Сэмюель, Сэмюэль; Алфред, Альфред): one name transcribed two ways, whatever its place (a
#: quotation's signature, which CITED and NEVER_MID read as two authors) and company.
ROMANISED_ALIKE = 3.0
#: The spellings are at least DISTANT_EDITS letter edits apart (folded; a gloss excepted): two
#: names that share a stem and differ in a syllable (Jeshua, Jeshaiah; Hoshea, Hoshaiah).
DISTANT = -1.0
DISTANT_EDITS = 3
#: A misprint: the rarer spelling occurs at most MISPRINT_COUNT times, in one document, and is
#: a common spelling (RARE) with a letter added, dropped or two neighbouring letters swapped,
#: the first letter kept, no diacritic added, no English word (Nineveh, Nineve; Kernighan,
#: Kerninghan). It offsets NO_CONTEXT: a misprint is too rare to have company of its own.
MISPRINT = 1.5
MISPRINT_COUNT = 2
#: A neighbour a letter from one spelling and at most this many from the other is a third
#: spelling of them, and no company (:func:`_third_spelling`).
THIRD_SPELLING_EDITS = 2
#: The least score of a proposed group.
MIN_EVIDENCE = 1.0


@dataclass(frozen=True)
class PairEvidence:
    """What the corpus says of two spellings besides their similarity."""

    counts: tuple[int, int]
    glossed: bool = False
    #: Cosine of their neighbouring names; None when one of them has no neighbours.
    context: float | None = None
    #: Documents both occur in, and how many chance would give; None when not known.
    shared_docs: int | None = None
    expected_docs: float | None = None
    #: Seen 1 to NEAR_LINES lines apart in one document and never on one line (among the
    #: examples kept).
    nearby: bool = False
    #: One of them was only ever seen at the head of a sentence.
    never_mid: bool = False
    #: Both stand mostly as a citation's signature.
    cited: bool = False
    #: In how many documents each occurs (as ``counts``); None when not known.
    docs: tuple[int, int] | None = None
    #: How often each stands at the very start of a line (as ``counts``): a headword.
    headed: tuple[int, int] = (0, 0)


def _fold(form: str) -> str:
    """Letters only, lower case, no diacritics (æ and œ written out); a non-Latin letter that
    Unicode writes with a mark is a letter of its own (й, ё: :func:`alphabet.marked_letters`)."""
    text = form.casefold()
    marked = alphabet.marked_letters()
    if marked.isdisjoint(unicodedata.normalize("NFC", text)):
        text = unicodedata.normalize("NFKD", text)
    else:
        text = "".join(
            c if c in marked else unicodedata.normalize("NFKD", c)
            for c in unicodedata.normalize("NFC", text)
        )
    text = text.replace("æ", "ae").replace("œ", "oe")
    return "".join(c for c in text if c.isalpha())


def _differences(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """Where two words differ: ``(a_start, a_end, b_start, b_end)`` for each run of edits of
    a least-edit alignment (substitutions preferred, then deletions)."""
    cost = _edit_costs(a, b)
    runs: list[tuple[int, int, int, int]] = []
    i, j = len(a), len(b)
    end: tuple[int, int] | None = None  # (i, j) where the current run of edits ends
    while i or j:
        if i and j and a[i - 1] == b[j - 1] and cost[i][j] == cost[i - 1][j - 1]:
            if end:
                runs.append((i, end[0], j, end[1]))
                end = None
            i, j = i - 1, j - 1
            continue
        if end is None:
            end = (i, j)
        i, j = _edit_back(cost, i, j)
    if end:
        runs.append((0, end[0], 0, end[1]))
    return runs[::-1]


def _edit_costs(a: str, b: str) -> list[list[int]]:
    """The Levenshtein cost of each pair of prefixes of ``a`` and ``b``."""
    n, m = len(a), len(b)
    cost = [[i + j if i == 0 or j == 0 else 0 for j in range(m + 1)] for i in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(
                cost[i - 1][j] + 1,
                cost[i][j - 1] + 1,
                cost[i - 1][j - 1] + (a[i - 1] != b[j - 1]),
            )
    return cost


def _edit_back(cost: list[list[int]], i: int, j: int) -> tuple[int, int]:
    """One edit back along the alignment: a substitution, else a deletion, else an insertion."""
    if i and j and cost[i][j] == cost[i - 1][j - 1] + 1:
        return i - 1, j - 1
    if i and cost[i][j] == cost[i - 1][j] + 1:
        return i - 1, j
    return i, j - 1


def edit_kinds(a: str, b: str) -> list[str]:
    """How two spellings differ, one kind per place: ``vowel``, ``double`` (a doubled letter),
    ``h``, ``alternation`` (a pair of :data:`ALTERNATIONS`), ``affix`` (two or more letters
    added at either end, not all vowels; or a Latin ending on one spelling only) or
    ``consonant`` (anything else)."""
    a, b = _fold(a), _fold(b)
    kinds = []
    if (a[-2:] in LATIN_ENDINGS) != (b[-2:] in LATIN_ENDINGS) or _two_ranks(a, b):
        kinds.append("affix")  # a Latin or Greek ending (Maccabees, Maccabaeus), or a rank
    for a0, a1, b0, b1 in _differences(a, b):
        x, y = a[a0:a1], b[b0:b1]
        kinds.append(_kind(a, b, x, y, (a0, a1, b0, b1)))
    return kinds


def _two_ranks(a: str, b: str) -> bool:
    """Whether two folded names are one stem with two rank endings (:data:`RANK_ENDINGS`)."""

    def split(word: str) -> tuple[str, str] | None:
        ending = next((e for e in RANK_ENDINGS if word.endswith(e)), None)
        return None if ending is None else (word[: -len(ending)], ending)

    x, y = split(a), split(b)
    return x is not None and y is not None and x[0] == y[0] and x[1] != y[1]


def _kind(a: str, b: str, x: str, y: str, run: tuple[int, int, int, int]) -> str:
    a0, a1, b0, b1 = run
    added = x or y
    at_edge = (a0 == 0 and b0 == 0) or (a1 == len(a) and b1 == len(b))
    if not (x and y) and len(added) >= 2 and at_edge and not _vowels(added):
        return "affix"
    if _vowels(x) and _vowels(y):
        return "vowel"
    if frozenset((x, y)) in ALTERNATIONS or alphabet.same_sound(x, y, ALTERNATIONS):
        return "alternation"
    if not (x and y) and len(added) == 1:
        word, start, stop = (b, b0, b1) if y else (a, a0, a1)
        one = _one_letter_added(word, start, stop, added)
        if one:
            return one
    return "h" if _h_only(x, y) else "consonant"


def _vowels(run: str) -> bool:
    """Whether a run of letters is vowels only: Latin ones, or those of another alphabet
    (:mod:`normalise.alphabet`)."""
    return set(run) <= VOWELS or alphabet.vowels(run)


def _one_letter_added(word: str, start: int, stop: int, added: str) -> str | None:
    """The kind of one letter added at ``word[start:stop]``: a doubled letter, or the c of
    ch for h (Achitophel, Ahithophel); None for any other letter."""
    if added in (word[start - 1 : start], word[stop : stop + 1]):
        return "double"
    if added == "c" and word[stop : stop + 1] == "h":
        return "alternation"
    return None


def _h_only(x: str, y: str) -> bool:
    """Whether two runs differ by an h added or dropped, maybe with vowels beside it
    (Calneh, Calno; Joiarib, Jehoiarib), but not by an h for a vowel (Jehovah, Jehovae)."""
    if x.count("h") == y.count("h"):
        return False
    rest_x, rest_y = x.replace("h", ""), y.replace("h", "")
    same_vowels = rest_x == rest_y or bool(rest_x and rest_y)
    return set(rest_x) <= VOWELS and set(rest_y) <= VOWELS and (same_vowels or not (x and y))


def _established(form: str) -> bool:
    from .phonetic import english_zipf

    return " " not in form and english_zipf(form) >= ESTABLISHED_ZIPF


def pair_score(canonical: str, variant: str, evidence: PairEvidence) -> float:
    """The evidence that two spellings are one name (see the module docstring)."""
    kinds = edit_kinds(canonical, variant)
    score = AFFIX * kinds.count("affix") + OTHER_CONSONANT * kinds.count("consonant")
    score += MANY * max(0, len(kinds) - MANY_PLACES)
    if _established(canonical) and _established(variant):
        score += ESTABLISHED
    alike = alphabet.romanised_alike(_fold(canonical), _fold(variant))
    if evidence.cited and not alike:
        score += CITED
    if _fold(canonical) == _fold(variant):
        score += SAME_LETTERS
    elif alike:
        score += ROMANISED_ALIKE
    low, high = sorted(evidence.counts)
    rare = high >= RARE_BASE and low <= RARE_SHARE * high
    misprint = rare and _misprint(canonical, variant, evidence)
    if evidence.glossed:
        score += GLOSS
    else:
        # spellings romanised alike are one name whatever their place and company
        place = _unglossed(evidence, misprint)
        score += max(place, 0.0) if alike else place
    shared, expected = evidence.shared_docs, evidence.expected_docs
    if shared is not None and expected is not None:
        if shared == 0 and expected >= COMPLEMENTARY_EXPECTED:
            score += COMPLEMENTARY
        elif shared and shared >= expected and not misprint:
            score += SHARED_DOCUMENTS  # a misprint stands in a document with the right spelling
    score += RARE * rare + MISPRINT * misprint
    if not evidence.glossed and letter_edits(canonical, variant) >= DISTANT_EDITS:
        score += DISTANT
    return score


def _unglossed(evidence: PairEvidence, misprint: bool) -> float:
    """The weights that count only without a gloss: where the spellings stand and the company
    they keep."""
    # a misprint seen once or twice, at the head of a sentence, is no headword (Augstine
    # signing a quotation), unless it heads a line as a dictionary's headwords do
    rare = evidence.counts.index(min(evidence.counts))
    headword = misprint and evidence.headed[rare] > 0
    never_mid = evidence.never_mid and (not misprint or headword)
    score = NEARBY * evidence.nearby + NEVER_MID * never_mid
    if evidence.context is None:
        return score + NO_CONTEXT
    return score + CONTEXT * (evidence.context >= CONTEXT_SHARED)


def letter_edits(a: str, b: str) -> int:
    """Letter edits between two spellings (folded), two neighbouring letters swapped counting
    as one."""
    a, b = _fold(a), _fold(b)
    edits = _edit_costs(a, b)[-1][-1]
    return 1 if edits == 2 and _swapped(a, b) else edits


def _swapped(a: str, b: str) -> bool:
    """Whether two folded words differ only by two neighbouring letters swapped."""
    if len(a) != len(b):
        return False
    places = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(places) == 2 and places[1] == places[0] + 1 and a[places[0]] == b[places[1]]


def _misprint(canonical: str, variant: str, evidence: PairEvidence) -> bool:
    """Whether the rarer of two spellings looks like a misprint of the other (:data:`MISPRINT`)."""
    (low, rare), (_, common) = sorted(zip(evidence.counts, (canonical, variant), strict=True))
    if low > MISPRINT_COUNT or evidence.docs is None:
        return False
    rare_docs = evidence.docs[(canonical, variant).index(rare)]
    a, b = _fold(rare), _fold(common)
    return (
        rare_docs == 1
        and letter_edits(rare, common) == 1
        # a letter added, dropped or swapped: one letter for another makes another name as
        # often (Rachel, Rachal; Trapa, Tripa)
        and (len(a) != len(b) or _swapped(a, b))
        and a[:1] == b[:1]  # a misprint seldom touches the first letter (Hananiah, Ananiah)
        and a == rare.casefold()  # nor adds a diacritic (Hebraism, Hebraḯs)
        and not _established(rare)
    )


def group_score(proposal: Proposal, evidence: Callable[[str, str], PairEvidence]) -> float:
    """The score of a group's weakest pair: its canonical form and one other spelling."""
    return min(
        (
            pair_score(proposal.canonical, v, evidence(proposal.canonical, v))
            for v in proposal.variants
        ),
        default=0.0,
    )


def rank_groups(
    proposals: Sequence[Proposal],
    evidence: Callable[[str, str], PairEvidence],
    min_evidence: float = MIN_EVIDENCE,
) -> list[Proposal]:
    """The groups with their evidence: those with at least ``min_evidence`` first, best
    evidence first, then most documents and occurrences; then the others (``supported``
    False), most documents first."""
    scored = [
        replace(p, evidence=score, supported=score >= min_evidence)
        for p in proposals
        for score in (group_score(p, evidence),)
    ]
    return sorted(
        scored,
        key=lambda p: (
            not p.supported,
            -(p.evidence or 0) if p.supported else 0,
            -p.docs,
            -p.count,
            p.canonical,
        ),
    )


def corpus_evidence(
    discovery: VariantDiscovery, forms: Mapping[str, _Counts]
) -> Callable[[str, str], PairEvidence]:
    """The evidence a :class:`normalise.suggest.VariantDiscovery` has counted, after its
    ``result`` has chosen the candidate names (``forms``: its merged counts by spelling)."""
    from .scan import match_key

    documents = discovery.documents
    context = NameContext(discovery)

    def evidence(a: str, b: str) -> PairEvidence:
        ka, kb = match_key(a), match_key(b)
        glosses = discovery.glossed(ka, kb)
        fa, fb = forms[a], forms[b]
        ids_a, ids_b = fa.doc_ids, fb.doc_ids
        shared = expected = None
        if ids_a is not None and ids_b is not None and documents:
            shared = len(ids_a & ids_b)
            expected = len(ids_a) * len(ids_b) / documents
        # a gloss counts unless the two also meet in documents without one (a doubt)
        glossed = glosses > 0 and (shared is None or shared <= glosses)
        apart = [abs(x.line - y.line) for x in fa.examples for y in fb.examples if x.file == y.file]
        nearby = bool(apart) and 0 < min(apart) <= NEAR_LINES
        return PairEvidence(
            (fa.count, fb.count),
            glossed,
            context.similarity(ka, kb),
            shared,
            expected,
            nearby=nearby,
            never_mid=fa.mid == 0 or fb.mid == 0,
            cited=min(fa.cited / fa.count, fb.cited / fb.count) >= CITED_SHARE,
            docs=(fa.docs, fb.docs),
            headed=(fa.headed, fb.headed),
        )

    return evidence


class NameContext:
    """The company two spellings keep: the other names in their sentences.

    A neighbour that stands beside many names says little (a capitalised From at the head of
    every entry of a dictionary of names, Israelite, Palestine): each neighbour is weighted by
    its inverse document frequency over the names' neighbour lists, as in distributional
    similarity, and one beside more than :data:`COMMON_NEIGHBOUR` of them is left out (with a
    single neighbour left, weighting alone would not lower the cosine)."""

    def __init__(self, discovery: VariantDiscovery) -> None:
        self._names = discovery.name_keys
        self._neighbours = discovery.neighbours
        spread: dict[str, int] = {}
        listed = 0
        for key, near in self._neighbours.items():
            if key in self._names:
                listed += 1
                for other in near:
                    if other in self._names:
                        spread[other] = spread.get(other, 0) + 1
        most = COMMON_NEIGHBOUR * listed if listed >= SPREAD_NAMES else listed
        self._weight = {k: math.log((1 + listed) / (1 + n)) for k, n in spread.items() if n <= most}

    def vector(self, key: str, other: str) -> dict[str, float]:
        """A spelling's weighted neighbours, the other spelling left out."""
        weight = self._weight
        return {
            k: n * weight[k]
            for k, n in self._neighbours.get(key, {}).items()
            if k != other and k in weight and weight[k] > 0 and not _third_spelling(k, key, other)
        }

    def similarity(self, a: str, b: str) -> float | None:
        """Cosine of two spellings' weighted neighbours (match keys); None when one of them
        has none: the texts cannot tell."""
        va, vb = self.vector(a, b), self.vector(b, a)
        if not (va and vb):
            return None
        dot = sum(va[k] * vb[k] for k in va.keys() & vb.keys())
        norm = math.sqrt(sum(v * v for v in va.values())) * math.sqrt(
            sum(v * v for v in vb.values())
        )
        return dot / norm


def _third_spelling(neighbour: str, a: str, b: str) -> bool:
    """Whether a neighbour of two spellings is a third spelling of them: a letter from one and
    at most two from the other (WordNet's Pahlavi beside Pahlevi, the Shah, and Pehlevi, the
    language; Strong's English Huram beside Chiram and Churam). Company kept only through such
    a neighbour is a gloss each spelling has of its own, not evidence that they are one name."""
    size = len(_fold(neighbour))
    if min(abs(size - len(_fold(a))), abs(size - len(_fold(b)))) > 1:
        return False  # a letter from neither
    near = sorted((letter_edits(neighbour, a), letter_edits(neighbour, b)))
    return near[0] <= 1 and near[1] <= THIRD_SPELLING_EDITS
