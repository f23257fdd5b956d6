"""A :class:`~normalise.Normaliser` as bytes that depend only on what it was built from.

Why: ``datasets`` names its cache of a ``.map`` by a hash of the pickled function, normaliser
included, and workers of ``multiprocessing`` or Dask receive it pickled. Python pickles a set
in the order of its elements' hashes, which change with every interpreter (``PYTHONHASHSEED``),
so a plain pickle of the same tables differs from run to run and the ``datasets`` cache is
never hit again. Here every set and frozenset is written in sorted order (and every dict whose
keys are all strings or all integers sorted by key: a translation table built from a set), so that two builds of the same tables with the same options give
the same bytes in any process, before and after use (no per-text cache is part of the state).
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable
from typing import Any

#: The protocol of the canonical bytes: fixed, so that the bytes do not change with Python's
#: default.
PROTOCOL = 4


def _sorted(items: Iterable[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:  # mixed or unorderable elements: order by their own canonical bytes
        return sorted(items, key=dumps)


#: The pure-Python pickler (the C one cannot be told how to write a set); untyped.
_PurePickler: Any = pickle._Pickler


class _CanonicalPickler(_PurePickler):  # type: ignore[misc]
    """The pure-Python pickler with sets, frozensets and dicts of string or integer keys in
    sorted order
    (the C pickler cannot be told how to write a set)."""

    dispatch = _PurePickler.dispatch.copy()

    def save_set(self, obj: set[Any]) -> None:
        self.save_reduce(set, (_sorted(obj),), obj=obj)

    def save_frozenset(self, obj: frozenset[Any]) -> None:
        self.save_reduce(frozenset, (_sorted(obj),), obj=obj)

    def _batch_setitems(self, items: Iterable[tuple[Any, Any]], *args: Any) -> None:
        items = list(items)
        if (
            items
            and len({type(k) for k, _ in items} & {str, int}) == 1
            and all(type(k) in (str, int) for k, _ in items)
        ):
            items.sort(key=lambda kv: kv[0])
        super()._batch_setitems(iter(items), *args)

    dispatch[set] = save_set
    dispatch[frozenset] = save_frozenset

    def memoize(self, obj: Any) -> None:
        # Strings equal in value but not in identity must give the same bytes, so strings are
        # never memoised (the bytes then do not depend on which strings the build shared).
        if type(obj) is not str:
            super().memoize(obj)


def dumps(obj: Any) -> bytes:
    """Canonical pickle of ``obj``: the same value gives the same bytes in any process."""
    out = io.BytesIO()
    _CanonicalPickler(out, protocol=PROTOCOL).dump(obj)
    return out.getvalue()


def reduce_normaliser(normaliser: Any) -> tuple[Any, ...]:
    """``__reduce__`` of a :class:`~normalise.Normaliser`: its state as canonical bytes.

    The pure-Python pickler is an order of magnitude slower than the C one (seconds for the
    largest tables), so the bytes are kept on the object once made, or once read (a built
    normaliser does not change), outside its state: sending it to many workers, or writing
    it to the cache after reading it, costs one pickling at most."""
    data = normaliser.__dict__.get(_KEPT)
    if data is None:
        data = dumps(normaliser.__getstate__())
        normaliser.__dict__[_KEPT] = data
    return (restore, (type(normaliser), data))


def restore(cls: type, data: bytes) -> Any:
    """The normaliser that :func:`reduce_normaliser` wrote."""
    new: Any = cls.__new__  # the class's own, as unpickling does
    normaliser = new(cls)
    normaliser.__setstate__(pickle.loads(data))
    normaliser.__dict__[_KEPT] = data
    return normaliser


#: The attribute that keeps a normaliser's canonical bytes (never part of its state).
_KEPT = "_canonical_state"
