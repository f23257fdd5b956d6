"""A phonetic matcher's index made again from the flat buffers of its kept key table.

At 100,000 variants the index (``PhoneticMatcher._index``: look-up key -> form numbers) has
1.1 million keys; unpickled as a dict it cost 0.7 s and 290 MB of every command's start
(issue 17). A matcher built on the compiled core keeps the index as a ``_core.KeyTable`` of
every key (``KeyTable.state``: the keys' UTF-8 bytes one after another, where each ends,
where each bucket ends, how many of its numbers are whole forms, the numbers) and leaves the
dict out of its pickle: the compiled ranking and the token screen probe the table.

What still reads the dict (the Python core, ``candidates`` for ``check``, ``suggest`` and
the explain paths) gets it made here on first use, in pure Python (a matcher pickled with
the compiled core is read where that core does not run too: a Dask worker, the Python
core). It is the same dict: the keys in the index's order (the table keeps it) and each
bucket ascending (``PhoneticMatcher._add`` appends growing form numbers; the table refuses
a bucket that does not ascend), made by merging the table's whole and part runs.
"""

from __future__ import annotations

from typing import Any

#: ``KeyTable.state()``'s buffers: keys, key ends, number ends, whole counts, numbers, slots
_BUFFERS = 6


def keeps_every_key(kept: Any) -> bool:
    """Whether a matcher's ``_key_table_state`` (``(state, forms, index keys)`` or None)
    holds every key of its index, so that the dict can be made again from it: a state of
    older code holds only the ASCII keys (two flags: its buffers and ``has_wholes``)."""
    if not isinstance(kept, tuple) or len(kept) != 3:
        return False
    state = kept[0]
    return isinstance(state, tuple) and len(state) == 3 and state[2] is True


def index_of_state(kept: Any) -> dict[str, list[int]]:
    """The index a matcher's ``_key_table_state`` of every key was made from (ValueError
    when it does not hold one, or its buffers disagree)."""
    if not keeps_every_key(kept):
        raise ValueError("the kept key table does not hold every key of the index")
    (held, _, _), forms, n_keys = kept
    if len(held) not in (_BUFFERS - 1, _BUFFERS) or not all(type(b) is bytes for b in held):
        raise ValueError("a key table's state is five or six bytes objects")
    keys = held[0]
    key_end, number_end, wholes, numbers = (memoryview(b).cast("i") for b in held[1:5])
    if not len(key_end) == len(number_end) == len(wholes) == n_keys:
        raise ValueError("a key table's buffers disagree")
    index: dict[str, list[int]] = {}
    start = first = 0
    for end, last, whole in zip(key_end, number_end, wholes, strict=True):
        key = keys[start:end].decode("utf-8", "surrogatepass")
        bucket = numbers[first:last].tolist()
        if whole < len(bucket):  # the whole forms' run, then the parts': both ascend
            bucket.sort()
        index[key] = bucket
        start, first = end, last
    if start != len(keys) or first != len(numbers) or len(index) != n_keys:
        raise ValueError("a key table's buffers disagree")
    if numbers and not 0 <= min(numbers) <= max(numbers) < forms:
        raise ValueError("a key table's form number past the forms")
    return index
