#!/usr/bin/env python3
"""Generate the bundled spelling-convention tables ``en-US`` and ``en-GB`` from public word lists.

    python scripts/build_spelling_tables.py            # write both tables
    python scripts/build_spelling_tables.py --check    # fail if the committed tables are stale
    python scripts/build_spelling_tables.py --report   # also print every decision to stderr

Outputs
    normalise/data/tables/en-US.yaml   British spellings -> American ones
    normalise/data/tables/en-GB.yaml   American spellings -> British ones (-ise, not -ize)

Sources (nothing here is needed at run time; only the generated YAML is shipped)
    * SCOWL, Spell Checking Oriented Word Lists, by Kevin Atkinson, as packaged by Debian
      (package ``scowl``, which installs the word lists by spelling category and size in
      /usr/share/dict/scowl/): ``english-words.*`` (spellings common to all conventions),
      ``american-words.*`` (American-only spellings), ``british-words.*`` (British-only, -ise)
      and the ``*-upper.*`` lists for capitalised words; the name lists are only used to find
      variants that are also names (Matt, Grey). Install with ``apt-get install scowl``.
    * breame (PyPI), by Cormac Pierse: its British <-> American spelling pairs
      (``breame.data.spelling_constants``), themselves taken from a public word list.
    * scripts/spelling_overrides.yaml: hand-maintained exclusions, lower-case-only families and
      extra pairs (compounds, abbreviations), each with its reason.

How a pair is found
    1. For each British-only SCOWL word (en-US) or American-only word (en-GB), up to SCOWL size
       ``MAX_SIZE``, the spelling rules below (-our/-or, -re/-er, -ise/-ize, -yse/-yze,
       -ce/-se, doubled l, ae/oe, -ogue/-og, ...) are applied, up to three at a time (at most
       one of them a single-letter rule), and the result is kept if it is a word of the other
       convention: a word of that convention's own list first (SCOWL's British-only and
       American-only lists are parallel), then the fewest rule applications, then the more
       common word; a remaining tie drops the word (reported). Short words are skipped
       (``MIN_LENGTH``): in SCOWL they are mostly dialect and Latin.
    2. A rule-derived pair whose canonical form is valid in *both* conventions (metre ->
       meter: a gas meter is British too) is where meanings can differ: it is kept only when
       breame lists it or the overrides' ``accept`` list names it after review.
    3. breame's pairs are added; where breame and the rules disagree, a rule-derived word of
       the target's own list wins (breame has a few misaligned pairs: pummelled -> pummel).
       Each breame pair also lends its difference to the SCOWL words that start with it
       (kerb -> curb gives kerbs -> curbs), so inflections come from the word list, not from
       guessed suffixes.
    4. The word-list rule: a variant of en-US must not be a valid American spelling (a SCOWL
       english- or american- word of any size), a variant of en-GB not a valid British one;
       and the canonical form must be valid in its convention (asserted). Only overrides marked
       ``house_style`` may break the first rule (airstrike -> air strike in en-GB), and the
       abbreviations (US -> U.S.), which are case-sensitive style rules, not spellings.
    5. The overrides: exclusions (both as variant and as canonical form), lower-case-only
       families (Labour Party), extra pairs (written with ``override: true``, so that they
       take over what the default table may say about US/U.S. when loaded after it). A variant whose capitalised form is in SCOWL's
       name lists (Matt, Tyre, Mold) gets a case-sensitive, lower-case-only entry as well.
    6. Pairs whose variant or canonical form is a form of the default table (normalise/data/variants.yaml,
       which loads first: sheikh/sheik) are left to it; a spelling table that claimed them
       again would not load together with it. Overrides are kept: they take over.
    7. One entry per canonical form (every inflection is its own entry), sorted; each form is
       unique after lower-casing, and no canonical form is a variant (no chains).

The output is deterministic: the same word lists and overrides give byte-identical files.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCOWL_DIR = Path("/usr/share/dict/scowl")
OVERRIDES = ROOT / "scripts" / "spelling_overrides.yaml"
OUT_DIR = ROOT / "normalise" / "data" / "tables"
#: Largest SCOWL size whose words become variants (80 = "huge"; 95 has mostly obsolete words).
MAX_SIZE = 80
#: How many rule applications one pair may need (manoeuvred -> maneuvered needs three).
MAX_DEPTH = 3
TABLES = ("en-US", "en-GB")

#: British -> American rewrites: (regular expression, replacement, weak). Each is applied at one
#: match at a time. A weak rule changes a single letter; a pair may use at most one.
RULES_GB_TO_US: tuple[tuple[str, str, bool], ...] = (
    (r"(?<=..)our", "or", False),  # colour, neighbourhood, behaviour, odour
    (r"is(?=[aei])", "iz", False),  # realise, organisation, realising
    (r"ys(?=[aei])", "yz", False),  # analyse, paralysed
    (r"ae(?!(s|d|r|rs|ing)?$)", "e", True),  # paediatric, anaemia (not Latin plurals: fossae)
    (r"oe(?!(s|d|r|rs|ing)?$)", "e", True),  # oestrogen, manoeuvre (not shoed, echoes)
    (r"ll", "l", True),  # travelled, cancelling, modeller
    (r"l", "ll", True),  # fulfil, enrol, skilful, instalment
    (r"ogue", "og", False),  # catalogue, analogue
    (r"ogu(?=[ei])", "og", False),  # catalogued, cataloguing
    (r"nce", "nse", False),  # defence, licence, offence, pretence
    (r"nci(?=ng)", "nsi", False),  # licencing
    (r"s", "c", True),  # practise -> practice
    (r"re(?=s?$)", "er", False),  # centre, metre, theatres
    (r"red$", "ered", False),  # centred, sabred
    (r"ring$", "ering", False),  # centring, manoeuvring
    (r"rest$", "erest", False),  # sombrest
    (r"rer$", "erer", False),  # sombrer
    (r"mme(?=s?$)", "m", False),  # programme, gramme, kilogrammes
    (r"eing$", "ing", False),  # ageing
    (r"gement", "gment", False),  # judgement, acknowledgement
    (r"eab", "ab", False),  # likeable, sizeable
    (r"ou(?=l)", "o", False),  # mould, smoulder, moult
    (r"ough", "ow", False),  # plough
    (r"augh", "af", False),  # draught
    (r"y", "i", True),  # tyre
    (r"sc", "sk", False),  # sceptic
    (r"s", "z", True),  # cosy
    (r"ph", "f", False),  # sulphur
    (r"ium$", "um", False),  # aluminium
    (r"yj", "aj", False),  # pyjamas
    (r"qu", "ck", False),  # chequered
    (r"e", "a", True),  # grey
    (r"^ke", "cu", False),  # kerb
)
#: The same rules read the other way, for en-GB (American -> British).
RULES_US_TO_GB: tuple[tuple[str, str, bool], ...] = (
    (r"(?<=..)or", "our", False),
    (r"iz(?=[aei])", "is", False),
    (r"yz(?=[aei])", "ys", False),
    (r"e(?!(s|d|r|rs|ing)?$)", "ae", True),
    (r"e(?!(s|d|r|rs|ing)?$)", "oe", True),
    (r"l", "ll", True),
    (r"ll", "l", True),
    (r"og$", "ogue", False),
    (r"og(?=s$)", "ogue", False),
    (r"og(?=[ei])", "ogu", False),
    (r"nse", "nce", False),
    (r"nsi(?=ng)", "nci", False),
    (r"c", "s", True),
    (r"er(?=s?$)", "re", False),
    (r"ered$", "red", False),
    (r"ering$", "ring", False),
    (r"erest$", "rest", False),
    (r"erer$", "rer", False),
    (r"m(?=s?$)", "mme", False),
    (r"ing$", "eing", False),
    (r"gment", "gement", False),
    (r"ab", "eab", False),
    (r"o(?=l)", "ou", False),
    (r"ow", "ough", False),
    (r"af", "augh", False),
    (r"i", "y", True),
    (r"sk", "sc", False),
    (r"z", "s", True),
    (r"f", "ph", False),
    (r"um$", "ium", False),
    (r"aj", "yj", False),
    (r"ck", "qu", False),
    (r"a", "e", True),
    (r"^cu", "ke", False),
)
#: Rule-derived pairs need a variant of at least this many letters: short SCOWL words are
#: mostly dialect and Latin (te/tae, gibe/gybe, eros/aeros), the more so in the largest sizes
#: (70 and 80: ``MIN_LENGTH_RARE``). breame's pairs are not limited.
MIN_LENGTH = 5
MIN_LENGTH_RARE = 6
#: Largest size of SCOWL's name lists used to find variants that are also names (95 lists
#: ordinary words as names too: Rumor, Fiber).
NAME_SIZE = 80

#: Capitalised words (SCOWL *-upper lists) are paired only when they follow one of these
#: patterns (Americanise, Labourite, Judaean, Palaeolithic); other capitalised pairs in those
#: lists are mostly names (Baeyer/Beyer, Praetorius/Pretorius) and are left alone.
UPPER_PATTERN = re.compile(
    r"(is(e|es|ed|ing|er|ers|ation|ations|m|ms)$)|our(?=[a-z])|(ae(an|ans|anism|ism|isms)$)|^Palae"
)


# --------------------------------------------------------------------------- sources


@dataclass
class WordLists:
    """SCOWL word lists, keyed by lower-cased word, with the smallest size each word is in."""

    english: dict[str, int] = field(default_factory=dict)
    american: dict[str, int] = field(default_factory=dict)
    british: dict[str, int] = field(default_factory=dict)
    #: capitalised words as written (Americanise), with their smallest size
    american_upper: dict[str, int] = field(default_factory=dict)
    british_upper: dict[str, int] = field(default_factory=dict)
    #: capitalised words common to all conventions (english- upper, proper names and
    #: abbreviations): a variant whose capitalised form is here is also a name
    names: set[str] = field(default_factory=set)
    #: the spelling of each lower-cased word as SCOWL writes it (for capitalised words)
    spelling: dict[str, str] = field(default_factory=dict)

    def valid(self, convention: str) -> set[str]:
        own = self.american if convention == "en-US" else self.british
        return set(self.english) | set(own)


def _read_scowl(pattern: str) -> dict[str, int]:
    words: dict[str, int] = {}
    for path in sorted(SCOWL_DIR.glob(pattern)):
        suffix = path.name.rsplit(".", 1)[-1]
        if not suffix.isdigit():
            continue
        size = int(suffix)
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.strip()
            if not word or "'" in word:
                continue
            if word not in words or size < words[word]:
                words[word] = size
    return words


def load_scowl() -> WordLists:
    if not SCOWL_DIR.is_dir():
        sys.exit(
            f"error: {SCOWL_DIR} not found: install the word lists with "
            "'apt-get install scowl' (Debian/Ubuntu)"
        )
    lists = WordLists()

    def lower(words: dict[str, int], into: dict[str, int]) -> None:
        for word, size in words.items():
            key = word.lower()
            if key not in into or size < into[key]:
                into[key] = size
                lists.spelling.setdefault(key, word)

    lower(_read_scowl("english-words.*"), lists.english)
    lower(_read_scowl("english-contractions.*"), lists.english)
    lower(_read_scowl("american-words.*"), lists.american)
    lower(_read_scowl("british-words.*"), lists.british)
    lists.american_upper = _read_scowl("american-upper.*")
    lists.british_upper = _read_scowl("british-upper.*")
    derived = re.compile(r"(i[sz](e|es|ed|ing|er|ers|ation|ations)|yz(er|ers))$")
    for pattern in ("english-upper.*", "english-proper-names.*", "english-abbreviations.*"):
        # english-upper also holds capitalised derived words (Anglicize, Breathalyzer)
        lists.names.update(
            w for w, n in _read_scowl(pattern).items() if n <= NAME_SIZE and not derived.search(w)
        )
    return lists


def load_breame() -> list[tuple[str, str]]:
    """breame's (British, American) pairs, both directions merged, sorted."""
    try:
        from breame.data.spelling_constants import (
            AMERICAN_ENGLISH_SPELLINGS,
            BRITISH_ENGLISH_SPELLINGS,
        )
    except ImportError:
        sys.exit("error: breame is not installed: 'pip install breame' (needed only to build)")
    pairs = set(BRITISH_ENGLISH_SPELLINGS.items())
    pairs |= {(gb, us) for us, gb in AMERICAN_ENGLISH_SPELLINGS.items()}
    return sorted((gb.strip().lower(), us.strip().lower()) for gb, us in pairs)


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def debian_version(package: str) -> str:
    status = Path("/var/lib/dpkg/status")
    if not status.exists():
        return "unknown"
    for block in status.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        if f"Package: {package}\n" in block + "\n":
            for line in block.splitlines():
                if line.startswith("Version: "):
                    return line[len("Version: ") :]
    return "unknown"


