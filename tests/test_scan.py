"""The scanner's haystack: one byte per character, lossy outside ASCII, verified exactly."""

from __future__ import annotations

import pytest

from normalise import Normaliser
from normalise.scan import fold_form, fold_haystack

TABLE = """\
entries:
  - canonical: Kyiv
    kind: place
    variants: [Київ, Kiev]
  - canonical: Mazar-i-Sharif
    kind: place
    variants: [مزار شریف]
"""


@pytest.fixture(scope="module")
def n(tmp_path_factory) -> Normaliser:
    path = tmp_path_factory.mktemp("scan") / "table.yaml"
    path.write_text(TABLE, encoding="utf-8")
    return Normaliser([str(path)], default_table=False, phonetic="off")


def test_haystack_has_one_byte_per_character_kept():
    text = "Tāloqān — Київ, مزار شریف, 東京 \udcff e\u0301 ß"
    haystack, dropped = fold_haystack(text)
    assert len(haystack) == len(text) - len(dropped)
    assert haystack.startswith(b"taloqan   ")
    assert fold_form("Київ").encode("latin-1") == fold_haystack("Київ")[0]


def test_letters_that_share_a_byte_are_told_apart(n):
    # и (U+0438) and җ (U+0497) fold to the same haystack byte: the automaton finds both,
    # the verification on the original text keeps only the form the table lists
    other = "Кҗїв"
    assert fold_haystack(other) == fold_haystack("Київ")
    result = n.normalise(f"Київ, {other} and مزار شریف.")
    assert result.text == f"Kyiv, {other} and Mazar-i-Sharif."
    assert [s.original for s in result.substitutions] == ["Київ", "مزار شریف"]
