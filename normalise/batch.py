"""Many documents in worker processes, results in input order: the batch path of
:meth:`normalise.Normaliser.normalise_many`.

Why batches: a document of a few kilobytes takes well under a millisecond to normalise, less
than sending it to a process and its result back one at a time; batches of documents make
the transfer cheap next to the work. Each worker receives the normaliser once, at start.
At most ``window`` batches per worker are in flight, so a stream of any length is read
lazily and memory stays bounded.
"""

from __future__ import annotations

import itertools
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from .events import Result, Substitution
from .log import apply

if TYPE_CHECKING:
    from .rewrite import Normaliser

#: Documents sent to a worker at a time.
BATCH_SIZE = 64

_WORKER: Normaliser | None = None


def _init_worker(normaliser: Normaliser) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _WORKER = normaliser


def _work(texts: list[str]) -> list[list[tuple]]:
    """The records of each text, as tuples: the parent has the texts and rebuilds the output
    from them (half the bytes to send back)."""
    assert _WORKER is not None
    return [list(map(tuple, _WORKER.normalise(text).substitutions)) for text in texts]


def normalise_batched(
    normaliser: Normaliser,
    texts: Iterable[str],
    jobs: int,
    batch_size: int = BATCH_SIZE,
    window: int = 2,
) -> Iterator[Result]:
    """One :class:`~normalise.Result` per text, in order, computed in ``jobs`` processes."""
    iterator = iter(texts)
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(normaliser,)
    ) as executor:
        pending: deque = deque()
        try:
            while True:
                batch = list(itertools.islice(iterator, batch_size))
                if not batch:
                    break
                for text in batch:
                    if not isinstance(text, str):
                        raise TypeError(f"normalise() takes a str, not {type(text).__name__}")
                pending.append((batch, executor.submit(_work, batch)))
                if len(pending) >= window * jobs:
                    yield from _results(*pending.popleft(), Result)
            while pending:
                yield from _results(*pending.popleft(), Result)
        finally:  # a consumer that stops early (or an error) leaves no work running
            for _, future in pending:
                future.cancel()


def _results(texts: list[str], future, result_type) -> Iterator[Result]:
    for text, records in zip(texts, future.result(), strict=False):
        if not records:
            yield result_type(text, [])
            continue
        subs = [Substitution(*r) for r in records]
        yield result_type(apply(text, subs), subs)