# --------------------------------------------------------------------------- pairing


def rewrites(word: str, rules, depth: int) -> dict[str, tuple[int, int]]:
    """Every spelling reachable from ``word`` by up to ``depth`` rule applications, with the
    smallest number of applications that reaches it and how many of them were weak rules."""
    found: dict[str, tuple[int, int]] = {word: (0, 0)}
    frontier = [word]
    for level in range(1, depth + 1):
        following = []
        for current in frontier:
            weak_so_far = found[current][1]
            for pattern, new, weak in rules:
                literal = _literal(pattern)
                if literal is not None and literal not in current:
                    continue  # cheap: most rules cannot apply to most words
                for match in _compiled(pattern).finditer(current):
                    candidate = current[: match.start()] + new + current[match.end() :]
                    if candidate not in found:
                        found[candidate] = (level, weak_so_far + weak)
                        following.append(candidate)
        frontier = following
    del found[word]
    return found


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_LOOKAROUND = re.compile(r"\(\?<?[=!][^()]*(?:\([^()]*\)[^()]*)*\)[?]?|[\^$]")


@cache
def _literal(pattern: str) -> str | None:
    """The text every match of ``pattern`` consists of, when it is a plain string once
    lookarounds and anchors are removed (they match no characters); None otherwise."""
    rest = _LOOKAROUND.sub("", pattern)
    return rest if rest and re.escape(rest) == rest else None


