"""The compiled token screen (``_core.TokenScreen``, :meth:`Weighing.token_screen`) proves
what the Python proof proves (:meth:`Weighing.proved_idle`: the gates' checks, the required
scores, the spelling key and ``reaches`` of both matchers), token for token (issues 15, 17).

``idle`` True must mean the Python proof holds; False that it fails (or that only the
inflection check, which stays in Python, would have completed it); None only for a token the
C path does not hold. ``wanted_in_full`` with the screen equals its reference. Checked on
hypothesis words, on every distinct name token of the project's seed reports and, where it is
installed, of the FOLDOC dictionary, and on random tables of look-alike names (where the
proof fails often and the matcher for rare words is asked).
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from normalise import Normaliser, core
from normalise.chars import APOSTROPHES
from normalise.phonetic import english_zipf
from normalise.weigh import Weighing, acts
from tests.test_core import compares_cores
from tests.test_spelling_keys_compiled import _NAMES

pytestmark = compares_cores

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "seeds"
FOLDOC = Path("/usr/share/dictd/foldoc.dict.dz")
HELD = re.compile(f"[A-Za-z{re.escape(''.join(c for c in APOSTROPHES if c.isascii()))}]+")


@pytest.fixture(autouse=True, scope="module")
def _compiled_core():
    """Every test on the compiled core, the proof's Python reference included (on the
    Python core ``may_act`` proves nothing: the decision says), whatever NORMALISE_CORE is."""
    with core.using("compiled"):
        yield


def _weighing(**options) -> Weighing:
    with core.using("compiled"):
        weighing = Normaliser(phonetic="apply", **options)._weighing
    assert weighing is not None and weighing.token_screen() is not None
    return weighing


@functools.cache
def _default() -> Weighing:
    return _weighing()


def _check(weighing: Weighing, tokens) -> dict[object, int]:
    """Compare the screen with the Python proof on each token; count its answers."""
    screen, seen = weighing.token_screen(), {True: 0, False: 0, None: 0}
    for token in tokens:
        idle = screen.idle(token, english_zipf(token))
        proved = weighing.proved_idle(token)
        if idle is True:
            assert proved, token
        elif idle is False:
            assert not proved or weighing.matcher._inflection(token) is not None, token
        else:
            # handed back: a character C does not read, or a key outside a-z
            key = weighing.matcher.romanisation.form_key(token)
            assert not HELD.fullmatch(token) or not (key.isascii() and key.isalpha()), token
        seen[idle] += 1
    return seen


def _full_equals_reference(weighing: Weighing, tokens) -> None:
    reference = [not weighing.proved_idle(t) and acts(weighing.decide(t)[0]) for t in tokens]
    assert [weighing.wanted_in_full(t) for t in tokens] == reference


_WORDS = st.text(
    alphabet=st.sampled_from("ABKMTZabdehiknoqrstuyz'`’é-1 \n"), min_size=1, max_size=14
) | st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("BDKMSZTHQ"),
    st.text(alphabet="aeioubdkhmnrsyzq'", min_size=2, max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=20))
def test_hypothesis_words(tokens) -> None:
    weighing = _default()
    _check(weighing, tokens)
    _full_equals_reference(weighing, tokens)


def _name_tokens(text: str) -> list[str]:
    with core.using("compiled"):
        weighing = Normaliser(phonetic="apply")._weighing
    assert weighing is not None
    return sorted(weighing._name_tokens(text, []))


def test_every_token_of_the_project_texts() -> None:
    """Every distinct name token of the README and the seed reports (the project's own and,
    when reachable, the shared ones)."""
    paths = [ROOT / "README.md", *sorted((ROOT / "seeds").glob("*.txt"))]
    paths += sorted(SHARED.glob("*.txt")) if SHARED.is_dir() else []
    tokens = _name_tokens("\n".join(p.read_text(encoding="utf-8") for p in paths))
    assert len(tokens) > 300
    # won by the matcher for rare words; an English word the matcher alone may act on; names
    tokens += ["Darrah", "Gotha", "Nicolai", "Fatwa", "Teheran", "Kandahari", "Jehudi", "Maacah"]
    weighing = _default()
    seen = _check(weighing, tokens)
    assert seen[True] > 300 and seen[False] >= 8, seen
    _full_equals_reference(weighing, tokens)


@pytest.mark.skipif(not FOLDOC.exists(), reason="FOLDOC (dict-foldoc) is not installed")
def test_every_token_of_a_dictionary() -> None:
    """Every distinct name token of FOLDOC (about 15,000)."""
    with gzip.open(FOLDOC, "rt", errors="replace") as f:
        tokens = _name_tokens(f.read())
    assert len(tokens) > 10_000
    seen = _check(_default(), tokens)
    assert seen[True] > 10_000 and seen[False] > 5 and seen[None] > 5, seen


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(_NAMES, st.lists(_NAMES, max_size=3)),
        min_size=1,
        max_size=30,
        unique_by=lambda e: e[0],
    ),
    st.lists(
        _NAMES | st.sampled_from(["Hominy", "Teheran", "Kabulis", "Host", "Gotha"]), max_size=25
    ),
    st.sampled_from([{}, {"min_score": 0.6}, {"min_score": 0.99, "given_names": "always"}]),
)
def test_random_tables_of_look_alike_names(entries, tokens, options) -> None:
    """Tables where the tokens are near the forms: the proof fails as often as it holds."""
    from normalise.table import Entry, table_from_entries

    taken: set[str] = set()
    rows = []
    for canonical, forms in entries:
        if canonical.lower() in taken:
            continue
        taken.add(canonical.lower())
        variants = []
        for form in forms:
            if form.lower() not in taken:
                taken.add(form.lower())
                variants.append(form)
        rows.append(Entry(canonical, tuple(variants), kind="place"))
    table = table_from_entries(rows)
    weighing = _weighing(table=table, **options)
    forms = [f for entry in rows for f in (entry.canonical, *entry.variants)]
    near = [_near(f) for f in forms] + [f + "h" for f in forms] + [f[:-1] for f in forms]
    _check(weighing, tokens + forms + near)
    _full_equals_reference(weighing, tokens + near)


def _near(form: str) -> str:
    """A spelling of ``form`` with its last vowel changed."""
    for i in range(len(form) - 1, 0, -1):
        if form[i] in "aeiou":
            return form[:i] + ("e" if form[i] == "a" else "a") + form[i + 1 :]
    return form + "a"


def test_the_python_core_has_no_screen() -> None:
    with core.using("python"):
        weighing = Normaliser(phonetic="apply")._weighing
    assert weighing is not None and weighing.token_screen() is None


def _wanted_reference(weighing: Weighing, token: str, common) -> bool:
    """:meth:`Weighing.wanted`'s answer for a new token, with the set ``common`` or none."""
    if common is not None and token.isascii() and token.lower() in common:
        return False
    return english_zipf(token) < weighing._refused_zipf and weighing.wanted_in_full(token)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=20), st.booleans())
