# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled core of the table-only scan: whole-word hits, their verification and the
leftmost-longest choice, without a Python object per raw match (issue 17).

The pure-Python reference is :class:`normalise.scan.Scanner` (``ahocorasick_rs`` over the
folded haystack, then a ``match_key`` and a dict lookup per raw match). ``ahocorasick_rs``
returns a Python tuple per raw match, which on dense text costs more than the scan itself, and
it cannot be called per match from C. The forms are padded with spaces, so a hit can only start
where a word starts: a trie walked from each word start of the haystack finds exactly what the
Aho-Corasick automaton finds over the padded forms, with no failure links to build. Each
terminal of the trie holds the ASCII match keys that fold to it, so an ASCII span is verified by
comparing its key character by character, in place; a span with any other character, and every
chunk that holds combining marks, is verified by the reference's own ``match_key`` and dicts.
"""

from libc.stdint cimport int32_t, uint8_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memset


cdef extern from "Python.h":
    ctypedef struct PyTypeObject:
        object (*tp_alloc)(PyTypeObject *, Py_ssize_t)
    void PyTuple_SET_ITEM(object, Py_ssize_t, object)
    void Py_INCREF(object)
    int PyUnicode_KIND(object)
    void *PyUnicode_DATA(object)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index) nogil


cdef inline object make_hit(PyTypeObject *kind, Py_ssize_t start, Py_ssize_t end,
                            Py_ssize_t target):
    """A ``Hit(start, end, target)`` made as ``tuple.__new__`` makes a subclass's instance,
    without the Python-level ``__new__`` of the NamedTuple."""
    hit = kind.tp_alloc(kind, 3)
    cdef object a = start, b = end, c = target
    Py_INCREF(a)
    Py_INCREF(b)
    Py_INCREF(c)
    PyTuple_SET_ITEM(hit, 0, a)
    PyTuple_SET_ITEM(hit, 1, b)
    PyTuple_SET_ITEM(hit, 2, c)
    return hit


cdef struct Node:
    int32_t first     # first child: the children are one run, in byte order
    int32_t count     # number of children
    int32_t terminal  # index of the form that ends here, -1: none
    int32_t row       # row in the dense table (the root and its children), -1: none


cdef inline int32_t child(const Node *nodes, const uint8_t *label, const int32_t *dense,
                          int32_t node, uint8_t c) noexcept nogil:
    """The node under ``node`` by byte ``c``, or 0 (the root is nobody's child)."""
    cdef const Node *at = nodes + node
    if at.row >= 0:
        return dense[(<Py_ssize_t>at.row << 8) | c]
    cdef int32_t ch = at.first, last = at.first + at.count
    while ch < last:
        if label[ch] >= c:
            return ch if label[ch] == c else 0
        ch += 1
    return 0


cdef class Trie:
    """The folded forms of a :class:`normalise.scan.Scanner` as a byte trie, and the keys
    under which each verifies."""

    cdef int32_t *first       # first child of a node (0: none)
    cdef int32_t *sibling     # while building: next sibling (0: none); then: number of children
    cdef uint8_t *label       # the byte that leads to a node
    cdef int32_t *terminal    # index of the form that ends at a node, -1: none
    cdef int32_t *row         # row of a node in ``dense`` (the root and its children), -1: none
    cdef int32_t *dense       # 256 children per row
    cdef Node *packed         # the four above per node in one record (one cache line)
    cdef Py_ssize_t nodes, forms
    # per terminal: its candidate keys [cand_first, cand_first + cand_count)
    cdef int32_t *cand_first
    cdef int32_t *cand_count
    # per candidate: offset and length in ``key_bytes``, target, whether case-sensitive
    cdef int32_t *key_offset
    cdef int32_t *key_length
    cdef int32_t *key_target
    cdef uint8_t *key_exact
    cdef bytes key_bytes
    cdef uint8_t key_map[128]    # match_key of an ASCII character, case kept
    cdef uint8_t lower_map[128]  # the same, lower-cased
    cdef readonly object keys, exact_keys
    cdef object match_key, fold_haystack, hit, bisect_right, is_mark

    def __cinit__(self):
        self.first = self.sibling = self.terminal = self.row = self.dense = NULL
        self.label = NULL
        self.packed = NULL
        self.cand_first = self.cand_count = NULL
        self.key_offset = self.key_length = self.key_target = NULL
        self.key_exact = NULL

    def __dealloc__(self):
        free(self.first); free(self.sibling); free(self.label); free(self.terminal)
        free(self.row); free(self.dense); free(self.packed); free(self.cand_first); free(self.cand_count)
        free(self.key_offset); free(self.key_length); free(self.key_target)
        free(self.key_exact)

    def __init__(self, patterns, keys, exact_keys, *, match_key, fold_haystack, ascii_fold,
                 hit, key_map, bisect_right, is_mark):
        """``patterns``: the folded forms (str of code points < 256), sorted and distinct;
        ``keys``/``exact_keys``: the scanner's dicts; ``ascii_fold`` the byte table that folds
        ASCII text; ``key_map`` the match key of each ASCII character; the functions are the
        reference's own (:func:`normalise.scan.match_key`, ...), called where a span is not
        ASCII or the text holds combining marks."""
        self.keys, self.exact_keys = keys, exact_keys
        self.match_key, self.fold_haystack, self.hit = match_key, fold_haystack, hit
        self.bisect_right, self.is_mark = bisect_right, is_mark
        cdef int i
        for i in range(128):
            self.key_map[i] = key_map[i]
            self.lower_map[i] = key_map[i] + 32 if 65 <= key_map[i] <= 90 else key_map[i]
        encoded = sorted({p.encode("latin-1") for p in patterns})
        self._build_trie(encoded)
        self._build_keys(encoded, ascii_fold)

    cdef void _grow(self, Py_ssize_t size) except *:
        cdef void *p
        for name in range(4):
            if name == 0:
                p = realloc(self.first, size * sizeof(int32_t))
                if p == NULL: raise MemoryError()
                self.first = <int32_t *>p
            elif name == 1:
                p = realloc(self.sibling, size * sizeof(int32_t))
                if p == NULL: raise MemoryError()
                self.sibling = <int32_t *>p
            elif name == 2:
                p = realloc(self.terminal, size * sizeof(int32_t))
                if p == NULL: raise MemoryError()
                self.terminal = <int32_t *>p
            else:
                p = realloc(self.label, size * sizeof(uint8_t))
                if p == NULL: raise MemoryError()
                self.label = <uint8_t *>p

    def _build_trie(self, list encoded):
        cdef Py_ssize_t capacity = 1024, total = 1, i, depth, common, n
        cdef bytes pattern, previous = b""
        cdef const uint8_t *pb
        cdef const uint8_t *qb
        cdef int32_t node, new, last
        for pattern in encoded:
            total += len(pattern)
        capacity = total + 1
        self._grow(capacity)
        self.first[0] = self.sibling[0] = 0
        self.terminal[0] = -1
        self.label[0] = 0
        self.nodes = 1
        self.forms = len(encoded)
        cdef Py_ssize_t longest = max(map(len, encoded), default=0), previous_n = 0
        # the nodes of the previous pattern, root first; the last child of each node so far
        # (the patterns are sorted, so children come in byte order)
        cdef int32_t *path = <int32_t *>malloc((longest + 1) * sizeof(int32_t))
        cdef int32_t *last_child = <int32_t *>calloc(capacity, sizeof(int32_t))
        if path == NULL or last_child == NULL:
            free(path); free(last_child)
            raise MemoryError()
        path[0] = 0
        try:
            for i, pattern in enumerate(encoded):
                pb = pattern
                qb = previous
                n = len(pattern)
                common = 0
                while common < n and common < previous_n and pb[common] == qb[common]:
                    common += 1
                node = path[common]
                for depth in range(common, n):
                    new = <int32_t>self.nodes
                    self.nodes += 1
                    self.first[new] = self.sibling[new] = 0
                    self.terminal[new] = -1
                    self.label[new] = pb[depth]
                    last = last_child[node]
                    if last:
                        self.sibling[last] = new
                    else:
                        self.first[node] = new
                    last_child[node] = new
                    path[depth + 1] = new
                    node = new
                self.terminal[node] = i
                previous, previous_n = pattern, n
        finally:
            free(path); free(last_child)
        self._breadth_first()
        # dense rows for the root and its children: the first two bytes of every walk
        rows = [0, *range(self.first[0], self.first[0] + self.sibling[0])]
        self.row = <int32_t *>malloc(self.nodes * sizeof(int32_t))
        self.dense = <int32_t *>malloc(len(rows) * 256 * sizeof(int32_t))
        if self.row == NULL or self.dense == NULL:
            raise MemoryError()
        for i in range(self.nodes):
            self.row[i] = -1
        memset(self.dense, 0, len(rows) * 256 * sizeof(int32_t))
        for i, node in enumerate(rows):
            self.row[node] = <int32_t>i
            for new in range(self.first[node], self.first[node] + self.sibling[node]):
                self.dense[(i << 8) | self.label[new]] = new
        self.packed = <Node *>malloc(self.nodes * sizeof(Node))
        if self.packed == NULL:
            raise MemoryError()
        for i in range(self.nodes):
            self.packed[i].first = self.first[i]
            self.packed[i].count = self.sibling[i]
            self.packed[i].terminal = self.terminal[i]
            self.packed[i].row = self.row[i]
        # the walk reads only the packed records, the labels and the dense rows
        free(self.first); free(self.sibling); free(self.terminal); free(self.row)
        self.first = self.sibling = self.terminal = self.row = NULL

    cdef void _breadth_first(self) except *:
        """Renumber the nodes breadth first, so that the children of a node are one run of
        nodes (a scan of adjacent bytes, not a chase of siblings); ``sibling`` becomes the
        number of children."""
        cdef Py_ssize_t n = self.nodes, head = 0, tail = 1, new, old, ch, count
        cdef int32_t *order = <int32_t *>malloc(n * sizeof(int32_t))
        cdef int32_t *renamed = <int32_t *>malloc(n * sizeof(int32_t))
        cdef int32_t *first = <int32_t *>malloc(n * sizeof(int32_t))
        cdef int32_t *children = <int32_t *>malloc(n * sizeof(int32_t))
        cdef int32_t *terminal = <int32_t *>malloc(n * sizeof(int32_t))
        cdef uint8_t *label = <uint8_t *>malloc(n * sizeof(uint8_t))
        if (order == NULL or renamed == NULL or first == NULL or children == NULL
                or terminal == NULL or label == NULL):
            free(order); free(renamed); free(first); free(children); free(terminal); free(label)
            raise MemoryError()
        order[0] = renamed[0] = 0
        while head < tail:
            old = order[head]
            head += 1
            ch = self.first[old]
            while ch:
                order[tail] = <int32_t>ch
                renamed[ch] = <int32_t>tail
                tail += 1
                ch = self.sibling[ch]
        for new in range(n):
            old = order[new]
            label[new] = self.label[old]
            terminal[new] = self.terminal[old]
            ch = self.first[old]
            first[new] = renamed[ch] if ch else 0
            count = 0
            while ch:
                count += 1
                ch = self.sibling[ch]
            children[new] = <int32_t>count
        free(order); free(renamed)
        free(self.first); free(self.sibling); free(self.terminal); free(self.label)
        self.first, self.sibling, self.terminal, self.label = first, children, terminal, label

    def _build_keys(self, list encoded, bytes ascii_fold):
        """Attach each ASCII key to the terminal of its folded form: case-sensitive keys
        first, as the reference looks them up first."""
        index = {p: i for i, p in enumerate(encoded)}
        per_terminal = {}
        for exact, table in ((1, self.exact_keys), (0, self.keys)):
            for key, target in table.items():
                if not key.isascii():
                    continue  # an ASCII span never has a non-ASCII key
                t = index.get(key.encode("ascii").translate(ascii_fold))  # fold_haystack
                if t is not None:
                    per_terminal.setdefault(t, []).append((key.encode("ascii"), target, exact))
        cdef Py_ssize_t terminals = len(encoded), count = 0, i
        for found in per_terminal.values():
            count += len(found)
        self.cand_first = <int32_t *>malloc((terminals + 1) * sizeof(int32_t))
        self.cand_count = <int32_t *>malloc((terminals + 1) * sizeof(int32_t))
        self.key_offset = <int32_t *>malloc((count + 1) * sizeof(int32_t))
        self.key_length = <int32_t *>malloc((count + 1) * sizeof(int32_t))
        self.key_target = <int32_t *>malloc((count + 1) * sizeof(int32_t))
        self.key_exact = <uint8_t *>malloc((count + 1) * sizeof(uint8_t))
        if (self.cand_first == NULL or self.cand_count == NULL or self.key_offset == NULL
                or self.key_length == NULL or self.key_target == NULL or self.key_exact == NULL):
            raise MemoryError()
        parts = []
        cdef Py_ssize_t c = 0, offset = 0
        for i in range(terminals):
            found = per_terminal.get(i, ())
            self.cand_first[i] = <int32_t>c
            self.cand_count[i] = <int32_t>len(found)
            for key, target, exact in found:
                self.key_offset[c] = <int32_t>offset
                self.key_length[c] = <int32_t>len(key)
                self.key_target[c] = <int32_t>target
                self.key_exact[c] = exact
                parts.append(key)
                offset += len(key)
                c += 1
        self.key_bytes = b"".join(parts)

    cdef Py_ssize_t _verify(self, str text, int kind, void *data, Py_ssize_t start,
                            Py_ssize_t end, int32_t term) except -2:
        """The target of ``text[start:end]`` (a raw match of form ``term``), or -1."""
        cdef Py_ssize_t i, k, length = end - start
        cdef Py_UCS4 ch
        cdef bint ascii = True
        for i in range(start, end):
            if PyUnicode_READ(kind, data, i) >= 128:
                ascii = False
                break
        if not ascii:
            return self._verify_slow(text[start:end])
        cdef const uint8_t *keys = self.key_bytes
        cdef const uint8_t *key
        cdef const uint8_t *table
        for k in range(self.cand_first[term], self.cand_first[term] + self.cand_count[term]):
            if self.key_length[k] != length:
                continue
            key = keys + self.key_offset[k]
            table = &self.key_map[0] if self.key_exact[k] else &self.lower_map[0]
            for i in range(length):
                if table[PyUnicode_READ(kind, data, start + i)] != key[i]:
                    break
            else:
                return self.key_target[k]
        return -1

    cdef Py_ssize_t _verify_slow(self, str span) except -2:
        """The reference's verification (scan.Scanner.scan_overlapping), for any span."""
        target = None
        if self.exact_keys:
            target = self.exact_keys.get(self.match_key(span, True))
        if target is None:
            target = self.keys.get(self.match_key(span))
        return -1 if target is None else target

    def scan(self, str text):
        """Verified hits, non-overlapping, leftmost then longest: what
        :meth:`normalise.scan.Scanner.scan` returns."""
        if self.forms == 0 or not text:
            return []
        haystack, dropped = self.fold_haystack(text)
        if dropped:
            return self._scan_marked(text, haystack, dropped)
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef const uint8_t *hay = <bytes>haystack
        cdef Py_ssize_t n = len(<bytes>haystack), s, k, best_end, best_target, target
        cdef Py_ssize_t taken = 0
        cdef int32_t node, term
        cdef const Node *nodes = self.packed
        cdef const uint8_t *label = self.label
        cdef const int32_t *dense = self.dense
        cdef list hits = []
        cdef PyTypeObject *hit = <PyTypeObject *>self.hit
        s = 0
        while s <= n:
            if s < taken or (s > 0 and hay[s - 1] != 32):
                s += 1
                continue
            node = 0
            k = s
            best_end = -1
            best_target = -1
            while True:
                term = nodes[node].terminal
                if term >= 0 and (k == n or hay[k] == 32):
                    target = self._verify(text, kind, data, s, k, term)
                    if target >= 0:
                        best_end, best_target = k, target
                if k == n:
                    break
                node = child(nodes, label, dense, node, hay[k])
                if not node:
                    break
                k += 1
            if best_end >= 0:
                hits.append(make_hit(hit, s, best_end, best_target))
                taken = best_end
            s += 1
        return hits

    cdef list _scan_marked(self, str text, bytes haystack, list dropped):
        """A chunk with combining marks: positions shift, so the reference's choice on the
        overlapping hits."""
        hits = []
        taken = 0
        for start, neg_end, target in sorted(self._overlapping(text, haystack, dropped)):
            if start >= taken:
                hits.append(self.hit(start, -neg_end, target))
                taken = -neg_end
        return hits

    def scan_overlapping(self, str text):
        """Every verified hit, overlaps included, as ``(start, -end, target)``: what
        :meth:`normalise.scan.Scanner.scan_overlapping` returns, in its order."""
        if self.forms == 0 or not text:
            return []
        haystack, dropped = self.fold_haystack(text)
        return self._overlapping(text, haystack, dropped)

    cdef list _overlapping(self, str text, bytes haystack, dropped):
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef const uint8_t *hay = haystack
        cdef Py_ssize_t n = len(haystack), size = len(text), s, k, start, end, target
        cdef int32_t node, term
        cdef list found = []
        s = 0
        while s <= n:
            if s > 0 and hay[s - 1] != 32:
                s += 1
                continue
            node = 0
            k = s
            while True:
                term = self.packed[node].terminal
                if term >= 0 and (k == n or hay[k] == 32):
                    start, end = s, k
                    if dropped:  # haystack to text positions, as the reference maps them
                        start += self.bisect_right(dropped, start)
                        end += self.bisect_right(dropped, end - 1)
                        while end < size and self.is_mark(text[end]):
                            end += 1
                        target = self._verify_slow(text[start:end])
                    else:
                        target = self._verify(text, kind, data, start, end, term)
                    if target >= 0:
                        found.append((end, start, target))
                if k == n:
                    break
                node = child(self.packed, self.label, self.dense, node, hay[k])
                if not node:
                    break
                k += 1
            s += 1
        # the reference reports matches by end, then the longer first
        found.sort()
        return [(start, -end, target) for end, start, target in found]


from normalise.compile import PythonCore


class Core(PythonCore):
    """The compiled core at the seam of :mod:`normalise.compile`. Its table pass scans with
    the compiled :class:`Trie`, which the compiled table's scanner holds whenever this core is
    chosen (both ask :func:`normalise.core.selected`); the per-hit decisions (keep list,
    mentions, full names, casing) and the records are still the reference's Python,
    inherited."""
