"""The index held flat (issue 17: a 100,000-variant table's start): ``_core.KeyTable`` made with
``every_key`` holds every key of a matcher's index as UTF-8 (ß, İ, combining marks, CJK, astral
code points, lone surrogates, the empty key, keys that are prefixes of each other), probed from
C for every key; :func:`normalise.flat_index.index_of_state` makes the same dict again (its
keys' order, each bucket's), which a matcher pickled without its dict gives the Python code
that still reads it. Each is compared with the dict it was made from, on hypothesis indexes.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import Normaliser, core
from normalise.flat_index import index_of_state, keeps_every_key
from normalise.phonetic import PhoneticMatcher
from tests.test_core import compares_cores
from tests.test_ranking_compiled import _NAMES, _TABLES

pytestmark = compares_cores

#: characters of one to four UTF-8 bytes: ASCII, ß, dotted I, dotless i, combining marks, CJK,
#: astral (an emoji, a CJK extension B ideograph, a private use one of the last plane), a lone
#: surrogate
_CHARS = "abcz:" + "ßİı" + "\u0301\u0308" + "波哥大" + "\U0001f600\U00020000\U0010fffd" + "\ud800"
_KEYS = st.text(alphabet=_CHARS, max_size=6)
_FORMS = 40


@st.composite
def _indexes(draw):
    """An index (key -> ascending form numbers) whose keys include prefixes of each other and
    maybe the empty key, a byte per form (1: a word of a multi-word form), and keys to probe
    that it may not hold."""
    keys = draw(st.lists(_KEYS, min_size=0, max_size=30, unique=True))
    prefixes = [k[:i] for k in keys for i in range(len(k)) if draw(st.booleans())]
    keys = list(dict.fromkeys(keys + prefixes))
    buckets = st.lists(st.integers(0, _FORMS - 1), min_size=1, max_size=6, unique=True)
    index = {key: sorted(draw(buckets)) for key in keys}
    parts = bytes(draw(st.lists(st.integers(0, 1), min_size=_FORMS, max_size=_FORMS)))
    probes = draw(st.lists(_KEYS, max_size=20)) + [k + "a" for k in keys] + [k[1:] for k in keys]
    return index, parts, probes


def _wholes_first(bucket: list[int], parts: bytes) -> list[int]:
    return [n for n in bucket if not parts[n]] + [n for n in bucket if parts[n]]


@settings(max_examples=300, deadline=None)
@given(_indexes())
def test_the_table_of_every_key_finds_what_the_index_finds(made) -> None:
    """Each key's bucket (whole forms first), made here, restored from its state with the
    hash kept and with it made again; a key the index lacks is found in none."""
    index, parts, probes = made
    module = core.compiled_module()
    table = module.KeyTable(index, parts, True)
    state = table.state()
    held, wholes, every_key = state
    assert every_key is True and len(table) == len(index)
    tables = [
        table,
        module.KeyTable.restored(state, _FORMS),
        module.KeyTable.restored((held[:5], wholes, every_key), _FORMS),
    ]
    for each in tables:
        assert each.keeps_every_key
        for key, bucket in index.items():
            assert each.bucket(key) == _wholes_first(bucket, parts), key
        for key in probes:
            expected = index.get(key)
            assert each.bucket(key) == (
                None if expected is None else _wholes_first(expected, parts)
            )


@settings(max_examples=300, deadline=None)
@given(_indexes())
def test_the_index_is_made_again_from_the_state(made) -> None:
    """:func:`index_of_state` gives the dict back: the same keys in the same order, each
    bucket in its order; a state of the ASCII keys only, or one that disagrees, is refused."""
    index, parts, _ = made
    module = core.compiled_module()
    for with_parts in (parts, None):
        state = module.KeyTable(index, with_parts, True).state()
        again = index_of_state((state, _FORMS, len(index)))
        assert list(again.items()) == list(index.items())
        assert [type(k) for k in again] == [str] * len(index)
        with pytest.raises(ValueError):
            index_of_state((state, _FORMS, len(index) + 1))
    ascii_only = module.KeyTable(index, parts).state()
    assert not keeps_every_key((ascii_only, _FORMS, len(index)))
    assert not module.KeyTable.restored(ascii_only, _FORMS).keeps_every_key
    assert module.KeyTable.restored(state, _FORMS).keeps_every_key
    with pytest.raises(ValueError):
        index_of_state((ascii_only, _FORMS, len(index)))
    if index and any(index.values()):
        with pytest.raises(ValueError):  # a form number past the forms
            index_of_state((state, max(max(b) for b in index.values()), len(index)))


def _fnv(key: bytes) -> int:
    h = 14695981039346656037
    for byte in key:
        h = ((h ^ byte) * 1099511628211) & (2**64 - 1)
    return h


#: two keys whose hashes share the tag a slot keeps (the high 32 bits) and the slot of a
#: table of 16 (the low 4 bits): found by a search over "ß" + a number
_COLLIDING = ("ß1852698", "ß3467054")


def test_keys_whose_hashes_collide_are_told_apart() -> None:
    a, b = (_fnv(k.encode()) for k in _COLLIDING)
    assert a != b and a >> 32 == b >> 32 and a & 15 == b & 15  # the search's claim holds
    module = core.compiled_module()
    one = module.KeyTable({_COLLIDING[0]: [0]}, None, True)
    assert one.bucket(_COLLIDING[0]) == [0] and one.bucket(_COLLIDING[1]) is None
    for order in (_COLLIDING, _COLLIDING[::-1]):
        both = module.KeyTable({order[0]: [0], order[1]: [1]}, None, True)
        assert both.bucket(order[0]) == [0] and both.bucket(order[1]) == [1]


def test_a_bucket_out_of_order_keeps_the_dict() -> None:
    """A table of every key needs ascending buckets (the dict is made again by merging the
    runs); a matcher whose index has another keeps its ASCII keys' table and its dict."""
    module = core.compiled_module()
    with pytest.raises(ValueError):
        module.KeyTable({"ab": [1, 0]}, None, True)
    with core.using("compiled"):
        matcher = PhoneticMatcher([("Taloqan", ["Taluqan"]), ("Kunduz", ["Kondoz"])])
        key = next(iter(matcher._index))
        matcher._index[key] = matcher._index[key][::-1] + [0] * (len(matcher._index[key]) == 1)
        matcher._key_table_state = matcher._key_table()
        assert not keeps_every_key(matcher._key_table_state)
        read_back = pickle.loads(pickle.dumps(matcher))
    assert read_back.__dict__["_index"] == matcher._index


