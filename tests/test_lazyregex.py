"""Patterns compiled at their first use (:mod:`normalise.lazyregex`): the same answers as the
compiled pattern, and none of the lazy ones compiled by importing the command."""

from __future__ import annotations

import subprocess
import sys

import regex
from hypothesis import given
from hypothesis import strategies as st

from normalise import lazyregex
from normalise.lazyregex import LazyPattern, lazy_compile

SOURCES = [(r"(?r)[\w\p{M}]+", 0), (r"\bknown[\t ]+as", regex.IGNORECASE), (r"\p{Lu}", 0)]


@given(st.sampled_from(SOURCES), st.text(), st.integers(0, 20))
def test_a_lazy_pattern_answers_as_the_compiled_one(source, text, pos):
    lazy, compiled = lazy_compile(*source), regex.compile(*source)
    found, expected = lazy.search(text, pos), compiled.search(text, pos)
    assert (found and found.span()) == (expected and expected.span())
    assert lazy.findall(text) == compiled.findall(text)
    assert lazy.sub("-", text) == compiled.sub("-", text)
    assert lazy.pattern == compiled.pattern and lazy.flags == compiled.flags


def test_a_lazy_pattern_is_compiled_once_at_its_first_use(monkeypatch):
    made, real = [], regex.compile

    def compile(*source):
        made.append(source)
        return real(*source)

    monkeypatch.setattr(lazyregex.regex, "compile", compile)
    lazy = LazyPattern(r"\p{M}")
    assert made == []
    assert lazy.search("e\u0301").start() == 1
    assert lazy.match("\u0301") is not None and lazy.search("\u0301") is not None
    assert isinstance(lazy.compiled(), regex.Pattern)
    assert made == [(r"\p{M}", 0)]


def test_importing_the_command_compiles_no_lazy_pattern():
    code = (
        "import normalise.cli\n"
        "from normalise import evidence, gazetteer, keep, sentence, settle\n"
        "from normalise.lazyregex import LazyPattern\n"
        "found = [(m.__name__, n) for m in (evidence, gazetteer, keep, sentence, settle)\n"
        "         for n, v in vars(m).items() if isinstance(v, LazyPattern)]\n"
        "assert len(found) >= 15, found\n"
        "compiled = [f for f in found if '_compiled' in vars(getattr(sys.modules[f[0]], f[1]))]\n"
        "print(compiled)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
