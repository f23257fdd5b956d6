"""What a matcher keeps for the compiled ranking (issues 15 and 17: the first decision per
distinct token at 100,000 variants): its index as a ``KeyTable``'s buffers, each bucket's whole
forms first (``KeyTable.state``, restored by the token screen without reading the index), its
forms' records (``Ranker.records``, taken by a new ranker without reading a form's tuple), and
the ranking's bound by the keys' weights (``weight_ratio``).

Each must give the answers of the reference: ``reaches`` and the rankings equal those of a
matcher that keeps nothing (the index's dict asked with a string per key, each form read from
its tuple when met), and those of the Python ranking; whole normalisers read back give the
same text and records with and without what they keep. A state or records that do not hold
are refused (ValueError), never read.
"""

from __future__ import annotations

import pickle
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import Normaliser, core
from normalise.phonetic import PhoneticMatcher
from tests.test_core import compares_cores
from tests.test_ranking_compiled import _NAMES as _LOOK_ALIKE
from tests.test_ranking_compiled import _TABLES, _assert_same
from tests.test_spelling_keys_compiled import (
    _LOOK_ALIKE_TABLES,
    _NEAR_TOKENS,
    _matchers,
    letters_only,
)

pytestmark = compares_cores


@pytest.fixture(autouse=True, scope="module")
def _every_matcher_keeps():
    """Every matcher built here keeps its table and records (by default only those of
    ``KEEP_INDEX_KEYS`` index keys or more: 100,000 variants, not these small tables)."""
    from normalise import phonetic

    kept = phonetic.KEEP_INDEX_KEYS
    phonetic.KEEP_INDEX_KEYS = 0
    yield
    phonetic.KEEP_INDEX_KEYS = kept


#: a paragraph of our own: names of the default table spelt as the table does not, beside
#: its own forms, and English words the gates refuse
TEXT = (
    "From Kabul the convoy drove to Kandahar and on to Lashkargah; at Heraat and at "
    "Mazar-e Sharif the Taliban held the roads. In Tehran and Teheran, in Mashad, Isfahan "
    "and Shiraz, officials met the envoy from Baghdad; Mosul, Kirkuk and Arbil reported "
    "calm. The ministers of Syria spoke in Damascus, Aleppo, Homs and Hama, and the Houthis "
    "in Sanaa, Sana'a and Hudaydah. Abandon the Abbey, said Kandahari elders at Jalalabad."
)


def _compiled(make):
    with core.using("compiled"):
        return make()


def _keys(matcher: PhoneticMatcher, tokens) -> list[str]:
    key = matcher.romanisation.form_key
    return sorted({k for k in map(key, tokens) if letters_only(k)})


def _near(form: str) -> list[str]:
    """Spellings of ``form`` a vowel or a letter away."""
    out = [form + "a", form[:-1]]
    for i in range(1, len(form)):
        if form[i] in "aeiou":
            out.append(form[:i] + ("e" if form[i] == "a" else "a") + form[i + 1 :])
            break
    return out


def _check_reaches(matcher: PhoneticMatcher, tokens) -> int:
    """``reaches`` through the kept table, restored, equals ``reaches`` by the index's dict at
    several floors; returns how many answers were True."""
    module = core.compiled_module()
    with core.using("compiled"):
        ranker = matcher._ranker()
    state, forms, keys = matcher._key_table_state
    assert (forms, keys) == (len(matcher._forms), len(matcher._index))
    restored = module.KeyTable.restored(state, forms)
    assert restored.keeps_wholes
    assert len(state[0]) == 6  # the hash kept: read back, not made again
    hashed = module.KeyTable.restored((state[0][:5], state[1]), forms)  # the hash made
    reached = 0
    for key in _keys(matcher, tokens):
        for floor in (0.5, 0.86, 0.93, 1.0):
            expected = module.reaches(ranker, key, floor)
            assert module.reaches_by_table(ranker, restored, key, floor) == expected, (key, floor)
            assert module.reaches_by_table(ranker, hashed, key, floor) == expected, (key, floor)
            reached += expected is True
    return reached


@settings(max_examples=40, deadline=None)
@given(
    _LOOK_ALIKE_TABLES,
    _NEAR_TOKENS,
)
def test_the_kept_table_reaches_as_the_index_on_random_tables(table, tokens) -> None:
    """Random tables of look-alike names, multi-word forms among them (their words are
    indexed as parts, which the kept buckets list after the whole forms), with tokens near
    the table's forms: ``reaches`` through the restored table equals ``reaches``."""
    matcher, rare = _compiled(lambda: _matchers(table))
    near = [n for c, forms, _ in table for f in (c, *forms) for n in _near(f)]
    for each in (matcher, rare):
        _check_reaches(each, tokens + near)