@dataclass
class Pair:
    variant: str
    canonical: str
    source: str  # scowl, breame, breame+scowl, overrides
    case_sensitive: bool = False
    kind: str = "spelling"
    notes: str | None = None


def pair_by_rules(
    sources: dict[str, int],
    target: dict[str, int],
    target_own: set[str],
    rules,
    report: list[str],
    accepted: dict[str, str] | None = None,
) -> dict[str, tuple[str, bool]]:
    """Pair each source-only word with a target word by the spelling rules.

    ``target`` holds the valid target words (size up to ``MAX_SIZE``) with their sizes. A word
    of the target convention's own list wins (SCOWL's lists are parallel: a British-only word
    has an American-only counterpart), then the fewest rule applications, then the more common
    word (smaller SCOWL size); at most one weak rule is used per pair. Returns each variant's
    canonical form and whether that is a word of the target's own list. Words in
    ``accepted`` (reviewed pairs) are not held to the length limits.
    """
    accepted = accepted or {}
    pairs: dict[str, tuple[str, bool]] = {}
    for word in sorted(sources):
        if sources[word] > MAX_SIZE or word in target:
            continue
        short = len(word) < (MIN_LENGTH_RARE if sources[word] >= 70 else MIN_LENGTH)
        if short and word not in accepted:
            continue
        reach = rewrites(word, rules, MAX_DEPTH)
        ranked = sorted(
            (cand not in target_own, level, target[cand], cand)
            for cand, (level, weak) in reach.items()
            if cand in target and weak <= 1
        )
        if not ranked:
            continue
        best = [r for r in ranked if r[:3] == ranked[0][:3]]
        if len(best) > 1:
            report.append(f"ambiguous, dropped: {word} -> {' | '.join(r[3] for r in best)}")
            continue
        pairs[word] = (ranked[0][3], not ranked[0][0])
    return pairs


