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

from .log import Substitution

if TYPE_CHECKING:
    from .rewrite import Normaliser, Result

#: Documents sent to a worker at a time.
BATCH_SIZE = 64

_WORKER: Normaliser | None = None


def _init_worker(normaliser: Normaliser) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _WORKER = normaliser


def _work(texts: list[str]) -> list[tuple[str, list[tuple]]]:
    assert _WORKER is not None
    results = []
    for text in texts:
        result = _WORKER.normalise(text)
        results.append((result.text, [tuple(s) for s in result.substitutions]))
    return results


def normalise_batched(normaliser: Normaliser, texts: Iterable[str], jobs: int,
                      batch_size: int = BATCH_SIZE, window: int = 2) -> Iterator[Result]:
    """One :class:`~normalise.Result` per text, in order, computed in ``jobs`` processes."""
    from .rewrite import Result

    iterator = iter(texts)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(normaliser,)) as executor:
        pending: deque = deque()
        try:
            while True:
                batch = list(itertools.islice(iterator, batch_size))
                if not batch:
                    break
                for text in batch:
                    if not isinstance(text, str):
                        raise TypeError(f"normalise() takes a str, not {type(text).__name__}")
                pending.append(executor.submit(_work, batch))
                if len(pending) >= window * jobs:
                    yield from _results(pending.popleft().result(), Result)
            while pending:
                yield from _results(pending.popleft().result(), Result)
        finally:  # a consumer that stops early (or an error) leaves no work running
            for future in pending:
                future.cancel()


def _results(batch: list[tuple[str, list[tuple]]], result_type) -> Iterator[Result]:
    for text, subs in batch:
        yield result_type(text, [Substitution(*s) for s in subs])
