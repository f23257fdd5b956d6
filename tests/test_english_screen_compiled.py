"""The compiled token screen reads a token's English Zipf frequency itself (issues 15, 17):
``_core.screen_zipf`` (the look-up ``TokenScreen.screen`` makes) gives exactly the float
``english_zipf`` gives, from the dict of plain words ``english_zipf`` reads once that dict is
made, and asks ``english_zipf`` for every other token; the screen's loop with the frequencies
stores what :meth:`Weighing.wanted` stores, on hypothesis words and on the project's own text.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import Normaliser, core
from normalise.english import english_frequencies
from normalise.phonetic import common_english_words, english_zipf
from normalise.weigh import Weighing
from tests.test_core import compares_cores
from tests.test_token_screen_compiled import assert_screen_loop_answers_as_wanted

pytestmark = compares_cores

ROOT = Path(__file__).resolve().parent.parent

#: words as name tokens come: mixed case, apostrophes of several kinds, a few letters
#: outside ASCII, digits; long ones past the screen's 64 characters
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_WORDS = st.one_of(
    st.text(_LETTERS, min_size=1, max_size=12),
    st.text(_LETTERS + "'’ʼ-", min_size=1, max_size=12),
    st.text(_LETTERS + "éüİßø0_", min_size=1, max_size=12),
    st.text(_LETTERS, min_size=60, max_size=70),
    st.sampled_from(["The", "THE", "London", "Mohammed", "Koran", "Teheran", "Zyzzyva"]),
    st.sampled_from(["Odessa", "Jehudi", "Maacah", "Qzxqzx", "Begat", "THEE", "Kabul"]),
)


@pytest.fixture(autouse=True, scope="module")
def _compiled_core():
    with core.using("compiled"):
        yield


def _frequencies():
    """The frequencies with their dict of every plain word made (as after 128 words)."""
    frequencies = english_frequencies()
    if frequencies._zipf is None:
        frequencies.zipf("the")
        frequencies._asked = 10**9
        frequencies.zipf("the")
    assert frequencies._zipf is not None
    return frequencies


def _weighing() -> Weighing:
    weighing = Normaliser(phonetic="apply")._weighing
    assert weighing is not None and weighing.token_screen() is not None
    return weighing


@functools.cache
def _default() -> Weighing:
    return _weighing()


def _plain_only(token: str) -> float:
    """``english_zipf`` for a token the screen may not read itself; fails for the others."""
    lower = token.lower()
    assert not (lower.isascii() and lower.isalpha() and len(token) <= 64), token
    return english_zipf(token)


@settings(max_examples=300, deadline=None)
@given(_WORDS)
def test_the_screen_reads_the_frequency_english_zipf_gives(token) -> None:
    """The same float as ``english_zipf``, read in C for every token of the letters a-z
    (``_plain_only`` fails if such a token is handed back) and asked of it for the rest."""
    module = core.compiled_module()
    english_zipf.cache_clear()
    assert module.screen_zipf(_frequencies(), token, _plain_only) == english_zipf(token)


def test_the_screen_reads_common_words_and_names_as_english_zipf() -> None:
    module, frequencies = core.compiled_module(), _frequencies()
    words = sorted(common_english_words(4.0))[::40]
    tokens = [*words, *(w.capitalize() for w in words), *(w.upper() for w in words)]
    tokens += ["Zzyzx", "Qaddafi", "Kandahari", "A", "I"]
    english_zipf.cache_clear()
    found = [module.screen_zipf(frequencies, t, _plain_only) for t in tokens]
    assert found == [english_zipf(t) for t in tokens]
    assert len({f for f in found if f > 0}) > 10  # many buckets, not one answer


def test_before_the_dict_is_made_the_screen_asks_english_zipf() -> None:
    """Until the frequencies hold their dict, every token is asked of ``english_zipf`` (the
    buckets' text answers it there): the screen never reads a dict that is not made."""
    from normalise.english import EnglishFrequencies

    module = core.compiled_module()
    made = _frequencies()
    fresh = EnglishFrequencies(made.absent, made.buckets)
    asked: list[str] = []

    def zipf_of(token: str) -> float:
        asked.append(token)
        return english_zipf(token)

    assert module.screen_zipf(fresh, "London", zipf_of) == english_zipf("London")
    assert asked == ["London"]


@settings(max_examples=100, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=20), st.booleans())
def test_the_screen_loop_with_the_frequencies_answers_as_wanted(tokens, with_common) -> None:
    weighing = _default()
    common = common_english_words(weighing._refused_zipf) if with_common else None
    assert_screen_loop_answers_as_wanted(weighing, tokens, common, _plain_only, _frequencies())


def test_the_pass_screens_real_text_as_the_reference() -> None:
    """:meth:`Weighing._screen_in_c` (the frequencies handed to the screen) against
    :meth:`Weighing.wanted`, on every distinct capitalised word of the README and the seed
    reports, with names near the table's."""
    paths = [ROOT / "README.md", *sorted((ROOT / "seeds").glob("*.txt"))]
    text = "\n".join(p.read_text(encoding="utf-8") for p in paths)
    tokens = {w for w in text.split() if w[:1].isupper()}
    tokens |= {w.strip(".,;:()\"'") for w in tokens}
    tokens |= {"Darrah", "Gotha", "Nicolai", "Fatwa", "Teheran", "Kandahari", "Jehudi"}
    tokens.discard("")
    _frequencies()
    compiled, reference = _weighing(), _weighing()
    found = compiled._screen_in_c(compiled.token_screen(), set(tokens))
    assert sorted(found) == [t for t in sorted(tokens) if reference.wanted(t)]
    assert compiled._wanted == reference._wanted and compiled._acting == reference._acting
    assert 5 < len(found) < len(tokens) - 300