def pair_upper(source_upper: dict[str, int], target_upper: dict[str, int], rules) -> dict[str, str]:
    """Capitalised words (Americanise -> Americanize), keyed by lower case, kept as written."""
    target = {k.lower(): k for k in target_upper if target_upper[k] <= MAX_SIZE}
    pairs: dict[str, str] = {}
    for word in sorted(source_upper):
        if word.lower() in target or source_upper[word] > MAX_SIZE:
            continue
        reach = rewrites(word, rules, 2)
        hits = sorted(
            (level, target[c.lower()])
            for c, (level, weak) in reach.items()
            if c.lower() in target and weak == 0
        )
        if not hits:
            continue
        best = [c for level, c in hits if level == hits[0][0]]
        if len(best) == 1 and (UPPER_PATTERN.search(word) or UPPER_PATTERN.search(best[0])):
            pairs[word] = best[0]
    return pairs


def extend_breame(
    gb: str, us: str, sources: dict[str, int], target_valid: set[str], forward: bool
) -> dict[str, str]:
    """Apply a breame pair's difference to the SCOWL words that start with its stem."""
    src, dst = (gb, us) if forward else (us, gb)
    prefix = 0
    while prefix < min(len(src), len(dst)) and src[prefix] == dst[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(src), len(dst)) - prefix and src[-1 - suffix] == dst[-1 - suffix]:
        suffix += 1
    old, new = src[prefix : len(src) - suffix], dst[prefix : len(dst) - suffix]
    stem = src[:-1] if src.endswith("e") and len(src) > 4 else src
    if len(stem) < 4:
        stem = src
    out = {}
    for word, size in sources.items():
        if not word.startswith(stem) or size > MAX_SIZE:
            continue
        if word[prefix : prefix + len(old)] != old:
            continue
        candidate = word[:prefix] + new + word[prefix + len(old) :]
        if candidate in target_valid:
            out[word] = candidate
    return out