def test_the_kept_table_reaches_as_the_index_on_the_default_table() -> None:
    """Every form of the default table and spellings near each: many reach."""
    matcher = _compiled(lambda: Normaliser(phonetic="apply").compiled.matcher)
    if matcher._key_table_state is None:  # read from a cache written without it
        matcher = _compiled(lambda: pickle.loads(pickle.dumps(matcher)))
        matcher._key_table_state = matcher._key_table()
    forms = [f.form for f in matcher._forms if not f.part][:600]
    tokens = [n for f in forms for n in (f, *_near(f))]
    assert _check_reaches(matcher, tokens) > 500


def test_a_small_index_keeps_nothing_by_default() -> None:
    from normalise import phonetic

    phonetic.KEEP_INDEX_KEYS = 65_536
    try:
        matcher = _compiled(lambda: PhoneticMatcher([("Taloqan", ["Taluqan"])]))
    finally:
        phonetic.KEEP_INDEX_KEYS = 0
    assert matcher._key_table_state is None and matcher._form_records is None
    assert _compiled(lambda: pickle.loads(pickle.dumps(matcher))._ranker()).rank("taluqan")


def test_a_state_that_does_not_hold_is_refused() -> None:
    matcher = _compiled(lambda: PhoneticMatcher([("Taloqan", ["Taluqan"]), ("Kunduz", [])]))
    module = core.compiled_module()
    (held, wholes, every_key), forms, _ = matcher._key_table_state
    assert every_key is True
    module.KeyTable.restored((held, wholes), forms)  # as older code kept it: ASCII keys
    for flags in ((), (wholes, every_key, every_key)):
        with pytest.raises(ValueError):
            module.KeyTable.restored((held, *flags), forms)
    keys, key_end, number_end, whole, numbers, slots = held
    bad_number = numbers[:-4] + struct.pack("=i", forms)
    backwards = struct.pack("=i", 99) + key_end[4:]
    used = [i for i in range(0, len(slots), 8) if slots[i : i + 8] != bytes(8)]
    empty = next(i for i in range(0, len(slots), 8) if slots[i : i + 8] == bytes(8))
    n_keys = len(key_end) // 4

    def slot(at: int, value: int) -> bytes:
        return slots[:at] + struct.pack("=Q", value) + slots[at + 8 :]

    for bad_slots in (
        slots[:-8],  # another size
        slot(used[0], n_keys + 1),  # a key past the keys
        slot(used[0], 1 << 40),  # a tag without a key
        slot(used[0], 0),  # a key missing
        slot(empty, 1),  # a key twice: one more than the keys
    ):
        with pytest.raises(ValueError):
            module.KeyTable.restored(((*held[:5], bad_slots), wholes), forms)
    for state in (
        (held[:4], wholes),
        ((keys, key_end[:-4], number_end, whole, numbers), wholes),
        ((keys, key_end, number_end, whole, bad_number), wholes),
        ((keys, backwards, number_end, whole, numbers), wholes),
        ((keys, key_end, number_end, struct.pack("=i", 99) + whole[4:], numbers), wholes),
    ):
        with pytest.raises(ValueError):
            module.KeyTable.restored(state, forms)
    with pytest.raises(ValueError):
        module.KeyTable.restored((held, wholes), forms - 1)  # numbers past the forms


@settings(max_examples=40, deadline=None)
@given(_TABLES, st.lists(_LOOK_ALIKE, min_size=1, max_size=25))
def test_kept_records_rank_as_the_reference(table, tokens) -> None:
    """A matcher read back takes its forms' records into its new ranker: its decisions
    equal the Python ones (pruned and full); keys outside a-z (read when met) among them."""
    matcher = _compiled(
        lambda: PhoneticMatcher([(c, [f + suffix for f in forms]) for c, forms, suffix in table])
    )
    assert matcher._form_records is not None
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy._form_records is not None and copy._compiled_ranker is None
    _assert_same(copy, tokens)


def test_records_that_do_not_hold_are_refused() -> None:
    matcher = _compiled(lambda: PhoneticMatcher([("Taloqan", ["Taluqan"]), ("Kunduz", [])]))
    records, pool = matcher._form_records
    copy = pickle.loads(pickle.dumps(matcher))
    ranker = _compiled(copy._ranker)  # took the records
    first = ranker.rank("taluqan")
    fresh = _compiled(lambda: pickle.loads(pickle.dumps(matcher)))
    fresh._form_records = None
    assert _compiled(fresh._ranker).rank("taluqan") == first
    size = len(records) // len(matcher._forms)
    code = size - 9  # the first of a record's inline letters
    for bad in (
        (records[:-1], pool),
        (records[:code] + bytes([26]) + records[code + 1 :], pool),  # a letter past z
        (records[:12] + struct.pack("=I", 7) + records[16:], pool),  # a token's stamp
    ):
        other = _compiled(lambda: pickle.loads(pickle.dumps(matcher)))
        other._form_records = None
        made = _compiled(other._ranker)
        with pytest.raises(ValueError):
            made.restore(bad)
        assert made.rank("taluqan") == first  # nothing was taken


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
)
def test_the_weight_ratio_bounds_the_distance(a: str, b: str) -> None:
    """The bound the ranking drops forms by: a distance is at least ``weight_ratio`` times
    the keys' weights' difference (every edit costs at least that per unit of weight)."""
    matcher = _default_matcher()
    costs = matcher.romanisation.costs
    ratio = core.compiled_module().ranker_weight_ratio(_compiled(matcher._ranker))
    assert ratio == pytest.approx(0.4)  # dropping a c (0.4) takes away a weight of 1
    gap = abs(costs.weight(a) - costs.weight(b))
    assert _compiled(lambda: costs.distance(a, b)) >= ratio * gap - 1e-12


