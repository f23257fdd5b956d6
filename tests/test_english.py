"""English frequencies kept in the cache (:mod:`normalise.english`): the same answers as
wordfreq before and after the dict of every word is made, the same common words as wordfreq's
buckets give, one cache file per wordfreq version, and a short run from the cache that never
imports wordfreq."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata

import pytest
import wordfreq

from normalise import cache, english

#: Words listed and not, frequent and rare, each once.
_WORDS = ("the", "kabul", "taleban", "mohamed", "zebra", "qzxqzx", "of", "neighbourhoods", "a")


@pytest.fixture(scope="module")
def built() -> english.EnglishFrequencies:
    return english.build()


def test_a_bucket_line_answers_as_wordfreq(built, monkeypatch):
    monkeypatch.setattr(english, "LOOKUPS_BEFORE_DICT", 10**9)
    fresh = english.EnglishFrequencies(built.absent, built.buckets)
    assert [fresh.zipf(w) for w in _WORDS] == [wordfreq.zipf_frequency(w, "en") for w in _WORDS]
    assert fresh._zipf is None  # no dict made


def test_the_dict_answers_as_wordfreq(built, monkeypatch):
    monkeypatch.setattr(english, "LOOKUPS_BEFORE_DICT", 2)
    fresh = english.EnglishFrequencies(built.absent, built.buckets)
    answers = [fresh.zipf(w) for w in _WORDS]
    assert fresh._zipf is not None and len(fresh._zipf) > 250_000
    assert answers == [wordfreq.zipf_frequency(w, "en") for w in _WORDS]


def test_absent_words_score_zero(built):
    assert built.absent == 0.0 == wordfreq.zipf_frequency("qzxqzxqzx", "en")


def test_common_words_are_wordfreqs_buckets_down_to_the_bound(built):
    expected: list[str] = []
    for bucket in wordfreq.get_frequency_list("en"):
        plain = [w for w in bucket if english.is_plain(w)]
        if plain:
            if wordfreq.zipf_frequency(plain[0], "en") < 2.9:
                break
            expected += plain
    assert built.common(2.9) == frozenset(expected)
    assert 25_000 < len(expected) < 40_000


def test_kept_in_the_cache_once_per_version(tmp_path, monkeypatch, built):
    monkeypatch.setenv("NORMALISE_CACHE_DIR", str(tmp_path))
    calls = []
    monkeypatch.setattr(english, "build", lambda: calls.append(1) or built)
    english.english_frequencies.cache_clear()
    try:
        first = english.english_frequencies()
        english.english_frequencies.cache_clear()
        second = english.english_frequencies()
    finally:
        english.english_frequencies.cache_clear()
    assert calls == [1]  # the second process-level ask read the cache file
    assert second is not first and second == built
    assert len(list(tmp_path.glob("*.pickle"))) == 1


def test_a_short_command_from_the_cache_does_not_import_wordfreq(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("The Taleban spokesman met Mohamed Salah.\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from normalise.cli import main\n"
        f"status = main(['--no-progress', {str(source)!r}, '-o', {str(tmp_path / 'out.txt')!r}])\n"
        "print(status, 'wordfreq' in sys.modules)\n"
    )
    env = {**os.environ, "NORMALISE_CACHE_DIR": str(tmp_path / "cache")}
    seen = []
    for _ in range(2):  # the built table and the frequencies cached, then read
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
        )
        seen.append(out.stdout.split())
        assert (tmp_path / "out.txt").read_text(encoding="utf-8") == (
            "The Taliban spokesman met Mohamed Salah.\n"
        ), out.stderr
    assert seen == [["0", "True"], ["0", "False"]]


def test_an_untrusted_cache_still_answers(tmp_path, monkeypatch, built):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # anyone may write: never trusted, built each time
    monkeypatch.setenv("NORMALISE_CACHE_DIR", str(shared))
    english.english_frequencies.cache_clear()
    try:
        assert english.english_frequencies().zipf("the") == wordfreq.zipf_frequency("the", "en")
    finally:
        english.english_frequencies.cache_clear()
    assert not list(shared.glob("*.pickle"))
    assert cache.installed_version("wordfreq") == metadata.version("wordfreq")