# --------------------------------------------------------------------------- overrides


def _tables_of(item) -> list[str]:
    tables = item["table"]
    tables = [tables] if isinstance(tables, str) else list(tables)
    for table in tables:
        if table not in TABLES:
            raise SystemExit(f"error: {OVERRIDES.name}: unknown table {table!r}")
    if not str(item.get("reason", "")).strip():
        raise SystemExit(f"error: {OVERRIDES.name}: an item has no reason: {item}")
    return tables


def load_overrides():
    data = yaml.safe_load(OVERRIDES.read_text(encoding="utf-8"))
    excluded: dict[str, dict[str, str]] = {t: {} for t in TABLES}
    lowercase: dict[str, dict[str, str]] = {t: {} for t in TABLES}
    extras: dict[str, list[dict]] = {t: [] for t in TABLES}
    for item in data.get("exclude", []):
        for table in _tables_of(item):
            for form in item["forms"]:
                excluded[table][str(form).lower()] = item["reason"]
    for item in data.get("lowercase_only", []):
        for table in _tables_of(item):
            for form in item["words"]:
                lowercase[table][str(form).lower()] = item["reason"]
    for item in data.get("extra", []):
        for table in _tables_of(item):
            extras[table].append(item)
    accepted: dict[str, dict[str, str]] = {t: {} for t in TABLES}
    for item in data.get("accept", []):
        for table in _tables_of(item):
            for pair in item["pairs"]:
                variant, canonical = (x.strip().lower() for x in pair.split("->"))
                accepted[table][variant] = canonical
    return excluded, lowercase, extras, accepted


# --------------------------------------------------------------------------- building