_MATCHER: list[PhoneticMatcher] = []


def _default_matcher() -> PhoneticMatcher:
    if not _MATCHER:
        _MATCHER.append(_compiled(lambda: Normaliser(phonetic="apply").compiled.matcher))
    return _MATCHER[0]


def _results(normaliser: Normaliser, texts: list[str]):
    out = []
    for result in normaliser.normalise_many(texts):
        out.append((result.text, [tuple(s) for s in result.substitutions]))
    return out


def test_normalisers_read_back_give_the_same_text_and_records() -> None:
    """A normaliser read back uses what its matcher kept (restored after a few tokens); one
    whose kept parts are taken away reads the index and the forms: the same text, the same
    records, on the compiled core and on the Python one."""
    built = _compiled(lambda: Normaliser(phonetic="apply"))
    forms = [f.form for f in built.compiled.matcher._forms if not f.part and f.form.isalpha()]
    near = " and ".join(n for f in forms[:: max(1, len(forms) // 60)] for n in _near(f))
    texts = [TEXT, TEXT.replace("Heraat", "Herat"), f"They went to {near}.", TEXT.upper()]
    if built.compiled.matcher._key_table_state is None:  # read from a cache written before
        built.compiled.matcher._key_table_state = built.compiled.matcher._key_table()
        built.compiled.matcher._form_records = _compiled(built.compiled.matcher._ranker).records()
        built.__dict__.pop("_canonical_state", None)
    blob = pickle.dumps(built)
    kept = _compiled(lambda: _results(pickle.loads(blob), texts))
    bare = _compiled(lambda: pickle.loads(blob))
    assert "_index" not in bare.compiled.matcher.__dict__  # the kept table holds it
    bare.compiled.matcher._index = bare.compiled.matcher._index  # made from the table
    bare.compiled.matcher._key_table_state = None
    bare.compiled.matcher._form_records = None
    assert _compiled(lambda: _results(bare, texts)) == kept
    with core.using("python"):
        assert _results(pickle.loads(blob), texts) == kept
    screen = _compiled(lambda: pickle.loads(blob))
    _compiled(lambda: _results(screen, texts))
    assert _compiled(screen._weighing.token_screen).key_table.keeps_wholes  # the kept one


def test_kept_records_of_long_keys_rank_as_the_reference() -> None:
    """Keys longer than a record holds inline are kept in the pool: read back, they rank
    as the reference ranks them."""
    names = ["Mazarisharifabad", "Kohnehshahrestan", "Dasht-e Margoabad", "Shahrisabzkent"]
    matcher = _compiled(lambda: PhoneticMatcher([(n, [n + "a", n[:-1] + "e"]) for n in names]))
    copy = pickle.loads(pickle.dumps(matcher))
    tokens = [t for n in names for t in (*_near(n.replace(" ", "").replace("-", "")), n)]
    assert _assert_same(copy, tokens) > 8


@settings(max_examples=30, deadline=None)
@given(_TABLES, st.lists(_LOOK_ALIKE, min_size=1, max_size=25))
def test_a_view_ranks_with_its_matchers_ranker(table, tokens) -> None:
    """A view of a matcher (the matcher for rare words, ``PhoneticMatcher.view``) ranks with
    its matcher's compiled ranker, read back or not: one ranker made, the view's decisions
    those of the Python reference (pruned and full)."""
    from normalise.evidence import rare_word_matcher

    matcher = _compiled(lambda: PhoneticMatcher([(c, list(forms)) for c, forms, _ in table]))
    for owner in (matcher, pickle.loads(pickle.dumps(matcher))):
        rare = rare_word_matcher(owner)
        assert rare is not None and rare.common_word_zipf != owner.common_word_zipf
        with core.using("compiled"):
            assert rare._ranker() is owner._ranker() is not None
        _assert_same(rare, tokens)
        _assert_same(owner, tokens)


def test_a_view_of_other_forms_makes_its_own_ranker() -> None:
    matcher = _compiled(lambda: PhoneticMatcher([("Taloqan", ["Taluqan"]), ("Kunduz", [])]))
    view = matcher.view(common_word_zipf=9.0, known_word_penalty=0.0)
    view._forms = list(view._forms)  # no longer the matcher's forms
    with core.using("compiled"):
        assert view._ranker() is not matcher._ranker()
