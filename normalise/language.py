"""The language of a corpus, told by its own lower-case words (``normalise suggest``).

normalise is an English normaliser, but people run ``suggest`` on the texts they have. Its
rules that keep ordinary words out of the proposals (a common English word never starts a
group; English inflection endings) do not reach the words of another language: German
capitalises every noun, so *Kirche* and *Kirsche*, *Schicksal* and *Schicksale* look like
names. The corpus says which language it is written in: its most frequent lower-case words are
common words of one language in wordfreq's lists far more often than of any other. A word
common in that language (:data:`COMMON_ZIPF`, the matcher's bar for English) is then treated as
a common English word is (:mod:`normalise.suggest`).

Guessing reads wordfreq's small lists (the words of Zipf frequency 3 or more, about 14 ms each)
only when English does not already account for most of the corpus's words, so an English
corpus costs one cached look-up per word it guesses from. The language is the corpus's, not
each document's: a word is a name or an ordinary word for the whole corpus.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Mapping

#: The corpus's most frequent lower-case words that tell its language.
GUESS_WORDS = 300
#: English is taken without looking further when at least this share of those words' occurrences
#: are common English words (the English corpora of benchmarks/suggest_corpora.py: 0.89 to 1.0;
#: German, Italian, Spanish and Portuguese ones: 0.03 to 0.37).
ENGLISH_SHARE = 0.6
#: Another language is taken only when its common words cover at least this share ...
MIN_SHARE = 0.4
#: ... and more than English's share by this margin; else the corpus is taken as English.
MARGIN = 0.1
#: A word this common in the corpus's language (wordfreq Zipf frequency) is an ordinary word,
#: as phonetic.COMMON_WORD_ZIPF is for English: about once per hundred million words.
COMMON_ZIPF = 2.0
#: The least Zipf frequency of a word in wordfreq's small lists.
SMALL_LIST_ZIPF = 3.0
ENGLISH = "en"


#: wordfreq's languages whose look-ups need a tokenizer from its optional ``cjk`` extra, and
#: the module each needs: without it, a look-up fails, so the language is not offered.
NEEDS_TOKENIZER = {"ja": "MeCab", "ko": "MeCab", "zh": "jieba"}


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages wordfreq has lists for and can look words up in here, English first."""
    import importlib.util

    import wordfreq

    def usable(lang: str) -> bool:
        module = NEEDS_TOKENIZER.get(lang)
        return module is None or importlib.util.find_spec(module) is not None

    others = sorted(
        lang for lang in wordfreq.available_languages("small") if lang != ENGLISH and usable(lang)
    )
    return (ENGLISH, *others)


@functools.cache
def _small_list(lang: str) -> frozenset[str]:
    """The words of wordfreq's small list of a language (Zipf frequency 3 or more)."""
    import wordfreq

    return frozenset(wordfreq.get_frequency_dict(lang, "small"))


def share(words: Mapping[str, int], lang: str) -> float:
    """The share of the occurrences of ``words`` (lower-case word -> count) that are common
    words of ``lang`` (in wordfreq's small list)."""
    total = sum(words.values())
    if not total:
        return 0.0
    if lang == ENGLISH:  # the matcher's cached English look-ups, already loaded
        from .phonetic import english_zipf

        return sum(n for w, n in words.items() if english_zipf(w) >= SMALL_LIST_ZIPF) / total
    common = _small_list(lang)
    return sum(n for w, n in words.items() if w in common) / total


def guess_language(lower_words: Mapping[str, int]) -> str:
    """The language of a text, told by its most frequent lower-case words (word -> count):
    English unless another language's common words cover clearly more of them."""
    top = dict(sorted(lower_words.items(), key=lambda wn: (-wn[1], wn[0]))[:GUESS_WORDS])
    english = share(top, ENGLISH)
    if not top or english >= ENGLISH_SHARE:
        return ENGLISH
    best, best_share = max(
        ((lang, share(top, lang)) for lang in languages()[1:]), key=lambda ls: (ls[1], ls[0])
    )
    if best_share >= MIN_SHARE and best_share > english + MARGIN:
        return best
    return ENGLISH


def is_language(code: str) -> bool:
    """Whether wordfreq has a list for a language code (``--language``)."""
    return code in languages()


def language_argument(code: str) -> str:
    """A ``--language`` code wordfreq has a list for (``suggest``, ``review``)."""
    if code in NEEDS_TOKENIZER and not is_language(code):
        raise argparse.ArgumentTypeError(
            f"language {code!r} needs wordfreq's optional tokenizer "
            f"({NEEDS_TOKENIZER[code]}: pip install 'wordfreq[cjk]')"
        )
    if not is_language(code):
        raise argparse.ArgumentTypeError(
            f"unknown language {code!r} (wordfreq has: {', '.join(languages())})"
        )
    return code


class LanguageWords:
    """How common words are in one language (wordfreq), asked once per word."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._zipf: dict[str, float] = {}

    def zipf(self, word: str) -> float:
        """Zipf frequency of a word in the language; 0 for a word wordfreq has never seen."""
        key = word.lower()
        value = self._zipf.get(key)
        if value is None:
            import wordfreq

            value = self._zipf[key] = wordfreq.zipf_frequency(key, self.lang)
        return value

    def common(self, word: str) -> bool:
        """A common word of the language: an ordinary word, not a name."""
        return self.zipf(word) >= COMMON_ZIPF

    def known(self, word: str) -> bool:
        return self.zipf(word) > 0
