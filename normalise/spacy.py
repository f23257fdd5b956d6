"""spaCy integration: a tokenizer that normalises the text before tokenising it.

spaCy's components cannot change a Doc's text, so a text-changing step belongs in the
tokenizer (spaCy's documented place for it: a function in ``spacy.registry.tokenizers``,
named in the ``[nlp.tokenizer]`` block of the config). The tokenizer ``normalise.Tokenizer.v1``
is registered through the ``spacy_tokenizers`` entry point, so a config that names it works
without importing this module::

    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "normalise.Tokenizer.v1"}}})

Each Doc holds its substitution records as plain data in ``doc.user_data["normalise"]`` (so
they survive ``Doc.to_bytes``, ``DocBin(store_user_data=True)`` and ``nlp.pipe(n_process=2)``),
and extension attributes map tokens, spans and entities back to the original text.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import registry

from .log import Substitution, undo
from .rewrite import Normaliser, Result

#: The key of the records in ``Doc.user_data``.
USER_DATA_KEY = "normalise"
#: The name of the tokenizer in spaCy's registry (and of the entry point).
TOKENIZER_NAME = "normalise.Tokenizer.v1"


class NormalisingTokenizer:
    """Normalises a text with a :class:`~normalise.Normaliser`, then tokenises the result with
    the pipeline's own tokenizer; the records go into ``doc.user_data``."""

    def __init__(self, tokenizer: Callable[[str], Doc], normaliser: Normaliser) -> None:
        self.tokenizer = tokenizer
        self.normaliser = normaliser
        register_extensions()

    def __call__(self, text: str) -> Doc:
        result = self.normaliser.normalise(text)
        doc = self.tokenizer(result.text)
        doc.user_data[USER_DATA_KEY] = [s.to_dict() for s in result.substitutions]
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # The normaliser comes from the config (tables, options); the wrapped tokenizer's own
    # data (special cases, rules) is saved and loaded as spaCy's tokenizer does it.
    def to_bytes(self, **kwargs: Any) -> bytes:
        data: bytes = self.tokenizer.to_bytes(**kwargs)  # type: ignore[attr-defined]
        return data

    def from_bytes(self, data: bytes, **kwargs: Any) -> NormalisingTokenizer:
        self.tokenizer.from_bytes(data, **kwargs)  # type: ignore[attr-defined]
        return self

    def to_disk(self, path: str | os.PathLike[str], **kwargs: Any) -> None:
        self.tokenizer.to_disk(path, **kwargs)  # type: ignore[attr-defined]

    def from_disk(self, path: str | os.PathLike[str], **kwargs: Any) -> NormalisingTokenizer:
        self.tokenizer.from_disk(path, **kwargs)  # type: ignore[attr-defined]
        return self


def create_tokenizer(
    tables: list[str] = [],  # noqa: B006 - spaCy's config reads the default
    default_table: bool = True,
    phonetic: str = "apply",
    min_score: float | None = None,
) -> Callable[[Any], NormalisingTokenizer]:
    """The factory spaCy calls for ``@tokenizers = "normalise.Tokenizer.v1"``; its arguments
    are those of :class:`~normalise.Normaliser` (through the cache of built tables)."""

    def make(nlp: Language) -> NormalisingTokenizer:
        base = registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        normaliser = Normaliser.cached(
            list(tables), default_table=default_table, phonetic=phonetic, min_score=min_score
        )
        return NormalisingTokenizer(base, normaliser)

    return make


registry.tokenizers.register(TOKENIZER_NAME, func=create_tokenizer)


def use(nlp: Language, normaliser: Normaliser | None = None) -> Language:
    """Put a normalising tokenizer in front of an existing pipeline's tokenizer (a loaded
    model, say) and return the pipeline. Unlike the config, this is not saved with
    ``nlp.to_disk``."""
    nlp.tokenizer = NormalisingTokenizer(nlp.tokenizer, normaliser or Normaliser.cached())
    return nlp


# ---------------------------------------------------------------- extension attributes

#: Results rebuilt from a Doc's records, by the identity of the records list (which the
#: entry keeps alive, so the identity is not reused): token getters do not rebuild it each time.
_RESULTS: OrderedDict[int, tuple[list[dict[str, Any]], Result]] = OrderedDict()
_RESULTS_KEPT = 64


def doc_result(doc: Doc) -> Result:
    """The :class:`~normalise.Result` that made ``doc`` (no substitutions when the Doc did not
    come from the normalising tokenizer)."""
    records = doc.user_data.get(USER_DATA_KEY)
    if records is None:
        return Result(doc.text, [])
    kept = _RESULTS.get(id(records))
    if kept is not None and kept[0] is records and kept[1].text == doc.text:
        return kept[1]
    result = Result(doc.text, [Substitution.from_dict(r) for r in records])
    _RESULTS[id(records)] = (records, result)
    if len(_RESULTS) > _RESULTS_KEPT:
        _RESULTS.popitem(last=False)
    return result


def _original_text(doc: Doc) -> str:
    return undo(doc.text, doc_result(doc).substitutions)


def _token_span(token: Token) -> tuple[int, int]:
    return doc_result(token.doc).original_span(token.idx, token.idx + len(token))


def _span_span(span: Span) -> tuple[int, int]:
    return doc_result(span.doc).original_span(span.start_char, span.end_char)


def _span_text(span: Span) -> str:
    start, end = _span_span(span)
    return _original_text(span.doc)[start:end]


def register_extensions() -> None:
    """``Doc._.normalisation`` (the Result), ``Doc._.original_text``, ``Token._.original_span``,
    ``Span._.original_span`` and ``Span._.original_text``: character offsets and text of the
    original input. Done on import of this module; calling it again is harmless."""
    doc_getters: dict[str, Callable[[Doc], Any]] = {
        "normalisation": doc_result,
        "original_text": _original_text,
    }
    span_getters: dict[str, Callable[[Span], Any]] = {
        "original_span": _span_span,
        "original_text": _span_text,
    }
    for name, doc_getter in doc_getters.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, getter=doc_getter)
    if not Token.has_extension("original_span"):
        Token.set_extension("original_span", getter=_token_span)
    for name, span_getter in span_getters.items():
        if not Span.has_extension(name):
            Span.set_extension(name, getter=span_getter)


register_extensions()