def build(lists: WordLists, breame_pairs: list[tuple[str, str]], report: list[str]):
    excluded, lowercase, extras, accepted = load_overrides()
    tables: dict[str, list[Pair]] = {}
    stats: dict[str, dict[str, int]] = {}
    for table in TABLES:
        forward = table == "en-US"  # British -> American
        rules = RULES_GB_TO_US if forward else RULES_US_TO_GB
        sources = lists.british if forward else lists.american
        target_own = set(lists.american if forward else lists.british)
        target_valid = lists.valid("en-US" if forward else "en-GB")
        source_valid = lists.valid("en-GB" if forward else "en-US")
        log: list[str] = []
        found: dict[str, Pair] = {}

        target_sized = {w: n for w, n in lists.english.items() if n <= MAX_SIZE}
        for word, size in (lists.american if forward else lists.british).items():
            if size <= MAX_SIZE:
                target_sized[word] = min(size, target_sized.get(word, size))
        for variant, (canonical, own) in pair_by_rules(
            sources, target_sized, target_own, rules, log, accepted[table]
        ).items():
            if not own and accepted[table].get(variant) != canonical:
                # the canonical form is valid in both conventions: only breame or a reviewed
                # entry in the overrides' accept list may pair it (meter/metre, tire/tyre)
                log.append(
                    f"canonical valid in both conventions, not accepted: {variant} -> {canonical}"
                )
                continue
            found[variant] = Pair(variant, lists.spelling.get(canonical, canonical), "scowl")

        upper_src = lists.british_upper if forward else lists.american_upper
        upper_dst = lists.american_upper if forward else lists.british_upper
        for variant, canonical in pair_upper(upper_src, upper_dst, rules).items():
            if variant.lower() not in found and variant.lower() not in target_valid:
                found[variant.lower()] = Pair(variant, canonical, "scowl")

        for gb, us in breame_pairs:
            variant, canonical = (gb, us) if forward else (us, gb)
            if variant in target_valid or canonical not in target_valid:
                continue  # the word-list rule
            if variant in found and found[variant].canonical.lower() == canonical:
                found[variant].source = "breame+scowl"
                continue
            if variant in found:
                # breame has a few misaligned pairs (pummelled -> pummel); a rule-derived
                # word of the target's own list wins, a word common to both lists loses
                if found[variant].canonical.lower() in target_own:
                    log.append(
                        f"breame disagrees, rules kept: {variant} -> "
                        f"{found[variant].canonical} (breame: {canonical})"
                    )
                    continue
                log.append(
                    f"breame disagrees, breame kept: {variant} -> {canonical} "
                    f"(rules: {found[variant].canonical})"
                )
            found[variant] = Pair(variant, canonical, "breame")
            for word, cand in extend_breame(gb, us, sources, target_sized, forward).items():
                if word in target_valid:
                    continue
                if word in found and found[word].canonical.lower() != cand:
                    if found[word].source != "scowl":
                        continue
                    log.append(
                        f"breame stem disagrees, breame kept: {word} -> {cand} "
                        f"(rules: {found[word].canonical})"
                    )
                if word not in found or found[word].source == "scowl":
                    found[word] = Pair(word, lists.spelling.get(cand, cand), "breame+scowl")

        # exclusions
        removed = set()
        for variant in sorted(found):
            if variant in excluded[table] or found[variant].canonical.lower() in excluded[table]:
                removed.add(variant)
                del found[variant]
        for form in sorted(excluded[table]):
            state = "removed" if form in removed else "not generated (word lists)"
            log.append(f"exclusion {form}: {state}")

        # variants whose capitalised form is a name: lower-case only
        for pair in found.values():
            low = pair.variant.lower()
            if low in lowercase[table]:
                pair.case_sensitive = True
                pair.notes = "lower case only: " + lowercase[table][low]
            elif pair.variant == low and low.capitalize() in lists.names:
                pair.case_sensitive = True
                pair.notes = (
                    f"lower case only: '{low.capitalize()}' is also a name (SCOWL name lists)"
                )
                log.append(f"name, lower case only: {low.capitalize()}")

        # the word-list rule, checked again on everything generated
        for pair in found.values():
            assert pair.variant.lower() not in target_valid, pair
            assert pair.canonical.lower() in target_valid or pair.canonical in upper_dst, pair
            assert (
                pair.variant.lower() in source_valid
                or pair.variant in upper_src
                or pair.source == "breame"
            ), pair

        pairs = list(found.values())
        for item in extras[table]:
            kind = item.get("kind", "spelling")
            for variant in item["variants"]:
                low = variant.lower()
                if low in target_valid and not item.get("house_style") and kind != "abbreviation":
                    raise SystemExit(
                        f"error: extra variant {variant!r} of {table} is a valid "
                        "spelling of the target convention; mark it house_style "
                        "with a reason, or drop it"
                    )
                if low in found:
                    pairs = [p for p in pairs if p.variant.lower() != low]
                pairs.append(
                    Pair(
                        variant,
                        item["canonical"],
                        "overrides",
                        bool(item.get("case_sensitive")),
                        kind,
                        item["reason"].strip(),
                    )
                )
        tables[table] = pairs
        report.extend(f"{table}: {line}" for line in log)
        counts: dict[str, int] = defaultdict(int)
        for pair in pairs:
            counts[pair.source] += 1
        stats[table] = dict(sorted(counts.items()))
    return tables, stats


def default_table_forms() -> set[str]:
    """Lower-cased forms of the default table (the repository's variants.yaml)."""
    sys.path.insert(0, str(ROOT))
    from normalise.table import load_table

    return {
        form.lower()
        for entry in load_table(ROOT / "normalise" / "data" / "variants.yaml").entries
        for form in entry.forms
    }


def leave_to_default(
    pairs: list[Pair], taken: set[str], table: str, report: list[str]
) -> list[Pair]:
    """Drop the pairs that the default table covers already (overrides stay: they take over)."""
    kept = []
    for pair in pairs:
        if pair.source != "overrides" and (
            pair.variant.lower() in taken or pair.canonical.lower() in taken
        ):
            report.append(f"{table}: {pair.variant} -> {pair.canonical}: left to the default table")
            continue
        kept.append(pair)
    return kept


