"""`apply` against table-only on real prose with the default table: texts nobody tuned the
apply speed on (Debian's fortunes, FOLDOC, the first 20 MB of GCIDE).

Why: bench.py's two workloads are a generated corpus (tuned on) and dense KJV verses; a user's
text is neither. Issue 15 asks `apply` to take at most 2x the table-only time; this measures
it where the default table rarely hits and the matcher meets thousands of distinct capitalised
words it does not know (names, headwords, sentence starts). CPU time, best of ``--repeat``
runs, each on a fresh unpickled normaliser (its decisions made afresh, as bench.py measures),
1 MB chunks through ``normalise_many``. Corpora whose Debian package is missing are skipped
(``apt-get install fortunes dict-foldoc dict-gcide dict-jargon dict-wn dict-devil``). The
Jargon File, the first 10 MB of WordNet and The Devil's Dictionary were held back from the
ninth session's speed work and measured once, at its end; Matthew Henry's Concise Commentary
and the Reina-Valera Bible (``apt-get install diatheke sword-comm-mhcc sword-text-sparv``)
from the eleventh's; the Scofield Reference Notes, Nave's Topical Bible and Strong's Hebrew
dictionary (``apt-get install sword-comm-scofield sword-dict-naves sword-dict-strongs-hebrew
libsword-utils``) from the twelfth's.

    python benchmarks/apply_prose.py [--repeat 3] [--corpus fortunes --corpus foldoc]
    python benchmarks/apply_prose.py --by-verdict --corpus foldoc   # per distinct token

``--by-verdict``: instead, the cost of deciding each distinct name token the common-word screen
lets through (``Weighing.wanted_in_full``, CPU time, warm process: the English frequencies
already read), summed by the verdict the matcher comes to on it within a sentence (``position``:
a rare English word, decided by where it stands); what ``apply`` spends per distinct token.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import pickle
import time
from collections.abc import Callable
from pathlib import Path

from normalise import Normaliser
from normalise.core import selected

FORTUNES = Path("/usr/share/games/fortunes")
DICTD = Path("/usr/share/dictd")
CHUNK = 1 << 20


def fortunes() -> str | None:
    files = sorted(p for p in FORTUNES.glob("*") if p.is_file() and not p.suffix)
    files = [p for p in files if p.stat().st_size > 1000]
    return "".join(p.read_text(errors="replace") for p in files) if files else None


def _dictd(name: str, limit: int | None = None) -> str | None:
    path = DICTD / f"{name}.dict.dz"
    if not path.exists():
        return None
    with gzip.open(path, "rt", errors="replace") as f:  # dictzip is gzip
        return f.read(limit) if limit else f.read()


def _sword(name: str) -> str | None:
    """heldback.py's texts without their injected variants: Matthew Henry's Concise Commentary
    or the Scofield notes (English prose full of biblical names), the Reina-Valera Bible of
    1909 (Spanish), Nave's Topical Bible (an index: one item a line) or Strong's Hebrew
    dictionary (Hebrew words, transliterations, glosses)."""
    import shutil

    import heldback

    if shutil.which("mod2imp" if name in ("naves", "strongs") else "diatheke") is None:
        return None
    if name == "mhcc":
        lines = heldback.commentary_sections(heldback.MHCC)
    elif name == "scofield":
        lines = heldback.commentary_sections(heldback.SCOFIELD)
    elif name == "naves":
        lines = heldback.lexicon_lines("Nave", True)
    elif name == "strongs":
        lines = heldback.lexicon_lines("StrongsHebrew", False)
    else:
        lines = heldback.bible_verses(heldback.SPARV)
    return "\n".join(lines) + "\n"


CORPORA: dict[str, Callable[[], str | None]] = {
    "fortunes": fortunes,
    "foldoc": lambda: _dictd("foldoc"),
    "gcide": lambda: _dictd("gcide", 20_000_000),
    # held back from every change of the ninth session and measured once at its end
    "jargon": lambda: _dictd("jargon"),
    "wordnet": lambda: _dictd("wn", 10_000_000),
    "devil": lambda: _dictd("devil"),
    # held back from every change of the eleventh session and measured once at its end
    "mhcc": lambda: _sword("mhcc"),
    "reina-valera": lambda: _sword("sparv"),
    # held back from every change of the twelfth session and measured once at its end
    "scofield": lambda: _sword("scofield"),
    "naves": lambda: _sword("naves"),
    "strongs": lambda: _sword("strongs"),
}


def best_cpu(blob: bytes, chunks: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        normaliser = pickle.loads(blob)
        gc.collect()
        started = time.process_time()
        for _result in normaliser.normalise_many(chunks):
            pass
        times.append(time.process_time() - started)
    return min(times)


def by_verdict(name: str, text: str) -> None:
    """The per-token cost of ``wanted_in_full`` by verdict (see the module docstring)."""
    from normalise.phonetic import common_english_words, english_zipf

    weighing = Normaliser(phonetic="apply")._weighing
    assert weighing is not None
    tokens: set[str] = set()
    for i in range(0, len(text), CHUNK):
        tokens |= weighing._name_tokens(text[i : i + CHUNK], [])
    screen = common_english_words(weighing._refused_zipf)
    screened = sorted(
        t
        for t in tokens
        if not (t.isascii() and t.lower() in screen) and english_zipf(t) < weighing._refused_zipf
    )
    costs: dict[str, list[int]] = {}
    gc.disable()
    timed = []
    for token in screened:
        started = time.process_time_ns()
        weighing.wanted_in_full(token)
        timed.append((token, time.process_time_ns() - started))
    gc.enable()
    matcher = weighing.matcher
    for token, cost in timed:
        verdict = matcher._decide(token, False).verdict.value
        costs.setdefault(verdict, []).append(cost)
    total = sum(map(sum, costs.values())) / 1e9
    print(f"{name}: {len(screened)} distinct tokens past the screen, {total:.3f} s")
    print("| verdict | tokens | us per token |")
    print("|---|---:|---:|")
    for verdict, spent in sorted(costs.items(), key=lambda kv: -sum(kv[1])):
        print(f"| {verdict} | {len(spent)} | {sum(spent) / len(spent) / 1000:.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    parser.add_argument(
        "--by-verdict", action="store_true", help="the per-token cost of deciding, by verdict"
    )
    args = parser.parse_args(argv)
    if args.by_verdict:
        for name in args.corpus or sorted(CORPORA):
            text = CORPORA[name]()
            if text is not None:
                by_verdict(name, text)
        return 0
    blobs = {mode: pickle.dumps(Normaliser(phonetic=mode)) for mode in ("off", "apply")}
    print(f"core: {selected()}; default table; CPU time, best of {args.repeat}")
    print("| corpus | MB | table only MB/s | apply MB/s | apply / table-only |")
    print("|---|---:|---:|---:|---:|")
    for name in args.corpus or sorted(CORPORA):
        text = CORPORA[name]()
        if text is None:
            print(f"| {name} | – | not installed | | |")
            continue
        chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]
        mb = len(text.encode()) / 1e6
        off = best_cpu(blobs["off"], chunks, args.repeat)
        apply = best_cpu(blobs["apply"], chunks, args.repeat)
        print(f"| {name} | {mb:.1f} | {mb / off:.1f} | {mb / apply:.1f} | {apply / off:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
