"""How often English uses a plain word: wordfreq's English list, kept in the cache.

Why: the gates of the phonetic matcher ask the English Zipf frequency of the distinct words
they meet, and importing wordfreq and building its English dict took about 0.19 s of every
process that asked once: most of a short command's run (a one-line ``normalise`` in apply
mode took 0.27 s). A lower-case word of the letters a-z is its own one token, so wordfreq's
answer for it depends only on the bucket of the list that holds it (one frequency a bucket;
none: the least). This module keeps the list's plain words, a line of text per bucket with
the bucket's Zipf frequency, in the cache of built tables (:mod:`normalise.cache`, trusted as
a built table is), keyed by wordfreq's version; a process reads them in a few milliseconds.
The first words asked are found in the buckets' text (about 0.3 ms a word); once
:data:`LOOKUPS_BEFORE_DICT` words have been asked, a dict of every word is made (about 60 ms),
as a long run needs. Other words (accents, apostrophes) are asked of wordfreq itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

#: Words looked up in the buckets' text before the dict of every word is made.
LOOKUPS_BEFORE_DICT = 128
#: Bump when the cached layout changes.
FORMAT = 1


@dataclass
class EnglishFrequencies:
    """The Zipf frequency of each plain word of wordfreq's English list.

    ``buckets``: ``(zipf, "\\nword\\nword\\n")`` most frequent first; ``absent``: the Zipf
    frequency of a plain word the list does not hold."""

    absent: float
    buckets: tuple[tuple[float, str], ...]
    _zipf: dict[str, float] | None = field(default=None, repr=False, compare=False)
    _asked: int = field(default=0, repr=False, compare=False)

    def zipf(self, lower: str) -> float:
        """``wordfreq.zipf_frequency(lower, "en")`` of a lower-case word of the letters a-z."""
        found = self._zipf
        if found is None:
            self._asked += 1
            if self._asked <= LOOKUPS_BEFORE_DICT:
                line = f"\n{lower}\n"
                for zipf, words in self.buckets:
                    if line in words:
                        return zipf
                return self.absent
            found = self._zipf = {}
            for zipf, words in self.buckets:
                found.update(dict.fromkeys(words.split(), zipf))
        return found.get(lower, self.absent)

    def common(self, zipf: float) -> frozenset[str]:
        """The plain words whose Zipf frequency is at least ``zipf``."""
        words: list[str] = []
        for bucket, line in self.buckets:
            if bucket < zipf:
                break
            words += line.split()
        return frozenset(words)


def is_plain(lower: str) -> bool:
    """Whether :meth:`EnglishFrequencies.zipf` answers for ``lower`` (a-z only)."""
    return lower.isascii() and lower.isalpha() and lower.islower()


@functools.cache
def english_frequencies() -> EnglishFrequencies:
    """The frequencies of this process: from the cache, built from wordfreq on a miss."""
    from . import cache

    version = cache.installed_version("wordfreq")
    key = cache.cache_key([], ("english frequencies", FORMAT, version))
    return cache.load_or_build(key, build, kind=EnglishFrequencies)


def build() -> EnglishFrequencies:
    """Read wordfreq's English list (the ``best`` one, as ``zipf_frequency`` reads it): each
    bucket's plain words, and its Zipf frequency asked of wordfreq with one of them."""
    import wordfreq

    buckets = []
    for bucket in wordfreq.get_frequency_list("en"):
        plain = [word for word in bucket if is_plain(word)]
        if plain:
            zipf = wordfreq.zipf_frequency(plain[0], "en")
            buckets.append((zipf, "\n" + "\n".join(plain) + "\n"))
    probe = "qzxqzxqzx"  # no bucket holds it: a word wordfreq has never seen
    while any(f"\n{probe}\n" in line for _, line in buckets):
        probe += "q"
    return EnglishFrequencies(wordfreq.zipf_frequency(probe, "en"), tuple(buckets))