def entries_of(pairs: list[Pair]) -> list[dict]:
    """One entry per canonical form; a case-sensitive entry holds lower-case-only forms."""
    grouped: dict[tuple[str, bool, str], list[Pair]] = defaultdict(list)
    for pair in pairs:
        grouped[(pair.canonical, pair.case_sensitive, pair.kind)].append(pair)
    entries = []
    for (canonical, case_sensitive, kind), members in grouped.items():
        variants = sorted({p.variant for p in members}, key=lambda v: (v.lower(), v))
        entry: dict = {"canonical": canonical, "kind": kind, "variants": variants}
        if case_sensitive:
            entry["case_sensitive"] = True
        if any(p.source == "overrides" for p in members):
            # loaded after the default table (normalise --table en-US), a convention's
            # abbreviations and compounds take over the forms the default table may claim
            # (U.S. <- US); only these few entries, as each override costs a pass over
            # the earlier entries
            entry["override"] = True
        notes = sorted({p.notes for p in members if p.notes})
        if notes:
            entry["notes"] = " ".join(notes)
        entries.append(entry)
    entries.sort(
        key=lambda e: (e["kind"] != "abbreviation", e["canonical"].lower(), e["canonical"])
    )
    return entries


def check_entries(table: str, entries: list[dict]) -> None:
    """The table rules: forms unique after lower-casing, no canonical form is a variant."""
    seen: dict[str, str] = {}
    for entry in entries:
        for form in (entry["canonical"], *entry["variants"]):
            key = form.lower()
            if key in seen:
                raise SystemExit(
                    f"error: {table}: form {form!r} of {entry['canonical']!r} "
                    f"is also a form of {seen[key]!r}"
                )
            seen[key] = entry["canonical"]
        if entry["canonical"].lower() in {v.lower() for v in entry["variants"]}:
            raise SystemExit(f"error: {table}: {entry['canonical']!r} is its own variant")


HEADER = """\
# {table}: {direction}.
# GENERATED by scripts/build_spelling_tables.py -- do not edit by hand; change the script or
# scripts/spelling_overrides.yaml and run it again.
#
# Sources:
#   SCOWL (Spell Checking Oriented Word Lists) {scowl_upstream}, Debian package scowl {scowl}:
#     english-words, american-words, british-words (sizes up to {max_size}) and the -upper lists
#   breame {breame} (PyPI): British/American spelling pairs
#   scripts/spelling_overrides.yaml: exclusions, lower-case-only families, compounds and
#     abbreviations, each with its reason
# Every variant is a spelling that the {target} word list does not accept (except the
# abbreviations and the house-style compounds, which say so in their notes); see
# scripts/SPELLING.md for what is left out and why.
# {n_entries} entries, {n_variants} variant forms.
"""


def render(table: str, entries: list[dict], versions: dict[str, str]) -> str:
    direction = (
        "British spellings to American ones"
        if table == "en-US"
        else "American spellings to British ones (-ise)"
    )
    header = HEADER.format(
        table=table,
        direction=direction,
        scowl_upstream=versions["scowl"].split("-")[0],
        scowl=versions["scowl"],
        breame=versions["breame"],
        max_size=MAX_SIZE,
        target="American" if table == "en-US" else "British",
        n_entries=len(entries),
        n_variants=sum(len(e["variants"]) for e in entries),
    )
    body = yaml.dump(
        {
            "table": table,
            "description": f"Spelling convention {table}: rewrites {direction}; generated from "
            "SCOWL and breame by scripts/build_spelling_tables.py.",
            "entries": entries,
        },
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),  # libyaml: the same text, faster
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=None,
    )
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if a table file differs from what would be written",
    )
    parser.add_argument("--report", action="store_true", help="print every decision to stderr")
    args = parser.parse_args(argv)

    lists = load_scowl()
    breame_pairs = load_breame()
    versions = {"scowl": debian_version("scowl"), "breame": package_version("breame")}
    report: list[str] = []
    tables, stats = build(lists, breame_pairs, report)
    taken = default_table_forms()
    stale = []
    for table in TABLES:
        entries = entries_of(leave_to_default(tables[table], taken, table, report))
        check_entries(table, entries)
        text = render(table, entries, versions)
        path = OUT_DIR / f"{table}.yaml"
        n_variants = sum(len(e["variants"]) for e in entries)
        print(
            f"{table}: {len(entries)} entries, {n_variants} variant forms "
            f"(pairs by source: {stats[table]})",
            file=sys.stderr,
        )
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if args.report:
        print("\n".join(report), file=sys.stderr)
    if stale:
        print(
            "stale: " + ", ".join(stale) + " (run scripts/build_spelling_tables.py)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
