"""What the compiled token screen costs a token it proves idle, and which part of it (issue 17).

Why: a cold ``apply`` run screens every distinct name token afresh (``TokenScreen.idle``), and
on dense text and dictionaries that screen is most of what apply adds to table-only. This
times ``idle`` over the distinct name tokens of a text that the screen proves idle (the ones
it settles in C), in CPU time, best of ``--repeat`` passes over them, and splits a token's
cost by part, each part called alone from C on the same tokens (``_core.screen_parts``): the
gate's checks of the form, the spelling key (the rules), the look-up of the index keys (the
metaphone included), and the scores of the forms found. Texts: the dense KJV of ``bench.py``
(its names), and a dictionary of words almost all distinct, FreeDict Portuguese-English
(not read by ``heldback.py``): its name tokens, and its words capitalised (as a dictionary
of names would be read). The table: the dense KJV table of ``--variants``.

    python benchmarks/screen_cost.py                  # 1,000 variants, both texts
    python benchmarks/screen_cost.py --variants 10000 --repeat 7
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bench

from normalise import Normaliser, core
from normalise.phonetic import english_zipf

PORTUGUESE = Path("/usr/share/dictd/freedict-por-eng.dict.dz")
_WORD = re.compile(r"[^\W\d_]{3,}")


def _weighing(variants: int):
    """The weighing of an apply normaliser of the dense KJV table, the normaliser pickled
    (the cold passes screen on a fresh one each), and the verses."""
    bench.DATA.mkdir(parents=True, exist_ok=True)
    verses = bench.kjv_verses()
    tables = bench.build_dense_tables(verses, tuple(sorted({1000, variants})))
    with core.using("compiled"):
        normaliser = Normaliser(table=tables[variants].table, phonetic="apply")
    blob = pickle.dumps(normaliser)
    weighing = normaliser._weighing
    assert weighing is not None and weighing.token_screen() is not None
    return weighing, blob, verses


def cold_time(blob: bytes, pairs: list[tuple[str, float]], repeat: int) -> tuple[float, float]:
    """Best of ``repeat``: one pass of ``idle`` over the tokens on a freshly unpickled
    normaliser's screen (every form read and the key table made as a cold run makes them),
    and the making of that screen."""
    best, made = float("inf"), float("inf")
    for _ in range(repeat):
        weighing = pickle.loads(blob)._weighing
        started = time.process_time()
        screen = weighing.token_screen()
        made = min(made, time.process_time() - started)
        started = time.process_time()
        for token, zipf in pairs:
            screen.idle(token, zipf)
        best = min(best, time.process_time() - started)
    return best, made


def _texts(weighing, verses: list[str]) -> dict[str, list[str]]:
    """The candidate tokens of each text (the screen keeps those it proves idle)."""
    dictionary = gzip.decompress(PORTUGUESE.read_bytes()).decode("utf-8", "replace")
    words = sorted({w.lower() for w in _WORD.findall(dictionary)})
    return {
        "kjv names": sorted(weighing._name_tokens("\n".join(verses), [])),
        "por-eng names": sorted(weighing._name_tokens(dictionary, [])),
        "por-eng words capitalised": [w[:1].upper() + w[1:] for w in words],
    }


def idle_tokens(weighing, tokens: list[str]) -> tuple[list[str], list[float]]:
    """The tokens ``idle`` proves idle, and their English frequencies."""
    screen = weighing.token_screen()
    kept = [t for t in tokens if screen.idle(t, english_zipf(t)) is True]
    return kept, [english_zipf(t) for t in kept]


def best_time(call, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        call()
        best = min(best, time.process_time() - started)
    return best


def measure(weighing, blob: bytes, name: str, tokens: list[str], repeat: int, loops: int) -> str:
    """One text's line: ``idle`` per token through its Python call, cold (a fresh screen)
    and warm (the screen's forms read), then each part's cost warm (``_core.screen_parts``,
    when the core has it: the branch's, not an older one's)."""
    screen = weighing.token_screen()
    parts = getattr(core.compiled_module(), "screen_parts", None)
    kept, zipfs = idle_tokens(weighing, tokens)
    if not kept:
        return f"{name}: no token proved idle of {len(tokens)}"
    pairs = list(zip(kept, zipfs, strict=True))

    def whole() -> None:
        for _ in range(loops):
            for token, zipf in pairs:
                screen.idle(token, zipf)

    per = 1e6 / (len(kept) * loops)
    cold, made = cold_time(blob, pairs, repeat)
    line = (
        f"{name}: {len(kept)} idle of {len(tokens)}, cold idle {cold * 1e6 / len(kept):.2f}"
        f" (screen made in {made * 1e3:.1f} ms), warm idle {best_time(whole, repeat) * per:.2f}"
    )
    if parts is not None:
        before = 0.0
        for number, part in enumerate(parts(screen, [], [], -1)):
            cost = best_time(
                lambda number=number: parts(screen, kept, zipfs, number, loops), repeat
            )
            line += f", {part} {(cost - before) * per:.2f}"
            before = cost
    return line + " us/token"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, choices=(1000, 10000, 100000), default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="best of N passes (default 5)")
    parser.add_argument("--loops", type=int, default=20, help="passes over the tokens a time")
    parser.add_argument("--text", action="append", help="only these texts (by name)")
    args = parser.parse_args(argv)
    weighing, blob, verses = _weighing(args.variants)
    print(f"{args.variants} variants, CPU time, best of {args.repeat} x {args.loops} passes")
    for name, tokens in _texts(weighing, verses).items():
        if not args.text or name in args.text:
            print(measure(weighing, blob, name, tokens, args.repeat, args.loops))
    return 0


if __name__ == "__main__":
    sys.exit(main())