def test_the_screen_loop_answers_as_wanted(tokens, with_common) -> None:
    from normalise.phonetic import common_english_words

    weighing = _default()
    common = common_english_words(weighing._refused_zipf) if with_common else None
    assert_screen_loop_answers_as_wanted(weighing, tokens, common, english_zipf)


def assert_screen_loop_answers_as_wanted(weighing, tokens, common, zipf_of, *frequencies):
    """``TokenScreen.screen`` over ``tokens`` (``zipf_of`` as its ``english_zipf``, and the
    optional frequencies) stores and returns what :func:`_wanted_reference` answers."""
    wanted: dict[str, bool] = {}
    acting: set[str] = set()
    found = weighing.token_screen().screen(
        set(tokens),
        wanted,
        acting,
        common,
        weighing._refused_zipf,
        zipf_of,
        weighing._decided,
        weighing.wanted_in_full,
        1_000,
        *frequencies,
    )
    expected = {t: _wanted_reference(weighing, t, common) for t in set(tokens)}
    assert wanted == expected
    assert acting == set(found) == {t for t, w in expected.items() if w}


def test_the_screen_loop_on_real_tokens_and_its_bound() -> None:
    """The pass's loop (:meth:`Weighing._screen_in_c`) stores what :meth:`Weighing.wanted`
    stores, token by token; past the bound both start afresh."""
    paths = [ROOT / "README.md", *sorted((ROOT / "seeds").glob("*.txt"))]
    tokens = _name_tokens("\n".join(p.read_text(encoding="utf-8") for p in paths))
    tokens += ["Darrah", "Gotha", "Nicolai", "Fatwa", "Teheran", "Kandahari", "Jehudi"]
    compiled, reference = _weighing(), _weighing()
    found = compiled._screen_in_c(compiled.token_screen(), set(tokens))
    assert sorted(found) == [t for t in sorted(set(tokens)) if reference.wanted(t)]
    assert compiled._wanted == reference._wanted and compiled._acting == reference._acting
    assert 5 < len(found) < len(tokens) - 300
    wanted: dict[str, bool] = {}
    acting: set[str] = set()
    screen = compiled.token_screen()
    screen.screen(
        set(tokens),
        wanted,
        acting,
        None,
        compiled._refused_zipf,
        english_zipf,
        compiled._decided,
        compiled.wanted_in_full,
        10,
    )
    assert 0 < len(wanted) <= 10 and acting <= set(wanted)
    assert all(wanted[t] == reference._wanted[t] for t in wanted)


def _keys_of(weighing: Weighing, tokens) -> list[str]:
    key = weighing.matcher.romanisation.form_key
    return sorted({k for k in map(key, tokens) if k.isascii() and k.isalpha() and k.islower()})


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(_NAMES, st.lists(_NAMES, max_size=3)), min_size=1, max_size=30),
    st.lists(_NAMES, max_size=20),
)
def test_the_key_table_finds_what_the_index_finds(entries, tokens) -> None:
    """``reaches`` with the look-up keys probed in a ``KeyTable`` equals ``reaches`` (the
    index's dict asked with a string per key), at several floors, on the default table's
    matcher and on random tables of look-alike names."""
    from normalise.evidence import rare_word_matcher
    from normalise.phonetic import PhoneticMatcher

    module = core.compiled_module()
    built = PhoneticMatcher([(c, forms) for c, forms in entries])
    near = [_near(f) for c, forms in entries for f in (c, *forms)]
    for matcher in (_default().matcher, built, rare_word_matcher(built)):
        with core.using("compiled"):
            ranker = matcher._ranker()
        table = module.KeyTable(matcher._index)
        for key in _keys_of(_default(), tokens + near + ["Jehudi", "Maacah", "Teheran"]):
            for floor in (0.5, 0.86, 0.93, 1.0):
                assert module.reaches_by_table(ranker, table, key, floor) == module.reaches(
                    ranker, key, floor
                ), (key, floor)