def test_a_matcher_read_back_has_no_dict_until_asked() -> None:
    """Pickled with a table of every key, a matcher leaves its dict out; its compiled ranking
    and token screen never make it; the Python core's reading makes the same dict."""
    from normalise import phonetic

    kept = phonetic.KEEP_INDEX_KEYS
    phonetic.KEEP_INDEX_KEYS = 0
    try:
        built = core.using("compiled")
        with built:
            normaliser = Normaliser(phonetic="apply")
            blob = pickle.dumps(normaliser)
            read = pickle.loads(blob)
            text = "From Kandahaar to Mazar-e Sharif, Tehraan and Moskva: Ahmad met Katya."
            assert read.normalise(text) == normaliser.normalise(text)
            matcher = read.compiled.matcher
            assert read._weighing.token_screen().key_table.keeps_every_key
            assert "_index" not in matcher.__dict__
            rare = read._weighing._rare
            assert rare is None or "_index" not in rare.__dict__
            for token in ("Kandahaar", "Tehraan", "Moskva", "Taluqan"):  # ``check`` asks these
                assert matcher.candidates(token) == normaliser.compiled.matcher.candidates(token)
            assert "_index" not in matcher.__dict__  # looked up in the table
        expected = list(normaliser.compiled.matcher._index.items())
        assert list(matcher._index.items()) == expected  # made on first use
        if rare is not None:
            assert rare._index is matcher._index  # a view's is its matcher's
        with core.using("python"):
            assert pickle.loads(blob).normalise(text) == normaliser.normalise(text)
    finally:
        phonetic.KEEP_INDEX_KEYS = kept


@settings(max_examples=60, deadline=None)
@given(_TABLES, st.lists(_NAMES, min_size=1, max_size=25))
def test_a_ranker_of_the_flat_table_finds_and_ranks_as_the_index(table, tokens) -> None:
    """A matcher read back with its index held flat ranks through the table: every look-up
    key made as a string (``Ranker.look_up``) finds the forms the index's dict finds (the
    Python ``_matches``), and the rankings equal those of a ranker of the dict."""
    from normalise import phonetic

    entries = [(c, list(forms)) for c, forms, _ in table]
    module = core.compiled_module()
    kept = phonetic.KEEP_INDEX_KEYS
    try:
        with core.using("compiled"):
            by_dict = PhoneticMatcher(entries)  # too small to keep a table: its dict
            phonetic.KEEP_INDEX_KEYS = 0
            flat = pickle.loads(pickle.dumps(PhoneticMatcher(entries)))
            rankers = (by_dict._ranker(), flat._ranker())
    finally:
        phonetic.KEEP_INDEX_KEYS = kept
    assert by_dict._key_table_state is None and "_index" not in flat.__dict__
    for token in tokens:
        key = by_dict.romanisation.form_key(token)
        found = [module.matches_by_strings(r, key) for r in rankers]
        assert found[0] == found[1], token
        assert found[1] is None or found[1] == sorted(by_dict._matches(key)), token
        assert rankers[0].rank(key) == rankers[1].rank(key), token
    assert "_index" not in flat.__dict__  # the ranking never made the dict
