"""``english_zipf`` answers a word of the letters a-z from wordfreq's frequency dict
(:func:`normalise.phonetic.plain_zipf`), without wordfreq's tokenizer: the same floats as
``wordfreq.zipf_frequency`` (checked here on a sample of the listed words, on hypothesis
words, listed or not, and on the letters around them; all 289,023 listed plain words and
100,000 random ones were checked once by hand, see benchmarks/results/apply-speed.md)."""

from __future__ import annotations

import string

import wordfreq
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise.phonetic import english_zipf, plain_zipf


def _listed() -> list[str]:
    return [
        w
        for bucket in wordfreq.get_frequency_list("en")
        for w in bucket
        if w.isascii() and w.isalpha() and w.islower()
    ]


def test_listed_words_every_97th() -> None:
    words = _listed()[::97]
    assert len(words) > 2_000
    assert [plain_zipf(w) for w in words] == [wordfreq.zipf_frequency(w, "en") for w in words]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=string.ascii_letters, min_size=1, max_size=12))
def test_any_ascii_word(word) -> None:
    expected = wordfreq.zipf_frequency(word.lower(), "en")
    assert plain_zipf(word.lower()) == expected
    english_zipf.cache_clear()
    assert english_zipf(word) == expected
    assert english_zipf(word.capitalize()) == wordfreq.zipf_frequency(word.lower(), "en")


def test_other_words_still_ask_wordfreq() -> None:
    for word in ("Kabul's", "Ṭāleqān", "co-op", "x1", "Farg'ona", "naïve"):
        english_zipf.cache_clear()
        assert english_zipf(word) == wordfreq.zipf_frequency(word.lower(), "en")
    assert english_zipf("The") > 7 and english_zipf("Qzxqzx") == 0.0
