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

cimport cython
from libc.stdint cimport int16_t, int32_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc, realloc
from libc.string cimport memchr, memcpy, memmove, memset
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize


cdef extern from *:
    int __builtin_ctz(unsigned int) nogil


cdef extern from *:
    """
    #include <stdint.h>
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif
    /* Bit i set where p[i] is a space, for the first min(avail, 64) bytes. */
    static inline uint64_t normalise_space_mask(const unsigned char *p, Py_ssize_t avail) {
        uint64_t m = 0;
        Py_ssize_t i;
    #if defined(__SSE2__)
        if (avail >= 64) {
            const __m128i sp = _mm_set1_epi8(' ');
            for (i = 0; i < 4; i++) {
                __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * i));
                m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp)) << (16 * i);
            }
            return m;
        }
    #endif
        for (i = 0; i < avail && i < 64; i++)
            m |= (uint64_t)(p[i] == ' ') << i;
        return m;
    }
    static inline int normalise_count_zeros(uint64_t x) { return __builtin_ctzll(x); }
    /* The word at p as the filters read it (its bytes up to and including the first space,
       at most 6, little-endian in one number) from 8 bytes read at once, where 8 are
       readable: the first space found as the first zero byte of the bytes xor spaces (a
       borrow only runs into the bytes above a zero byte, so the lowest flagged byte is
       exact). Without a branch on the word's length: at 100,000 variants 45 % of the word
       starts of the dense text get this far (their first word begins some form), and the
       loop's exit, a byte later or earlier each word, mispredicted. Returns 0 where the
       bytes cannot be read so (the caller reads them one by one). */
    static inline uint64_t normalise_word_bytes8(const unsigned char *p, Py_ssize_t avail) {
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        uint64_t x, t, z;
        int first, keep;
        if (avail < 8)
            return 0;
        memcpy(&x, p, 8);
        t = x ^ 0x2020202020202020ULL;
        z = (t - 0x0101010101010101ULL) & ~t & 0x8080808080808080ULL;
        /* the first space's byte; 7 where none of the first 7 is one (6 bytes kept alike) */
        first = __builtin_ctzll(z | 0x8000000000000000ULL) >> 3;
        keep = first < 5 ? first + 1 : 6;  /* bytes kept: through the space, at most 6 */
        return x & (~(uint64_t)0 >> (64 - 8 * keep));
    #else
        (void)p; (void)avail;
        return 0;
    #endif
    }
    #if defined(__SSE2__)
    /* 16 ASCII bytes folded by the haystack's rule: A-Z lower-cased; a-z, 0-9 and _ kept;
       every other byte a space. */
    static inline __m128i normalise_fold16(__m128i v) {
        const __m128i upper_low = _mm_set1_epi8('A' - 1), upper_high = _mm_set1_epi8('Z' + 1);
        const __m128i lower_low = _mm_set1_epi8('a' - 1), lower_high = _mm_set1_epi8('z' + 1);
        const __m128i digit_low = _mm_set1_epi8('0' - 1), digit_high = _mm_set1_epi8('9' + 1);
        const __m128i underscore = _mm_set1_epi8('_'), space = _mm_set1_epi8(' ');
        __m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, upper_low), _mm_cmplt_epi8(v, upper_high));
        __m128i keep = _mm_or_si128(
            _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, lower_low), _mm_cmplt_epi8(v, lower_high)),
                         _mm_and_si128(_mm_cmpgt_epi8(v, digit_low), _mm_cmplt_epi8(v, digit_high))),
            _mm_cmpeq_epi8(v, underscore));
        __m128i r = _mm_or_si128(_mm_and_si128(up, _mm_or_si128(v, space)), _mm_and_si128(keep, v));
        return _mm_or_si128(r, _mm_andnot_si128(_mm_or_si128(up, keep), space));
    }
    #endif
    /* Fold p[0:n] into out by that rule, 16 bytes at a time, up to the first block that
       holds a byte >= 128; returns how many bytes were folded (0 without SSE2). */
    static inline Py_ssize_t normalise_fold_ascii(const unsigned char *p, unsigned char *out,
                                                  Py_ssize_t n) {
        Py_ssize_t i = 0;
    #if defined(__SSE2__)
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            if (_mm_movemask_epi8(v))
                break;  /* a byte >= 128 (negative as a signed byte): not ASCII */
            _mm_storeu_si128((__m128i *)(out + i), normalise_fold16(v));
        }
    #endif
        return i;
    }
    /* The same for 32-bit code units (a text with a character beyond the BMP). */
    static inline Py_ssize_t normalise_fold_ascii4(const uint32_t *p, unsigned char *out,
                                                   Py_ssize_t n) {
        Py_ssize_t i = 0;
    #if defined(__SSE2__)
        for (; i + 16 <= n; i += 16) {
            /* packed with signed saturation (code points are below 2**31, so positive: a
               unit >= 128 leaves a 16-bit value >= 128, and then a byte >= 128) */
            __m128i a = _mm_packs_epi32(_mm_loadu_si128((const __m128i *)(p + i)),
                                        _mm_loadu_si128((const __m128i *)(p + i + 4)));
            __m128i b = _mm_packs_epi32(_mm_loadu_si128((const __m128i *)(p + i + 8)),
                                        _mm_loadu_si128((const __m128i *)(p + i + 12)));
            __m128i v = _mm_packus_epi16(a, b);
            if (_mm_movemask_epi8(v))
                break;
            _mm_storeu_si128((__m128i *)(out + i), normalise_fold16(v));
        }
    #endif
        return i;
    }
    /* The same for 16-bit code units (a text with a character beyond Latin-1). */
    static inline Py_ssize_t normalise_fold_ascii2(const uint16_t *p, unsigned char *out,
                                                   Py_ssize_t n) {
        Py_ssize_t i = 0;
    #if defined(__SSE2__)
        const __m128i high = _mm_set1_epi16((short)0xFF80), zero = _mm_setzero_si128();
        for (; i + 16 <= n; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(p + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(p + i + 8));
            /* every unit below 128 (the pack saturates as signed: 0x8000 and up read as
               negative, so they are tested before it) */
            __m128i above = _mm_and_si128(_mm_or_si128(a, b), high);
            if (_mm_movemask_epi8(_mm_cmpeq_epi16(above, zero)) != 0xFFFF)
                break;
            _mm_storeu_si128((__m128i *)(out + i), normalise_fold16(_mm_packus_epi16(a, b)));
        }
    #endif
        return i;
    }
    /* A hash of the word p[0:len] (no space in it); ``avail`` bytes are readable from p.
       The same value whichever way the bytes are read: 8 at a time where the buffer
       allows it (on a little-endian machine), else one by one. Never 0 for the empty word
       (the word start of a double space: forms that begin with punctuation): its hash was
       0, and so was the hash of its pair with nothing after it, so its own bit was also
       its "alone" bit, and every double space of a text passed the first words' filter
       (at 100,000 variants, 124,000 of the dense text's 142,000 needless walks). */
    static inline uint64_t normalise_word_hash(const unsigned char *p, Py_ssize_t len,
                                               Py_ssize_t avail) {
        uint64_t x = ((uint64_t)len + 1) * 0x9E3779B97F4A7C15ULL, c;
        Py_ssize_t i = 0, j;
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (avail >= ((len + 7) & ~(Py_ssize_t)7)) {
            for (; i + 8 <= len; i += 8) {
                memcpy(&c, p + i, 8);
                x = (x ^ c) * 0xFF51AFD7ED558CCDULL;
                x ^= x >> 32;
            }
            if (i < len) {
                memcpy(&c, p + i, 8);
                c &= ~(uint64_t)0 >> (8 * (8 - (len - i)));
                x = (x ^ c) * 0xFF51AFD7ED558CCDULL;
                x ^= x >> 32;
            }
            goto mixed;
        }
    #endif
        (void)avail; (void)j;
        while (i < len) {
            c = 0;
            for (j = 0; j < 8 && i + j < len; j++)
                c |= (uint64_t)p[i + j] << (8 * j);
            x = (x ^ c) * 0xFF51AFD7ED558CCDULL;
            x ^= x >> 32;
            i += 8;
        }
    mixed:
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53ULL;
        x ^= x >> 33;
        return x;
    }
    /* The first min(length, 8) bytes of the word at p (length >= 1, no space in it),
       little-endian in one number, the rest zero: 8 bytes read at once where 8 are
       readable, else one by one (Trie.jumps). */
    static inline uint64_t normalise_jump_word(const unsigned char *p, Py_ssize_t length,
                                               Py_ssize_t avail) {
        uint64_t x = 0;
        Py_ssize_t i, w = length < 8 ? length : 8;
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (avail >= 8) {
            memcpy(&x, p, 8);
            return w == 8 ? x : x & ((~(uint64_t)0) >> (64 - 8 * w));
        }
    #endif
        (void)avail;
        for (i = 0; i < w; i++)
            x |= (uint64_t)p[i] << (8 * i);
        return x;
    }
    /* The hash of a jump's key (its word as normalise_jump_word reads it, and how many
       bytes of it: 1 to 8), before the table's mask. */
    static inline uint64_t normalise_jump_slot(uint64_t word, Py_ssize_t length) {
        uint64_t x = (word ^ ((uint64_t)length * 0xD6E8FEB86659FD93ULL)) * 0x9E3779B97F4A7C15ULL;
        return x ^ (x >> 31);
    }
    /* The first words' filter (Trie._build_prefixes), in C so that its test is inlined in the
       scan's loop whole (written in Cython, with the spread pairs' branch, gcc made it a call
       per word start: 20 million instructions more on the 4 MB dense text). */
    #define NORMALISE_WORD_LINES 12
    static inline uint64_t *normalise_word_line(const uint64_t *words, uint64_t h) {
        return (uint64_t *)words + ((h >> (64 - NORMALISE_WORD_LINES)) << 3);
    }
    static inline int normalise_has_bits(const uint64_t *line, uint64_t h) {
        uint32_t a = h & 511, b = (h >> 9) & 511;
        return (int)((line[a >> 6] >> (a & 63)) & (line[b >> 6] >> (b & 63)) & 1);
    }
    static inline uint64_t normalise_pair_hash(uint64_t h, uint64_t following) {
        uint64_t x = (h ^ (following * 0xC2B2AE3D27D4EB4FULL)) * 0x9E3779B97F4A7C15ULL;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ULL;
        return x ^ (x >> 32);
    }
    static inline uint64_t normalise_spread_mark(uint64_t h) {
        return (h ^ 0x94D049BB133111EBULL) * 0xD6E8FEB86659FD93ULL;
    }
    static inline uint64_t normalise_next_word(const unsigned char *hay, Py_ssize_t s,
                                               Py_ssize_t n) {
        uint64_t x = normalise_word_bytes8(hay + s, n - s), c;
        int i;
        if (x)
            return x;
        for (i = 0; i < 6; i++) {
            c = s + i < n ? hay[s + i] : 32;
            x |= c << (8 * i);
            if (c == 32)
                break;
        }
        return x;
    }
    /* A first word whose pairs are spread over the filter (SPREAD_PAIRS): its line holds
       the mark, its pairs are each in their own hash's line. Out of line: rare. */
    static __attribute__((noinline)) int normalise_spread_pass(
            const uint64_t *words, uint64_t alone, uint64_t pair) {
        return normalise_has_bits(normalise_word_line(words, alone), alone)
               | normalise_has_bits(normalise_word_line(words, pair), pair);
    }
    static inline __attribute__((always_inline)) int normalise_first_words_pass(
            const uint64_t *words, const unsigned char *hay, Py_ssize_t s, Py_ssize_t e,
            Py_ssize_t n) {
        uint64_t h = normalise_word_hash(hay + s, e - s, n - s), following, alone, pair;
        const uint64_t *line = normalise_word_line(words, h);
        if (!normalise_has_bits(line, h))
            return 0;
        /* both pairs asked without a branch between them (the end: no next word) */
        following = e < n ? normalise_next_word(hay, e + 1, n) : 0;
        alone = normalise_pair_hash(h, 0);
        pair = normalise_pair_hash(h, following);
        if (normalise_has_bits(line, alone) | normalise_has_bits(line, pair))
            return 1;
        if (!normalise_has_bits(line, normalise_spread_mark(h)))
            return 0;
        return normalise_spread_pass(words, alone, pair);
    }
    """
    uint64_t space_mask "normalise_space_mask" (const uint8_t *p, Py_ssize_t avail) nogil
    int count_zeros "normalise_count_zeros" (uint64_t x) nogil
    uint64_t word_bytes8 "normalise_word_bytes8" (const uint8_t *p, Py_ssize_t avail) nogil
    uint64_t jump_word "normalise_jump_word" (const uint8_t *p, Py_ssize_t length,
                                              Py_ssize_t avail) nogil
    uint64_t jump_slot "normalise_jump_slot" (uint64_t word, Py_ssize_t length) nogil
    Py_ssize_t fold_ascii "normalise_fold_ascii" (const uint8_t *p, uint8_t *out,
                                                  Py_ssize_t n) nogil
    Py_ssize_t fold_ascii2 "normalise_fold_ascii2" (const uint16_t *p, uint8_t *out,
                                                    Py_ssize_t n) nogil
    Py_ssize_t fold_ascii4 "normalise_fold_ascii4" (const uint32_t *p, uint8_t *out,
                                                    Py_ssize_t n) nogil
    uint64_t word_hash "normalise_word_hash" (const uint8_t *p, Py_ssize_t length,
                                              Py_ssize_t avail) nogil
    uint64_t *c_word_line "normalise_word_line" (const uint64_t *words, uint64_t h) nogil
    bint c_has_bits "normalise_has_bits" (const uint64_t *line, uint64_t h) nogil
    uint64_t c_pair_hash "normalise_pair_hash" (uint64_t h, uint64_t following) nogil
    uint64_t c_spread_mark "normalise_spread_mark" (uint64_t h) nogil
    uint64_t c_next_word "normalise_next_word" (const uint8_t *hay, Py_ssize_t s,
                                                Py_ssize_t n) nogil
    # Whether a pattern may be found at the word start ``s`` whose first word ends at ``e``
    # (a space, or the end ``n``): the first word is some pattern's first word, and some such
    # pattern is that word alone or goes on with the next word of the haystack. One cache
    # line read: most word starts of a text whose words begin some form ("the", "a", "in" at
    # 100,000 variants) stop here, not after a walk and the followers' filter. Called in C
    # (always inlined): a Cython wrapper of it was not always inlined in the scan's loop.
    bint first_words_pass "normalise_first_words_pass" (
        const uint64_t *words, const uint8_t *hay, Py_ssize_t s, Py_ssize_t e, Py_ssize_t n
    ) nogil


cdef extern from "Python.h":
    ctypedef struct PyTypeObject:
        object (*tp_alloc)(PyTypeObject *, Py_ssize_t)
    void PyTuple_SET_ITEM(object, Py_ssize_t, object)
    void PyObject_GC_UnTrack(object)
    void Py_INCREF(object)
    int PyUnicode_KIND(object)
    void *PyUnicode_DATA(object)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index) nogil
    Py_UCS4 PyUnicode_MAX_CHAR_VALUE(object)
    bint PyUnicode_IS_ASCII(object)
    bint Py_UNICODE_ISSPACE(Py_UCS4)
    bint Py_UNICODE_ISLOWER(Py_UCS4)
    bint Py_UNICODE_ISUPPER(Py_UCS4)
    bint Py_UNICODE_ISTITLE(Py_UCS4)
    int _PyUnicode_ToUpperFull(Py_UCS4 ch, Py_UCS4 *res)
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void PyUnicode_WRITE(int kind, void *data, Py_ssize_t index, Py_UCS4 value) nogil


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
    PyObject_GC_UnTrack(hit)  # three ints: no cycle, nothing for the collector to visit
    return hit


cdef struct Node:
    int32_t first    # first child: the children are one run of records, in byte order
    uint16_t count   # number of children
    uint8_t label    # the byte that leads to this node
    uint8_t final    # a form ends here (its index: ``Trie.terminal``)


cdef inline int32_t child(const Node *nodes, const int32_t *dense, int32_t rows,
                          int32_t node, uint8_t c) noexcept nogil:
    """The node under ``node`` by byte ``c``, or 0 (the root is nobody's child). The root
    and its children (nodes ``0 .. rows - 1``, breadth first) have a dense row each; any
    other node's children are scanned in their run, whose records hold their labels, so
    that a step of the walk reads one run of 8-byte records (a cache line for up to eight
    children), not a run of labels and then a record elsewhere."""
    if node < rows:
        return dense[(<Py_ssize_t>node << 8) | c]
    cdef int32_t ch = nodes[node].first, last = ch + nodes[node].count
    cdef uint8_t at
    while ch < last:
        at = nodes[ch].label
        if at >= c:
            return ch if at == c else 0
        ch += 1
    return 0


#: Bits of the followers' filter: 2**20 bits, 128 kB (a level-2 cache's worth).
cdef enum:
    PREFIX_BITS = 20
    WORD_LINES = 12   # the first words' filter: 2**12 lines of 512 bits (a cache line), 256 kB
    # (NORMALISE_WORD_LINES in the C above: the same)


#: A first word that begins more patterns than this (pairs with the next word)
#: has its pairs' bits spread over the filter's lines, not in its own line: at 100,000
#: variants the empty first word (forms that begin with punctuation) had 178 pairs, and
#: "ciudad" 372, and 2 bits each saturated their line (512 bits), so that every word after
#: a double space passed the filter, and every first word that shares the line.
cdef enum:
    SPREAD_PAIRS = 24


#: Whether the scan skips the word starts whose first word begins no pattern (the first
#: words' filter); off only for the differential test (:func:`set_word_filter`).
cdef bint word_filter = True


#: Whether a walk that passed the first words' filter starts at its first word's jump
#: (:meth:`Trie._build_jumps`); off only for the differential test (:func:`set_first_word_jumps`).
cdef bint word_jumps = True


def set_first_word_jumps(bint on):
    """Turn the first words' jumps of the compiled scan on or off; the previous setting.
    Off, every walk starts at the root: the test that the jumps change no hit compares both."""
    global word_jumps
    previous, word_jumps = word_jumps, on
    return previous


cdef inline int32_t jump_node(const Jump *jumps, Py_ssize_t mask, const uint8_t *p,
                              Py_ssize_t length, Py_ssize_t avail) noexcept nogil:
    """The trie node that the first min(``length``, 8) bytes of the word at ``p`` lead to
    from the root, or 0 where no pattern's first word begins so (:meth:`Trie._build_jumps`)."""
    cdef Py_ssize_t w = length if length < 8 else 8
    cdef uint64_t word = jump_word(p, w, avail)
    cdef Py_ssize_t slot = jump_slot(word, w) & mask
    while jumps[slot].node:
        if jumps[slot].word == word and jumps[slot].length == w:
            return jumps[slot].node
        slot = (slot + 1) & mask
    return 0


def set_word_filter(bint on):
    """Turn the first words' filter of the compiled scan on or off; the previous setting.
    Off, every word start is walked: the test that the filter drops no hit compares both."""
    global word_filter
    previous, word_filter = word_filter, on
    return previous


cdef inline uint64_t *word_line(uint64_t *words, uint64_t h) noexcept nogil:
    """The line of the first words' filter for a first word of hash ``h``: its own bits and
    those of what follows it in the patterns are all in this one cache line."""
    return c_word_line(words, h)


cdef inline bint has_bits(const uint64_t *line, uint64_t h) noexcept nogil:
    """Whether both bits of ``h`` (two probes of a blocked Bloom filter) are set in ``line``."""
    return c_has_bits(line, h)


cdef inline void set_bits(uint64_t *line, uint64_t h) noexcept nogil:
    cdef uint32_t a = h & 511, b = (h >> 9) & 511
    line[a >> 6] |= <uint64_t>1 << (a & 63)
    line[b >> 6] |= <uint64_t>1 << (b & 63)


cdef inline uint64_t next_word(const uint8_t *hay, Py_ssize_t s, Py_ssize_t n) noexcept nogil:
    """The word at ``s`` as the filters read it: its bytes up to and including the first
    space (the end counts as one), at most 6, in one number."""
    return c_next_word(hay, s, n)


cdef inline uint64_t pair_hash(uint64_t h, uint64_t following) noexcept nogil:
    """The hash of a first word (hash ``h``) and what follows it in a pattern: the next word
    (:func:`next_word`), or 0 where the pattern is that word alone."""
    return c_pair_hash(h, following)


cdef inline uint64_t spread_mark(uint64_t h) noexcept nogil:
    """The bits in a first word's line that say its pairs are spread (:data:`SPREAD_PAIRS`).
    Where a first word's own line has them (or a Bloom filter's false positive says so), its
    pairs are asked in their own lines too: never fewer hits, only a walk more."""
    return c_spread_mark(h)


def first_word_hash(bytes data, Py_ssize_t start, Py_ssize_t length):
    """The first words' filter's hash of ``data[start:start + length]``, read as the scan
    reads it (8 bytes at a time where ``data`` has them, else byte by byte): the test that
    both reads agree asks."""
    if start < 0 or length < 0 or start + length > len(data):
        raise ValueError("span outside the data")
    return word_hash(<const uint8_t *>data + start, length, len(data) - start)


def jump_key(bytes data, Py_ssize_t start, Py_ssize_t length):
    """The first words' jumps' key of the word ``data[start:start + length]`` (no space in
    it): its first 8 bytes at most, read as the scan reads them (8 at once where ``data``
    holds them, else byte by byte); the test that both reads agree asks."""
    if start < 0 or length < 1 or start + length > len(data):
        raise ValueError("span outside the data")
    return jump_word(<const uint8_t *>data + start, length, len(data) - start)


def filter_word(bytes data, Py_ssize_t start):
    """The word at ``data[start]`` as the filters read it (:func:`next_word`): 8 bytes at
    once where ``data`` holds them, else byte by byte; the test that both agree with the
    definition asks."""
    if not 0 <= start <= len(data):
        raise ValueError("start outside the data")
    return next_word(<const uint8_t *>data, start, len(data))


cdef inline uint32_t word_slot(const uint8_t *hay, Py_ssize_t s, Py_ssize_t n,
                               uint64_t node) noexcept nogil:
    """The followers' filter slot of the word at ``s`` reached at trie node ``node``: its
    bytes up to and including the first space (the end of the haystack counts as one), at
    most 6 (:func:`next_word`), hashed with the node (:attr:`Trie.followers`)."""
    cdef uint64_t x = next_word(hay, s, n) ^ (node * <uint64_t>0xC2B2AE3D27D4EB4FULL)
    return <uint32_t>((x * <uint64_t>0x9E3779B97F4A7C15ULL) >> (64 - PREFIX_BITS))


cdef inline bint has_slot(const uint8_t *bits, uint32_t slot) noexcept nogil:
    return (bits[slot >> 3] >> (slot & 7)) & 1


cdef inline Py_ssize_t bisect_right(const Py_ssize_t *a, Py_ssize_t size, Py_ssize_t x) noexcept nogil:
    """:func:`bisect.bisect_right` over a sorted C array."""
    cdef Py_ssize_t lo = 0, hi = size, mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


cdef Py_ssize_t *mark_positions(list dropped, Py_ssize_t marks) except? NULL:
    """The haystack positions of the dropped combining marks as a C array for
    :func:`bisect_right` (NULL when there are none); the caller frees it."""
    if not marks:
        return NULL
    cdef Py_ssize_t *at = <Py_ssize_t *>malloc(marks * sizeof(Py_ssize_t))
    if at == NULL:
        raise MemoryError()
    cdef Py_ssize_t i
    for i in range(marks):
        at[i] = dropped[i]
    return at


cdef inline Py_ssize_t text_end(str text, int kind, void *data, Py_ssize_t size,
                                const Py_ssize_t *at, Py_ssize_t marks, Py_ssize_t end,
                                object is_mark) except -1:
    """A haystack end as a text position, as the reference maps it: past the marks dropped
    before it, and the marks that follow its last letter."""
    end += bisect_right(at, marks, end - 1)
    while end < size and PyUnicode_READ(kind, data, end) >= 128 and is_mark(text[end]):
        end += 1
    return end


cdef enum:
    FOLD_CACHED = 0x3000  # Latin, Greek, Cyrillic, Arabic, Indic: folded once, then by table
    FOLD_HIGH_BELOW = 0x10000  # the rest of the BMP (CJK, kana, Hangul): a table made at need


cdef enum:
    KEY_DROPPED = -1     # scan.KEY_DROPPED: a character that adds nothing to a match key
    KEY_UNKNOWN = -2     # not asked yet
    KEY_NOT_SIMPLE = -3  # scan.KEY_NOT_SIMPLE: its part of a key is not one code point
    KEY_CODES_BELOW = 0x3000  # scan.KEY_CODES_BELOW
    SHORT_KEY = 256      # a longer span is verified by the reference


cdef struct Jump:
    uint64_t word    # the first min(length, 8) bytes of a pattern's first word
    int32_t node     # the trie node those bytes lead to from the root (0: an empty slot)
    int32_t length   # how many bytes: 1 to 8


cdef struct Candidates:
    int32_t first    # the terminal's first candidate key
    int32_t count    # and their number


cdef struct Key:
    int32_t offset   # in ``Trie.key_bytes``
    int32_t target
    uint32_t shape   # its length, shifted up a bit; the low bit: case-sensitive


cdef struct Hits:
    Py_ssize_t count
    Py_ssize_t capacity
    Py_ssize_t *at   # start, end and target of each hit, one after the other


cdef int hits_add(Hits *hits, Py_ssize_t start, Py_ssize_t end,
                  Py_ssize_t target) except -1:
    cdef Py_ssize_t *grown
    if hits.count == hits.capacity:
        hits.capacity = 2 * hits.capacity + 64
        grown = <Py_ssize_t *>realloc(hits.at, 3 * hits.capacity * sizeof(Py_ssize_t))
        if grown == NULL:
            raise MemoryError()
        hits.at = grown
    hits.at[3 * hits.count] = start
    hits.at[3 * hits.count + 1] = end
    hits.at[3 * hits.count + 2] = target
    hits.count += 1
    return 0


@cython.final  # no subclass: its cdef methods called directly, inlined
cdef class Trie:
    """The folded forms of a :class:`normalise.scan.Scanner` as a byte trie, and the keys
    under which each verifies."""

    cdef int32_t *first       # first child of a node (0: none)
    cdef int32_t *sibling     # while building: next sibling (0: none); then: number of children
    cdef uint8_t *label       # the byte that leads to a node
    cdef int32_t *terminal    # index of the form that ends at a node, -1: none
    cdef int32_t rows         # nodes with a dense row: the root and its children
    cdef int32_t *dense       # 256 children per row
    cdef Node *packed         # per node: first child, children, label, whether final
    cdef uint64_t *words      # the first words' filter (lines of 8, aligned to 64 bytes)
    cdef void *words_memory   # what was allocated for it
    cdef uint8_t *followers   # a bit per slot of a word after a space inside a pattern
    cdef Jump *jumps          # the node at the end of each first word's first 8 bytes
    cdef Py_ssize_t jump_mask # the jumps' slots, less one (a power of two)
    cdef Py_ssize_t nodes, forms
    # per terminal: its candidate keys; per candidate: where its key is, its target, its
    # case (records, not an array per field: at 100,000 variants each array read by a
    # verification was a cache miss of its own)
    cdef Candidates *cands
    cdef Key *cand_keys
    cdef bytes key_bytes
    cdef uint8_t key_map[128]    # match_key of an ASCII character, case kept
    cdef uint8_t lower_map[128]  # the same, lower-cased
    cdef readonly object keys, exact_keys
    cdef object match_key, fold_haystack, hit, bisect_right, is_mark
    cdef bytes ascii_fold
    cdef bint ascii_rule          # ascii_fold is the rule :func:`fold_ascii` applies
    cdef object fold_char
    cdef int16_t *folded      # per code point < FOLD_CACHED: its haystack byte, -1 dropped, -2 unknown
    cdef int16_t *folded_high  # the same from FOLD_CACHED below FOLD_HIGH_BELOW (NULL: none met yet)
    cdef object key_codes
    cdef int32_t *keyed       # per code point < KEY_CODES_BELOW: scan.key_codes packed, -2 unknown
    # restored from a pickle's out-of-band buffers: the eight restored arrays lie in them
    # (``held``), not allocated here, so they are never freed here (a C flag: the collector
    # may clear ``held`` before the trie is freed)
    cdef readonly bint borrowed
    cdef object held

    def __cinit__(self):
        self.first = self.sibling = self.terminal = self.dense = NULL
        self.label = NULL
        self.packed = NULL
        self.words = NULL
        self.words_memory = NULL
        self.followers = NULL
        self.jumps = NULL
        self.jump_mask = 0
        self.folded = NULL
        self.folded_high = NULL
        self.keyed = NULL
        self.cands = NULL
        self.cand_keys = NULL

    def __dealloc__(self):
        free(self.first); free(self.sibling); free(self.label); free(self.folded); free(self.keyed)
        free(self.folded_high)
        if not self.borrowed:
            free(self.terminal); free(self.dense); free(self.packed); free(self.words_memory)
            free(self.followers); free(self.jumps); free(self.cands); free(self.cand_keys)

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
        self._set_folds(ascii_fold, key_map)
        folded, keyed = _unknown_code_points()  # filled as code points come
        self._set_code_points(folded, keyed)
        encoded = sorted({p.encode("latin-1") for p in patterns})
        self._build_trie(encoded)
        self._build_keys(encoded, ascii_fold)
        self._build_prefixes(encoded)
        self._build_jumps(encoded)

    cdef void _set_folds(self, bytes ascii_fold, key_map) except *:
        self.ascii_fold = ascii_fold
        self.ascii_rule = ascii_fold[:128] == bytes(
            c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 or c == 95 else 32
            for c in range(128)
        )
        from normalise.scan import KEY_CODES_BELOW as below, _fold_char, key_codes
        if below != KEY_CODES_BELOW:
            raise ValueError("normalise.scan.KEY_CODES_BELOW is not this module's")
        self.fold_char = _fold_char
        self.key_codes = key_codes
        cdef int i
        for i in range(128):
            self.key_map[i] = key_map[i]
            self.lower_map[i] = key_map[i] + 32 if 65 <= key_map[i] <= 90 else key_map[i]

    cdef void _set_code_points(self, bytes folded, bytes keyed) except *:
        """The trie's own copies of the per-code-point tables (:func:`_code_point_tables`,
        or a pickle's): ``folded``, then ``keyed``. ValueError for tables of another size
        or with a byte outside the fold table."""
        if (len(folded) != FOLD_CACHED * sizeof(int16_t)
                or len(keyed) != KEY_CODES_BELOW * sizeof(int32_t)):
            raise ValueError("a trie's code point tables do not fit their sizes")
        cdef const int16_t *fold = <const int16_t *>PyBytes_AS_STRING(folded)
        cdef const int32_t *key = <const int32_t *>PyBytes_AS_STRING(keyed)
        cdef Py_ssize_t i
        for i in range(FOLD_CACHED):  # a byte indexes the 256 of ascii_fold
            if not -2 <= fold[i] <= 255:
                raise ValueError("a trie's folds point outside its fold table")
        for i in range(KEY_CODES_BELOW):
            if key[i] < KEY_NOT_SIMPLE:
                raise ValueError("a trie's key codes are out of range")
        free(self.folded)
        free(self.keyed)
        self.folded = <int16_t *>_copied(folded, FOLD_CACHED * sizeof(int16_t))
        self.keyed = <int32_t *>_copied(keyed, KEY_CODES_BELOW * sizeof(int32_t))

    def code_point_tables(self):
        """The trie's ``folded`` and ``keyed`` tables as bytes (what it pickles; the
        tests compare them with the reference's own functions)."""
        return (PyBytes_FromStringAndSize(<char *>self.folded, FOLD_CACHED * sizeof(int16_t)),
                PyBytes_FromStringAndSize(<char *>self.keyed, KEY_CODES_BELOW * sizeof(int32_t)))

    def __reduce__(self):
        return self.__reduce_ex__(4)

    def __reduce_ex__(self, protocol):
        """A built trie pickles as its arrays and is restored from them
        (:func:`_restored_trie`), not rebuilt from its forms: the build is most of what
        loading a cached table cost (17 ms of a CLI run at 10,000 variants). The layout
        (record sizes, filter sizes, byte order) goes with them: a pickle from another build
        of this module that differs is refused, never misread. It is restored through
        :func:`normalise.scan.restored_trie`, so that a pickle made here still loads where
        the compiled core does not run (the scanner then builds its own).

        From protocol 5 on, the arrays are :class:`pickle.PickleBuffer` objects: a pickler
        with a ``buffer_callback`` (the cache) writes them out of band, and they are restored
        where they lie instead of copied (2.3 MB of the 10,000-variant table)."""
        from normalise.scan import restored_trie
        cdef Py_ssize_t count = 0, i
        for i in range(self.forms):
            count += self.cands[i].count
        arrays = (
            PyBytes_FromStringAndSize(<char *>self.terminal, self.nodes * sizeof(int32_t)),
            PyBytes_FromStringAndSize(<char *>self.dense, self.rows * 256 * sizeof(int32_t)),
            PyBytes_FromStringAndSize(<char *>self.packed, self.nodes * sizeof(Node)),
            PyBytes_FromStringAndSize(<char *>self.words, (8 << WORD_LINES) * sizeof(uint64_t)),
            PyBytes_FromStringAndSize(<char *>self.followers, (1 << PREFIX_BITS) // 8),
            PyBytes_FromStringAndSize(<char *>self.cands, self.forms * sizeof(Candidates)),
            PyBytes_FromStringAndSize(<char *>self.cand_keys, count * sizeof(Key)),
            PyBytes_FromStringAndSize(<char *>self.jumps, (self.jump_mask + 1) * sizeof(Jump)),
        )
        if protocol >= 5:
            from pickle import PickleBuffer
            arrays = tuple(PickleBuffer(a) for a in arrays)
        callables = (self.match_key, self.fold_haystack, self.hit, self.bisect_right, self.is_mark)
        return restored_trie, (
            _trie_layout(), self.nodes, self.forms, self.rows, arrays, self.key_bytes,
            PyBytes_FromStringAndSize(<char *>self.key_map, 128), self.ascii_fold,
            self.keys, self.exact_keys, callables, _code_point_tables(),
        )

    def _build_prefixes(self, list encoded):
        """The first words' filter: a word start whose whole first word (its bytes up to the
        next space or the end) is no pattern's first word starts no hit, and is skipped
        without a walk (on sparse text most are: a walk costs a cache miss a level in a
        large trie). Exact: a pattern found at ``s`` is followed by a space or the end, so
        the haystack's first word at ``s`` is the pattern's own. A filter of the first six
        bytes let through, at 100,000 variants, 9,000 word starts a MB of the generated
        corpus whose walk then failed (44,000 steps a MB, mostly in cold nodes): words
        sharing six letters with some form's first word. In the same cache line as a first
        word's bits: those of the pairs (first word, next word up to 6 bytes) of the patterns
        that go on after it, and of the first word alone where it is a pattern: at 100,000
        variants 38 % of the word starts of the generated corpus are some form's first word
        ("the", "to", "a", "in": GeoNames names that begin with them), and their walks
        mostly ended at the followers' filter below, after two or three steps and a read of
        that filter; now 32,000 walks a MB are left of 87,000 (steps 280,000 -> 66,000).

        And the followers' filter: for each space inside a pattern, the slot of the word
        after it salted with the trie node the walk stands at there. A walk that has passed
        a space goes on only where some pattern goes on with that word: in a large table
        many forms begin with "the ", "a " or punctuation, and without it the walk of every
        "the" of a text went on into the forms' second words, a cache miss a level."""
        self.words_memory = calloc((8 << WORD_LINES) + 8, sizeof(uint64_t))
        self.followers = <uint8_t *>calloc((1 << PREFIX_BITS) // 8, 1)
        if self.words_memory == NULL or self.followers == NULL:
            raise MemoryError()
        self.words = <uint64_t *>((<size_t>self.words_memory + 63) & ~(<size_t>63))
        cdef uint64_t *line
        cdef bytes pattern
        cdef const uint8_t *pb
        cdef uint32_t slot
        cdef uint64_t h, ph
        cdef Py_ssize_t n, k, i, run, forms = len(encoded)
        cdef int32_t node
        # per pattern: its first word's hash and its pair's; the patterns are sorted, so
        # those of one first word come in a run (its own, then it and a space, then more:
        # bytes below the space do not occur in a folded form; where they did, a word's
        # runs are counted apart, and each pair is still where the scan asks)
        cdef uint64_t *hashes = <uint64_t *>malloc((2 * forms + 1) * sizeof(uint64_t))
        if hashes == NULL:
            raise MemoryError()
        try:
            for i, pattern in enumerate(encoded):
                pb = pattern
                n = len(pattern)
                k = pattern.find(b" ")
                h = word_hash(pb, n if k < 0 else k, n)
                hashes[2 * i] = h
                hashes[2 * i + 1] = pair_hash(h, 0 if k < 0 else next_word(pb, k + 1, n))
            i = 0
            while i < forms:
                h = hashes[2 * i]
                run = 1
                while i + run < forms and hashes[2 * (i + run)] == h:
                    run += 1
                line = word_line(self.words, h)
                set_bits(line, h)
                if run > SPREAD_PAIRS:
                    set_bits(line, spread_mark(h))
                for k in range(i, i + run):
                    ph = hashes[2 * k + 1]
                    set_bits(word_line(self.words, ph) if run > SPREAD_PAIRS else line, ph)
                i += run
        finally:
            free(hashes)
        for pattern in encoded:
            pb = pattern
            n = len(pattern)
            node = 0
            for k in range(n):
                node = child(self.packed, self.dense, self.rows, node, pb[k])
                if pb[k] == 32:
                    slot = word_slot(pb, k + 1, n, <uint64_t>node)
                    self.followers[slot >> 3] |= 1 << (slot & 7)

    def _build_jumps(self, list encoded):
        """The first words' jumps: for each pattern's first word, its first 8 bytes at most
        (the word itself where it is shorter) and the trie node they lead to, in an open
        addressing table at most two thirds full (2 MB at 100,000 variants: 83,000 keys). A walk that passed the first words' filter
        starts there, after one probe, not after a step per byte: at 100,000 variants the
        nodes under the dense rows are wide (the children of "th", "ka" ...) and out of the
        caches, a child search and a cache miss or two a level. Exact: a pattern found at a
        word start begins with that whole first word (the walk ends at a space or the end),
        so the text's first 8 bytes of it lead to the same node; where no key matches, no
        pattern begins there."""
        cdef Py_ssize_t count = 0, size = 8, n, k, w, i, slot, last_w = -1
        cdef bytes pattern
        cdef const uint8_t *pb
        cdef int32_t node
        cdef uint64_t word, last_word = 0
        for pattern in encoded:  # sorted: a key's patterns come in a run (else counted twice)
            pb = pattern
            k = pattern.find(b" ")
            w = min(len(pattern) if k < 0 else k, 8)
            word = jump_word(pb, w, w)
            if w and (w != last_w or word != last_word):
                count += 1
            last_w, last_word = w, word
        while 2 * size < 3 * count:
            size <<= 1
        self.jumps = <Jump *>calloc(size, sizeof(Jump))
        if self.jumps == NULL:
            raise MemoryError()
        self.jump_mask = size - 1
        for pattern in encoded:
            pb = pattern
            n = len(pattern)
            k = pattern.find(b" ")
            w = n if k < 0 else k
            if w > 8:
                w = 8
            if w == 0:
                continue  # the empty first word: the walk starts at the root
            node = 0
            for i in range(w):
                node = child(self.packed, self.dense, self.rows, node, pb[i])
            word = jump_word(pb, w, w)
            slot = jump_slot(word, w) & self.jump_mask
            while self.jumps[slot].node and not (
                self.jumps[slot].word == word and self.jumps[slot].length == w
            ):
                slot = (slot + 1) & self.jump_mask
            self.jumps[slot].word = word
            self.jumps[slot].node = node
            self.jumps[slot].length = <int32_t>w

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
        # dense rows for the root and its children (nodes 0 .. rows - 1, breadth first):
        # the first two bytes of every walk
        self.rows = 1 + self.sibling[0]
        self.dense = <int32_t *>malloc(self.rows * 256 * sizeof(int32_t))
        if self.dense == NULL:
            raise MemoryError()
        memset(self.dense, 0, self.rows * 256 * sizeof(int32_t))
        for node in range(self.rows):
            for new in range(self.first[node], self.first[node] + self.sibling[node]):
                self.dense[(node << 8) | self.label[new]] = new
        self.packed = <Node *>malloc(self.nodes * sizeof(Node))
        if self.packed == NULL:
            raise MemoryError()
        for i in range(self.nodes):
            self.packed[i].first = self.first[i]
            self.packed[i].count = <uint16_t>self.sibling[i]
            self.packed[i].label = self.label[i]
            self.packed[i].final = self.terminal[i] >= 0
        # the walk reads the packed records, the dense rows and, where a word ends at a
        # final node, ``terminal``
        free(self.first); free(self.sibling); free(self.label)
        self.first = self.sibling = NULL
        self.label = NULL

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
        self.cands = <Candidates *>malloc((terminals + 1) * sizeof(Candidates))
        self.cand_keys = <Key *>malloc((count + 1) * sizeof(Key))
        if self.cands == NULL or self.cand_keys == NULL:
            raise MemoryError()
        parts = []
        cdef Py_ssize_t c = 0, offset = 0
        for i in range(terminals):
            found = per_terminal.get(i, ())
            self.cands[i].first = <int32_t>c
            self.cands[i].count = <int32_t>len(found)
            for key, target, exact in found:
                self.cand_keys[c].offset = <int32_t>offset
                self.cand_keys[c].target = <int32_t>target
                self.cand_keys[c].shape = (<uint32_t>len(key) << 1) | (1 if exact else 0)
                parts.append(key)
                offset += len(key)
                c += 1
        self.key_bytes = b"".join(parts)

    def has_first_word(self, bytes word):
        """Whether the first words' filter lets a word start with first word ``word`` (a
        folded word, no space) through: true for every pattern's first word, and for a few
        others (a Bloom filter's false positives)."""
        cdef uint64_t h = word_hash(word, len(word), len(word))
        return has_bits(word_line(self.words, h), h)

    def passes(self, bytes haystack):
        """Whether the first words' filter lets the word start at the beginning of a folded
        ``haystack`` through (its first word, and the pair of it and the next word)."""
        cdef const uint8_t *hay = haystack
        cdef Py_ssize_t n = len(haystack)
        cdef const uint8_t *space = <const uint8_t *>memchr(hay, 32, n)
        return first_words_pass(self.words, hay, 0, n if space == NULL else space - hay, n)

    def fold(self, str text):
        """What :func:`normalise.scan.fold_haystack` returns (the differential test asks)."""
        return self._fold(text)

    cdef tuple _fold(self, str text):
        """:func:`normalise.scan.fold_haystack`, the loop over characters in C: each non-ASCII
        character folded by the reference's own ``_fold_char`` once, then from a table. One
        typed loop per kind of string (:func:`fold_units`), written into the haystack itself:
        a loop that asked the kind per character, and a bytearray copied twice, cost as much
        as the trie walk on a chunk with one character outside Latin-1."""
        cdef Py_ssize_t n = len(text), i, m
        cdef const uint8_t *table
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef uint8_t *out
        cdef list dropped
        if text.isascii():
            if not self.ascii_rule:
                return self.fold_haystack(text)
            # 16 bytes at a time (a bytes.translate after an encode read and wrote each
            # byte twice: 0.6 ms a MB, a sixth of the table pass on dense text)
            haystack = PyBytes_FromStringAndSize(NULL, n)
            out = <uint8_t *>PyBytes_AS_STRING(haystack)
            table = self.ascii_fold
            for i in range(fold_ascii(<const uint8_t *>data, out, n), n):
                out[i] = table[(<const uint8_t *>data)[i]]
            return haystack, None
        dropped = []
        haystack = PyBytes_FromStringAndSize(NULL, n)
        out = <uint8_t *>PyBytes_AS_STRING(haystack)
        if kind == 1:
            m = fold_units(self, <const uint8_t *>data, n, out, dropped)
        elif kind == 2:
            m = fold_units(self, <const uint16_t *>data, n, out, dropped)
        else:
            m = fold_units(self, <const uint32_t *>data, n, out, dropped)
        if m < n:
            haystack = haystack[:m]
        return haystack, (dropped or None)

    cdef int _fold_code(self, Py_UCS4 c) except -3:
        """The haystack byte of a character >= 128 before the ASCII table (-1: a combining
        mark, dropped), by the reference's ``_fold_char`` once per code point of the BMP
        (then from a table), at every meeting past it.

        Why the second table: Chinese, Japanese and Korean text is mostly characters above
        FOLD_CACHED; each cost a call back to the cached ``_fold_char`` (about 100 ns: on the
        held-back Chinese fortunes, 328,440 of 843,578 characters, the whole of a 34 ms run).
        It is made for a trie the first time such a character comes (128 kB), and is not
        pickled (a pickled trie fills it again as characters come)."""
        cdef int f
        cdef Py_ssize_t i
        if c < FOLD_CACHED:
            f = self.folded[c]
            if f == -2:
                f = fold_byte(self.fold_char, c)
                self.folded[c] = <int16_t>f
            return f
        if c >= FOLD_HIGH_BELOW:
            return fold_byte(self.fold_char, c)
        if self.folded_high == NULL:
            self.folded_high = <int16_t *>malloc((FOLD_HIGH_BELOW - FOLD_CACHED) * sizeof(int16_t))
            if self.folded_high == NULL:
                raise MemoryError()
            for i in range(FOLD_HIGH_BELOW - FOLD_CACHED):
                self.folded_high[i] = -2
        f = self.folded_high[<Py_ssize_t>c - FOLD_CACHED]
        if f == -2:
            f = fold_byte(self.fold_char, c)
            self.folded_high[<Py_ssize_t>c - FOLD_CACHED] = <int16_t>f
        return f

    cdef int _fold_span(self, int kind, void *data, Py_ssize_t low, Py_ssize_t high,
                        uint8_t *out) except -1:
        """Fold ``text[low:high]`` (its ``kind`` and ``data``) into ``out`` as :meth:`_fold`
        folds it; 1 (``out`` unfinished) where a character is a combining mark, which
        folding drops, else 0. Why: the settling check reads the few words around a rewrite
        without a slice and a fold of its own per word."""
        cdef const uint8_t *table = self.ascii_fold
        cdef Py_ssize_t i
        cdef Py_UCS4 c
        cdef int f
        for i in range(low, high):
            c = PyUnicode_READ(kind, data, i)
            if c < 128:
                out[i - low] = table[c]
                continue
            f = self._fold_code(c)
            if f < 0:
                return 1
            out[i - low] = table[f]
        return 0

    cdef Py_ssize_t _verify(self, str text, int kind, void *data, Py_ssize_t start,
                            Py_ssize_t end, int32_t term) except -2:
        """The target of ``text[start:end]`` (a raw match of form ``term``), or -1."""
        cdef Py_ssize_t target = self._verify_in_c(kind, data, start, end, term)
        return self._verify_slow(text[start:end]) if target == KEY_NOT_SIMPLE else target

    cdef int32_t _key_code(self, Py_UCS4 c) except KEY_UNKNOWN:
        """:func:`normalise.scan.key_codes` of a character >= 128, packed (case kept, lower
        case, folds alike), asked once per code point below KEY_CODES_BELOW (those above:
        KEY_NOT_SIMPLE, the reference decides)."""
        cdef int32_t f
        if c >= KEY_CODES_BELOW:
            return KEY_NOT_SIMPLE
        f = self.keyed[c]
        if f == KEY_UNKNOWN:
            f = packed_key_codes(self.key_codes, c)
            self.keyed[c] = f
        return f

    cdef Py_ssize_t _verify_in_c(self, int kind, void *data, Py_ssize_t start,
                                 Py_ssize_t end, int32_t term) except -2:
        """The target of ``text[start:end]`` (a raw match of form ``term``) or -1, by its
        match key made here (:meth:`_make_key`); KEY_NOT_SIMPLE where the reference decides.

        A key of ASCII characters that fold as their own (every ASCII span, più, İzmir, a
        decomposed é) is compared with the matched form's ASCII keys, with no object made;
        any other (Łódź, Москва) is looked up in the scanner's dicts as one string. Why:
        outside ASCII a slice, two cached ``match_key`` calls and two dict look-ups per hit
        made a hit in Italian or Polish text cost several times an ASCII one."""
        cdef uint8_t narrow[SHORT_KEY]
        cdef Py_UCS4 kept[SHORT_KEY]
        cdef Py_UCS4 lowered[SHORT_KEY]
        cdef bint candidates = True
        cdef Py_ssize_t m = self._make_key(kind, data, start, end, narrow, kept, lowered,
                                           &candidates)
        if m == KEY_NOT_SIMPLE:
            return KEY_NOT_SIMPLE
        if candidates:
            return self._candidate(term, narrow, m)
        return self._looked_up(kept, lowered, m)

    cdef Py_ssize_t _make_key(self, int kind, void *data, Py_ssize_t start, Py_ssize_t end,
                              uint8_t *narrow, Py_UCS4 *kept, Py_UCS4 *lowered,
                              bint *candidates) except -2:
        """The match key of ``text[start:end]`` a character at a time (an ASCII one by
        ``key_map``, any other by :meth:`_key_code`) into ``kept`` (case kept) and
        ``lowered``, and into ``narrow`` as the text has it while ``candidates`` (the key
        ASCII and folded as the span: the matched form's own keys hold it); its length, or
        KEY_NOT_SIMPLE where a character's part is not one code point (ﬁ, Σ, Hangul) or
        the span is longer than SHORT_KEY."""
        cdef Py_ssize_t i, m = 0
        cdef Py_UCS4 c
        cdef int32_t code
        if end - start > SHORT_KEY:
            return KEY_NOT_SIMPLE
        for i in range(start, end):
            c = PyUnicode_READ(kind, data, i)
            if c < 128:
                narrow[m] = <uint8_t>c
                kept[m] = self.key_map[c]
                lowered[m] = self.lower_map[c]
                m += 1
                continue
            code = self._key_code(c)
            if code == KEY_NOT_SIMPLE:
                return KEY_NOT_SIMPLE
            if code == KEY_DROPPED:
                continue
            kept[m] = code & 0x7FFF
            lowered[m] = (code >> 15) & 0x7FFF
            if kept[m] >= 128 or not code & (1 << 30):
                candidates[0] = False
            else:
                narrow[m] = <uint8_t>kept[m]
            m += 1
        return m

    def key(self, str span):
        """``(match_key(span, True), match_key(span), whether the matched form's ASCII keys
        are asked)`` as the verification makes them, None where it leaves them to the
        reference (the differential test asks)."""
        cdef uint8_t narrow[SHORT_KEY]
        cdef Py_UCS4 kept[SHORT_KEY]
        cdef Py_UCS4 lowered[SHORT_KEY]
        cdef bint candidates = True
        cdef Py_ssize_t m = self._make_key(PyUnicode_KIND(span), PyUnicode_DATA(span), 0,
                                           len(span), narrow, kept, lowered, &candidates)
        if m == KEY_NOT_SIMPLE:
            return None
        return (PyUnicode_FromKindAndData(4, kept, m), PyUnicode_FromKindAndData(4, lowered, m),
                bool(candidates))

    cdef Py_ssize_t _looked_up(self, const Py_UCS4 *kept, const Py_UCS4 *lowered,
                               Py_ssize_t length) except -2:
        """The reference's look-up of a span's key given as code points (case kept and
        lower-cased): :meth:`_verify_slow` without its slice and ``match_key`` calls."""
        cdef object target = None
        if self.exact_keys:
            target = self.exact_keys.get(
                PyUnicode_FromKindAndData(4, kept, length))
        if target is None:
            target = self.keys.get(
                PyUnicode_FromKindAndData(4, lowered, length))
        return -1 if target is None else target

    cdef inline Py_ssize_t _candidate(self, int32_t term, const uint8_t *span,
                                      Py_ssize_t length) noexcept:
        """The target of the first of form ``term``'s ASCII keys that ``span`` (ASCII, as
        the text has it) matches, case-sensitive keys first, or -1."""
        cdef const uint8_t *keys = self.key_bytes
        cdef const uint8_t *key
        cdef const uint8_t *table
        cdef Candidates cands = self.cands[term]
        cdef const Key *cand
        cdef Py_ssize_t i, k
        for k in range(cands.first, cands.first + cands.count):
            cand = &self.cand_keys[k]
            if cand.shape >> 1 != length:
                continue
            key = keys + cand.offset
            table = &self.key_map[0] if cand.shape & 1 else &self.lower_map[0]
            for i in range(length):
                if table[span[i]] != key[i]:
                    break
            else:
                return cand.target
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
        :meth:`normalise.scan.Scanner.scan` returns (see :meth:`_scan`)."""
        cdef Hits found
        memset(&found, 0, sizeof(Hits))
        cdef list hits = []
        cdef PyTypeObject *hit = <PyTypeObject *>self.hit
        cdef Py_ssize_t i
        try:
            self._scan(text, &found)
            for i in range(found.count):
                hits.append(make_hit(hit, found.at[3 * i], found.at[3 * i + 1], found.at[3 * i + 2]))
        finally:
            free(found.at)
        return hits

    cdef int _scan(self, str text, Hits *found) except -1:
        """The hits of :meth:`scan` into ``found`` (start, end, target each): the table
        pass reads them without a Python object per hit.

        A chunk with combining marks (which folding drops) is walked the same way, each
        haystack position mapped to the text's as the reference maps them: the mapping keeps
        order, so the leftmost-longest choice over haystack positions is the reference's over
        its overlapping hits (once a whole chunk of news text went through the overlapping
        scan, a Python tuple per nested match, and sorted)."""
        if self.forms == 0 or not text:
            return 0
        haystack, dropped = self._fold(text)
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef const uint8_t *hay = <bytes>haystack
        cdef Py_ssize_t n = len(<bytes>haystack), size = len(text), s, k, best_end
        cdef Py_ssize_t best_target, target, start, end, i
        cdef Py_ssize_t taken = 0
        cdef Py_ssize_t marks = len(dropped) if dropped else 0, passed = 0
        cdef int32_t node, term
        cdef const Node *nodes = self.packed
        cdef const int32_t *dense = self.dense
        cdef const int32_t *terminal = self.terminal
        cdef int32_t rows = self.rows
        cdef const uint8_t *followers = self.followers
        cdef const uint64_t *words = self.words
        cdef bint filtering = word_filter, jumping = word_jumps
        cdef const Jump *jumps = self.jumps
        cdef Py_ssize_t jump_mask = self.jump_mask
        cdef Py_ssize_t *at = mark_positions(dropped, marks)
        cdef Py_ssize_t following = 0  # the word start after ``s``
        cdef Py_ssize_t block = -1, e  # the 64-byte block whose spaces are in ``spaces``
        cdef uint64_t spaces = 0, bits
        try:
            while following <= n:
                # from word start to word start: the next is just past the next space, read
                # from a mask of the spaces of each 64 bytes, made once per 64 bytes (a
                # memchr per word cost 6-10 % of the pass on short words; a loop over the
                # bytes mispredicted each word's end)
                s = following
                following = n + 1  # no space after s: the end of the haystack ends the word
                if s < n:
                    e = s - (s & 63)  # the 64-byte block of s
                    if e != block:
                        block = e
                        spaces = space_mask(hay + e, n - e)
                    bits = spaces >> (s & 63)
                    if bits:
                        following = s + count_zeros(bits) + 1
                    else:
                        e += 64
                        while e < n:
                            block = e
                            spaces = space_mask(hay + e, n - e)
                            if spaces:
                                following = e + count_zeros(spaces) + 1
                                break
                            e += 64
                while passed < marks and at[passed] <= s:  # bisect_right(at, s), moving on
                    passed += 1
                start = s + passed
                if start < taken:
                    continue
                e = (following if following <= n else n + 1) - 1  # the first word's end
                if filtering and not first_words_pass(words, hay, s, e, n):
                    continue
                node = 0
                k = s
                if jumping and e > s:  # the first word's first 8 bytes in one probe
                    node = jump_node(jumps, jump_mask, hay + s, e - s, n - s)
                    if not node:
                        continue  # no pattern begins with this word
                    k = s + (e - s if e - s < 8 else 8)
                best_end = -1
                best_target = -1
                while True:
                    if (k == n or hay[k] == 32) and nodes[node].final:
                        term = terminal[node]
                        end = k
                        if marks:  # as :meth:`_overlapping` maps an end
                            end = text_end(text, kind, data, size, at, marks, end, self.is_mark)
                        target = self._verify(text, kind, data, start, end, term)
                        if target >= 0:
                            best_end, best_target = end, target
                    if k == n:
                        break
                    node = child(nodes, dense, rows, node, hay[k])
                    if not node:
                        break
                    k += 1
                    if hay[k - 1] == 32 and not has_slot(
                        followers, word_slot(hay, k, n, <uint64_t>node)
                    ):
                        break  # no pattern goes on with this word here
                if best_end >= 0:
                    hits_add(found, start, best_end, best_target)
                    taken = best_end
        finally:
            free(at)
        return 0

    def scan_overlapping(self, str text):
        """Every verified hit, overlaps included, as ``(start, -end, target)``: what
        :meth:`normalise.scan.Scanner.scan_overlapping` returns, in its order."""
        if self.forms == 0 or not text:
            return []
        haystack, dropped = self._fold(text)
        return self._overlapping(text, haystack, dropped)

    cdef list _overlapping(self, str text, bytes haystack, dropped):
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef const uint8_t *hay = haystack
        cdef Py_ssize_t n = len(haystack), size = len(text), s, k, start, end, target
        cdef Py_ssize_t marks = len(dropped) if dropped else 0, i
        cdef int32_t node, term
        cdef list found = []
        cdef const uint64_t *words = self.words
        cdef bint filtering = word_filter
        cdef const uint8_t *space
        cdef const Node *nodes = self.packed
        cdef const int32_t *dense = self.dense
        cdef const int32_t *terminal = self.terminal
        cdef int32_t rows = self.rows
        cdef const uint8_t *followers = self.followers
        cdef Py_ssize_t *at = mark_positions(dropped, marks)
        try:
            s = 0
            while s <= n:
                if s > 0 and hay[s - 1] != 32:
                    s += 1
                    continue
                if filtering:
                    space = <const uint8_t *>memchr(hay + s, 32, n - s)
                    k = n if space == NULL else space - hay  # the first word's end
                    if not first_words_pass(words, hay, s, k, n):
                        s += 1
                        continue
                node = 0
                k = s
                while True:
                    if (k == n or hay[k] == 32) and nodes[node].final:
                        term = terminal[node]
                        start, end = s, k
                        if marks:  # haystack to text positions, as the reference maps them
                            start += bisect_right(at, marks, start)
                            end = text_end(text, kind, data, size, at, marks, end, self.is_mark)
                        # an ASCII span holds no mark: it is the pattern's characters, so
                        # its keys are the terminal's; any other goes to the reference's lookup
                        target = self._verify(text, kind, data, start, end, term)
                        if target >= 0:
                            found.append((end, start, target))
                    if k == n:
                        break
                    node = child(nodes, dense, rows, node, hay[k])
                    if not node:
                        break
                    k += 1
                    if hay[k - 1] == 32 and not has_slot(
                        followers, word_slot(hay, k, n, <uint64_t>node)
                    ):
                        break  # no pattern goes on with this word here
                s += 1
        finally:
            free(at)
        # the reference reports matches by end, then the longer first
        found.sort()
        return [(start, -end, target) for end, start, target in found]


def _trie_layout():
    """What a pickled trie's arrays assume of this build of the module (and of the machine's
    byte order)."""
    import sys
    import unicodedata
    # the Unicode data the pickled code point tables were made from (_code_point_tables)
    return (4, sys.byteorder, unicodedata.unidata_version, sizeof(Node), sizeof(Candidates),
            sizeof(Key), sizeof(Jump), WORD_LINES, PREFIX_BITS)


cdef void *_copied(const uint8_t[::1] data, Py_ssize_t size, Py_ssize_t extra=0) except NULL:
    """A malloc'd copy of ``data``, which must be ``size`` bytes (``extra`` more allocated)."""
    if data.shape[0] != size:
        raise ValueError("a pickled trie's arrays do not fit its sizes")
    cdef void *p = malloc(size + extra if size + extra > 0 else 1)
    if p == NULL:
        raise MemoryError()
    if size:
        memcpy(p, &data[0], size)
    return p


cdef void *_in_place(const uint8_t[::1] data, Py_ssize_t size) except NULL:
    """The address of ``data``'s bytes, which must be ``size`` bytes (not none) at a 64-byte
    boundary; used where they lie."""
    if data.shape[0] != size or size == 0:
        raise ValueError("a pickled trie's arrays do not fit its sizes")
    return <void *>&data[0]


cdef bint _all_in_place(tuple arrays):
    """Whether a pickle's arrays can be used where they lie: out-of-band buffers (not bytes,
    which the unpickler made for this trie alone), none empty, each at a 64-byte boundary
    (the first words' filter is read by cache lines; every record type is aligned there)."""
    cdef const uint8_t[::1] view
    for array in arrays:
        if isinstance(array, bytes):
            return False
        view = array
        if view.shape[0] == 0 or <size_t>&view[0] & 63:
            return False
    return True


cdef void _restore_arrays(Trie trie, tuple arrays) except *:
    """The trie's eight arrays from a pickle's: used where they lie when they can be (the
    trie then holds their buffers), else copied."""
    terminal, dense, packed, words, followers, cands, cand_keys, jumps = arrays
    cdef Py_ssize_t nodes = trie.nodes, forms = trie.forms, rows = trie.rows
    if _all_in_place(arrays):
        trie.held = tuple(memoryview(a) for a in arrays)  # views of its own: kept alive
        trie.borrowed = True
        trie.terminal = <int32_t *>_in_place(trie.held[0], nodes * sizeof(int32_t))
        trie.dense = <int32_t *>_in_place(trie.held[1], rows * 256 * sizeof(int32_t))
        trie.packed = <Node *>_in_place(trie.held[2], nodes * sizeof(Node))
        trie.words = <uint64_t *>_in_place(trie.held[3], (8 << WORD_LINES) * sizeof(uint64_t))
        trie.followers = <uint8_t *>_in_place(trie.held[4], (1 << PREFIX_BITS) // 8)
        trie.cands = <Candidates *>_in_place(trie.held[5], forms * sizeof(Candidates))
        trie.cand_keys = <Key *>_in_place(trie.held[6], len(trie.held[6]))
        trie.jumps = <Jump *>_in_place(trie.held[7], len(trie.held[7]))
        return
    trie.terminal = <int32_t *>_copied(terminal, nodes * sizeof(int32_t))
    trie.dense = <int32_t *>_copied(dense, rows * 256 * sizeof(int32_t))
    trie.packed = <Node *>_copied(packed, nodes * sizeof(Node))
    trie.words_memory = _copied(words, (8 << WORD_LINES) * sizeof(uint64_t), 64)
    trie.words = <uint64_t *>((<size_t>trie.words_memory + 63) & ~(<size_t>63))
    memmove(trie.words, trie.words_memory, (8 << WORD_LINES) * sizeof(uint64_t))
    trie.followers = <uint8_t *>_copied(followers, (1 << PREFIX_BITS) // 8)
    trie.cands = <Candidates *>_copied(cands, forms * sizeof(Candidates), sizeof(Candidates))
    trie.cand_keys = <Key *>_copied(cand_keys, len(cand_keys), sizeof(Key))
    trie.jumps = <Jump *>_copied(jumps, len(jumps))


def _restored_trie(layout, Py_ssize_t nodes, Py_ssize_t forms, int32_t rows, tuple arrays,
                   bytes key_bytes, bytes key_map, bytes ascii_fold, keys, exact_keys,
                   tuple callables, tuple code_points):
    """The :class:`Trie` that :meth:`Trie.__reduce_ex__` pickled; ValueError for arrays of
    another layout or that do not hold together. Its arrays are bytes (copied) or a pickle's
    out-of-band buffers (used where they lie: read-only memory will do, nothing writes them)."""
    if layout != _trie_layout():
        raise ValueError(f"a trie pickled with layout {layout}, not {_trie_layout()}")
    if nodes < 1 or forms < 0 or not 0 < rows <= nodes or len(key_map) != 128:
        raise ValueError("a pickled trie's sizes are out of range")
    if len(arrays) != 8:
        raise ValueError("a pickled trie's arrays do not fit its sizes")
    cdef Py_ssize_t slots = len(arrays[7]) // sizeof(Jump)
    if slots < 1 or slots & (slots - 1) or slots * <Py_ssize_t>sizeof(Jump) != len(arrays[7]):
        raise ValueError("a pickled trie's arrays do not fit its sizes")
    cdef Trie trie = Trie.__new__(Trie)
    trie.nodes, trie.forms, trie.rows = nodes, forms, rows
    _restore_arrays(trie, arrays)
    trie.jump_mask = slots - 1
    cdef Py_ssize_t i, count = 0, empty = 0
    for i in range(slots):  # a probe ends at an empty slot; every jump lands inside the trie
        if trie.jumps[i].node == 0:
            empty += 1
        elif not (0 < trie.jumps[i].node < nodes and 1 <= trie.jumps[i].length <= 8):
            raise ValueError("a pickled trie's jumps point outside it")
    if not empty:
        raise ValueError("a pickled trie's jumps have no empty slot")
    for i in range(nodes):  # every index the walk follows stays inside the arrays
        if (trie.packed[i].first + <Py_ssize_t>trie.packed[i].count > nodes
                or trie.packed[i].first < 0 or trie.terminal[i] >= forms):
            raise ValueError("a pickled trie's nodes point outside it")
    for i in range(rows * 256):
        if not 0 <= trie.dense[i] < nodes:
            raise ValueError("a pickled trie's nodes point outside it")
    for i in range(forms):
        if trie.cands[i].count < 0 or trie.cands[i].first != count:
            raise ValueError("a pickled trie's candidates are out of order")
        count += trie.cands[i].count
    if count * <Py_ssize_t>sizeof(Key) != len(arrays[6]):
        raise ValueError("a pickled trie's arrays do not fit its sizes")
    for i in range(count):
        if (trie.cand_keys[i].offset < 0
                or trie.cand_keys[i].offset + (trie.cand_keys[i].shape >> 1) > len(key_bytes)):
            raise ValueError("a pickled trie's keys point outside it")
    trie.key_bytes = key_bytes
    trie.keys, trie.exact_keys = keys, exact_keys
    trie.match_key, trie.fold_haystack, trie.hit, trie.bisect_right, trie.is_mark = callables
    trie._set_folds(ascii_fold, key_map)
    folded, keyed = code_points
    trie._set_code_points(folded, keyed)
    return trie


cdef int fold_byte(fold_char, Py_UCS4 c) except -3:
    """The haystack byte of ``c`` >= 128 before the ASCII table by the reference's
    ``_fold_char`` (-1: a combining mark, dropped)."""
    char = fold_char(chr(c))
    return ord(char) if char else -1


cdef int32_t packed_key_codes(key_codes, Py_UCS4 c) except? KEY_UNKNOWN:
    """:func:`normalise.scan.key_codes` of ``c`` packed in one int: case kept, lower case
    (15 bits each), folds alike (bit 30); or KEY_DROPPED, KEY_NOT_SIMPLE."""
    codes = key_codes(chr(c))
    if isinstance(codes, int):
        return codes
    return codes[0] | (codes[1] << 15) | ((1 << 30) if codes[2] else 0)


_code_points = None


def _unknown_code_points():
    """The per-code-point tables of a trie just built: every entry unknown (-2), each filled
    by the reference's own functions when its code point first comes (a build in a process
    that never pickles does not pay for the whole of :func:`_code_point_tables`)."""
    import sys
    return ((-2).to_bytes(2, sys.byteorder, signed=True) * FOLD_CACHED,
            int(KEY_UNKNOWN).to_bytes(4, sys.byteorder, signed=True) * KEY_CODES_BELOW)


def _code_point_tables():
    """``folded`` (int16: the haystack byte, -1 a dropped mark) and ``keyed`` (int32: the
    packed :func:`normalise.scan.key_codes`) of every code point from 128 below FOLD_CACHED
    and KEY_CODES_BELOW, by the reference's own functions, as the bytes every trie pickles
    (whatever it filled itself: a pickle is the same before and after use); ASCII entries
    are unknown (-2: ASCII reads ``ascii_fold`` and ``key_map``). Made once per process
    (about 45 ms), at the first pickling of a trie (the cache's store, Dask, bench.py's
    fresh copies), never at a build or a scan: a build used where it was made fills only
    the code points its texts hold.

    Why: filled as code points came, a fresh trie (each unpickled normaliser: every table
    loaded from the cache) called the reference back once per distinct code point of its
    first text: on 0.24 MB of English fortunes with GeoNames variants 420 ``_fold_char``
    and 330 ``key_codes`` calls, a million instructions, a third of what a first run did
    more than a second at 100,000 variants."""
    global _code_points
    if _code_points is None:
        from normalise.scan import _fold_char, key_codes
        folded = bytearray(FOLD_CACHED * sizeof(int16_t))
        keyed = bytearray(KEY_CODES_BELOW * sizeof(int32_t))
        fill_code_points(folded, keyed, _fold_char, key_codes)
        _code_points = (bytes(folded), bytes(keyed))
    return _code_points


cdef void fill_code_points(bytearray folded, bytearray keyed, fold_char, key_codes) except *:
    """The tables of :func:`_code_point_tables`, written into ``folded`` and ``keyed``."""
    cdef int16_t *fold = <int16_t *><char *>folded
    cdef int32_t *key = <int32_t *><char *>keyed
    cdef int c
    for c in range(FOLD_CACHED):
        fold[c] = -2 if c < 128 else <int16_t>fold_byte(fold_char, <Py_UCS4>c)
    for c in range(KEY_CODES_BELOW):
        key[c] = KEY_UNKNOWN if c < 128 else packed_key_codes(key_codes, <Py_UCS4>c)


# ---------------------------------------------------------------------------- the table pass

from cpython.tuple cimport PyTuple_GET_ITEM

from normalise import casing as _casing, compile as _compile, evidence as _evidence
from normalise import keep as _keep
from normalise import sentence as _sentence
from normalise.compile import Left, PythonCore, TableHit, TablePass
from normalise.events import APPLIED_RULES, Event, Result, Rule, Span, Substitution


ctypedef fused code_unit:
    uint8_t
    uint16_t
    uint32_t


cdef Py_ssize_t fold_units(Trie trie, const code_unit *units, Py_ssize_t n, uint8_t *out,
                           list dropped) except -1:
    """Fold ``n`` code units into ``out`` (:meth:`Trie._fold`); the haystack positions of the
    dropped marks go to ``dropped``. Returns the haystack's length."""
    cdef const uint8_t *table = trie.ascii_fold
    cdef Py_ssize_t i = 0, m = 0, k
    cdef uint32_t c
    cdef int f
    cdef bint rule = trie.ascii_rule
    while i < n:
        c = units[i]
        if c < 128:
            # text is mostly ASCII: its runs of 16 ASCII characters folded at once
            if code_unit is uint8_t:
                k = fold_ascii(<const uint8_t *>units + i, out + m, n - i) if rule else 0
            elif code_unit is uint16_t:
                k = fold_ascii2(<const uint16_t *>units + i, out + m, n - i) if rule else 0
            else:
                k = fold_ascii4(<const uint32_t *>units + i, out + m, n - i) if rule else 0
            if k:
                i += k
                m += k
                continue
            out[m] = table[c]
            m += 1
            i += 1
            continue
        i += 1
        f = trie._fold_code(c)
        if f < 0:  # a combining mark: dropped; the next character stands at m
            dropped.append(m)
        else:
            out[m] = table[f]
            m += 1
    return m


cdef inline object new_tuple(object kind, Py_ssize_t size):
    """An empty instance of the tuple subclass ``kind`` (a NamedTuple), as ``tuple.__new__``
    makes it; the caller sets every item."""
    cdef PyTypeObject *cls = <PyTypeObject *>kind
    return cls.tp_alloc(cls, size)


cdef inline void put(object t, Py_ssize_t i, object value):
    Py_INCREF(value)
    PyTuple_SET_ITEM(t, i, value)


cdef inline object pair(object kind, object a, object b):
    """A pair of ints (a Span): untracked, as the collector would untrack it at its first
    look (no cycle through ints); the tuples below that hold only ints, strings, floats and
    None likewise. Without it, the collections the records of a dense text set off cost
    as much as the pass itself."""
    t = new_tuple(kind, 2)
    put(t, 0, a)
    put(t, 1, b)
    PyObject_GC_UnTrack(t)
    return t


cdef inline object triple(object kind, object a, object b, object c):
    t = new_tuple(kind, 3)
    put(t, 0, a)
    put(t, 1, b)
    put(t, 2, c)
    return t


cdef struct Cues:
    Py_ssize_t scanned   # positions before this one were read
    Py_ssize_t first     # occurrences before this one start before every later window
    Py_ssize_t count     # occurrences found (-1: out of memory)
    Py_ssize_t capacity
    Py_ssize_t *starts   # where each occurrence of a cue key starts, in order
    Py_ssize_t *ends


cdef inline void cue_found(Cues *cues, Py_ssize_t start, Py_ssize_t end) noexcept:
    """Record an occurrence of a cue key (a window with it may hold a cue)."""
    cdef Py_ssize_t *grown
    if cues.count < 0:
        return
    if cues.count == cues.capacity:
        cues.capacity = 2 * cues.capacity + 16
        grown = <Py_ssize_t *>realloc(cues.starts, cues.capacity * sizeof(Py_ssize_t))
        if grown == NULL:
            cues.count = -1
            return
        cues.starts = grown
        grown = <Py_ssize_t *>realloc(cues.ends, cues.capacity * sizeof(Py_ssize_t))
        if grown == NULL:
            cues.count = -1
            return
        cues.ends = grown
    cues.starts[cues.count] = start
    cues.ends[cues.count] = end
    cues.count += 1


cdef class HitBuffer:
    """The hits a table pass took (start, end, target each, in order), owned: the storage
    that :class:`HitRecords` read."""

    cdef Py_ssize_t *at
    cdef Py_ssize_t count

    def __cinit__(self):
        self.at = NULL
        self.count = 0

    def __dealloc__(self):
        free(self.at)


@cython.final
cdef class HitRecords:
    """``TablePass.taken`` (``Span`` records) or ``TablePass.hits`` (``TableHit`` records) of
    the compiled table pass: a read-only sequence equal to the reference's list, each record
    made when it is read. Why: on dense text most hits are canonical forms that nothing asks
    about again, and a Span, a TableHit and two ints made and freed per hit were a quarter of
    the pass."""

    cdef HitBuffer buffer
    cdef list entries  # None: Span records; else TableHit records of these entries

    def __len__(self):
        return self.buffer.count

    cdef object _record(self, Py_ssize_t i):
        cdef const Py_ssize_t *at = self.buffer.at + 3 * i
        cdef object start = at[0], end = at[1]
        if self.entries is None:
            return pair(Span, start, end)
        return triple(TableHit, start, end, self.entries[at[2]])

    def __getitem__(self, index):
        cdef Py_ssize_t i
        if isinstance(index, slice):
            return [self._record(i) for i in range(*index.indices(self.buffer.count))]
        i = index.__index__()
        if i < 0:
            i += self.buffer.count
        if not 0 <= i < self.buffer.count:
            raise IndexError("hit index out of range")
        return self._record(i)

    def __iter__(self):
        cdef Py_ssize_t i
        for i in range(self.buffer.count):
            yield self._record(i)

    def __reversed__(self):
        cdef Py_ssize_t i
        for i in range(self.buffer.count - 1, -1, -1):
            yield self._record(i)

    def __eq__(self, other):
        if isinstance(other, (list, tuple, HitRecords)):
            return list(self) == list(other)
        return NotImplemented

    def __ne__(self, other):
        if isinstance(other, (list, tuple, HitRecords)):
            return list(self) != list(other)
        return NotImplemented

    __hash__ = None

    def index(self, value, start=0, stop=None):
        return list(self).index(value, start, self.buffer.count if stop is None else stop)

    def count(self, value):
        return list(self).count(value)

    def __repr__(self):
        return repr(list(self))

    def __reduce__(self):
        return (list, (list(self),))  # a plain list where it is pickled


cdef HitRecords hit_records(HitBuffer buffer, list entries):
    cdef HitRecords records = HitRecords.__new__(HitRecords)
    records.buffer = buffer
    records.entries = entries
    return records


cdef enum:
    AS_IS = 0         # the canonical form as it is
    CAPITALS = 1      # every letter a capital
    FIRST_CAPITAL = 2  # its first letter a capital


cdef int span_casing(Trie trie, int kind, void *data, Py_ssize_t start, Py_ssize_t end,
                     str canonical) except -2:
    """What :func:`normalise.casing.cased` does to an ASCII ``canonical`` for the span
    ``[start, end)``: in capitals (``_in_capitals``), with its first letter a capital (the
    span's first character is one, the form's first is small), else as it is; -1 where the
    reference decides. An ASCII letter's capital keeps its key, so ``_capital`` is
    ``str.upper`` for the form. The span is in capitals where ``str.isupper`` holds and it
    has two letters; not where it is ASCII or ``str.islower`` holds, nor where a character's
    capital differs from it and keeps its key (:func:`capital_differs`: the reference's
    ``all(_capital(c) == c ...)`` fails), which settles Москва, Łódź and più with no call
    and no slice per hit; else (STRAßE, ǅA) the reference decides."""
    cdef Py_ssize_t i, letters = 0
    cdef bint small = False, capital = False, title = False, ascii = True
    cdef uint32_t c
    for i in range(start, end):
        c = PyUnicode_READ(kind, data, i)
        if 97 <= c <= 122:
            small = True
            letters += 1
        elif 65 <= c <= 90:
            capital = True
            letters += 1
        elif c >= 128:
            ascii = False
            small |= Py_UNICODE_ISLOWER(c)
            capital |= Py_UNICODE_ISUPPER(c)
            title |= Py_UNICODE_ISTITLE(c)
            letters += Py_UNICODE_ISALPHA(c)
    if capital and not small and not title:  # str.isupper
        if letters >= 2:
            return CAPITALS
    elif not ascii and not (small and not capital and not title):  # nor str.islower
        for i in range(start, end):
            if capital_differs(trie, PyUnicode_READ(kind, data, i)):
                break
        else:
            return -1
    if end == start or len(canonical) == 0:
        return AS_IS
    c = PyUnicode_READ(kind, data, start)  # str.isupper of the first character
    if Py_UNICODE_ISUPPER(c) and not Py_UNICODE_ISLOWER(c) and not Py_UNICODE_ISTITLE(c):
        c = PyUnicode_READ(PyUnicode_KIND(canonical), PyUnicode_DATA(canonical), 0)
        if 97 <= c <= 122:
            return FIRST_CAPITAL
    return AS_IS


cdef int capital_differs(Trie trie, Py_UCS4 c) except -2:
    """Whether ``casing._capital(c) != c`` is sure: ``str.upper`` of ``c`` is one other
    character with the same match key (both keys made a character at a time: an ASCII
    small letter, ó, ж); False where it is not or the keys are not simple."""
    cdef Py_UCS4 upper[3]
    cdef int32_t own, other
    if c < 128:
        return 97 <= c <= 122
    if _PyUnicode_ToUpperFull(c, upper) != 1 or upper[0] == c:
        return False
    own = trie._key_code(c)
    other = trie._key_code(upper[0]) if upper[0] >= 128 else (
        trie.key_map[upper[0]] | (trie.lower_map[upper[0]] << 15))
    if own < 0 or other < 0:
        return False
    return (own >> 15) & 0x7FFF == (other >> 15) & 0x7FFF


def span_cased(Trie trie, str span, str canonical):
    """What the table pass writes for ``span`` and an ASCII ``canonical`` form (not
    case-sensitive) by :func:`span_casing` (with ``trie``'s keys), None where it asks
    :func:`normalise.casing.cased` (the differential test asks)."""
    cdef int casing = span_casing(trie, PyUnicode_KIND(span), PyUnicode_DATA(span), 0,
                                  len(span), canonical)
    return None if casing < 0 else cased_ascii(canonical, casing)


cdef inline uint32_t cased_char(uint32_t c, Py_ssize_t i, int casing) noexcept:
    """Character ``i`` of an ASCII canonical form in ``casing`` (a code point as an integer:
    Cython's arithmetic on a Py_UCS4 is a character's)."""
    if 97 <= c <= 122 and (casing == CAPITALS or (casing == FIRST_CAPITAL and i == 0)):
        return c - 32
    return c


cdef inline bint cased_equal(int kind, void *data, Py_ssize_t start, Py_ssize_t end,
                             str canonical, int casing) noexcept:
    """Whether ``text[start:end]`` is already ``canonical`` in ``casing`` (no event)."""
    cdef Py_ssize_t i, n = len(canonical)
    cdef int ckind = PyUnicode_KIND(canonical)
    cdef void *cdata = PyUnicode_DATA(canonical)
    if n != end - start:
        return False
    for i in range(n):
        if PyUnicode_READ(kind, data, start + i) != cased_char(
            PyUnicode_READ(ckind, cdata, i), i, casing
        ):
            return False
    return True


cdef object cased_ascii(str canonical, int casing):
    """The ASCII ``canonical`` in ``casing``: the form itself where nothing changes."""
    cdef Py_ssize_t i, n = len(canonical)
    cdef int ckind = PyUnicode_KIND(canonical)
    cdef void *cdata = PyUnicode_DATA(canonical)
    for i in range(n):
        if cased_char(PyUnicode_READ(ckind, cdata, i), i, casing) != PyUnicode_READ(
            ckind, cdata, i
        ):
            break
    else:
        return canonical
    result = PyUnicode_New(n, 127)
    cdef void *rdata = PyUnicode_DATA(result)
    for i in range(n):
        PyUnicode_WRITE(1, rdata, i, cased_char(PyUnicode_READ(ckind, cdata, i), i, casing))
    return result


@cython.final  # no subclass: its cdef methods called directly, inlined
cdef class TablePassRunner:
    """:meth:`normalise.compile.PythonCore.table_pass` with its per-hit decisions in C: the
    same hits, kept spans, events and trace, in the same order.

    Decided in C: the keep list's overlap test is asked only where the text has kept spans,
    the "A or X" test only where the previous hit is of the same entry and less than 12
    characters away (what :func:`normalise.keep.or_spelling` asks first), the mention cue only
    where the window before the hit holds one of :data:`normalise.keep._CUE_KEYS` (the
    substring test :func:`normalise.keep.is_mentioned` makes first, done over the window's
    code points), the full-name test only for given names with ``given_names="alone"``, and a
    hit spelled exactly as its ASCII canonical form makes no event (:func:`table_event` would
    give None: the casing of a form written as the canonical form is that form). Every other
    case calls the reference's own Python function for that hit."""

    cdef Trie trie
    cdef list entries, canonicals
    cdef uint8_t *plain   # per target: its canonical form is ASCII
    cdef uint8_t *given   # per target: a given name whose full-name test runs
    cdef uint8_t *pointless  # per target: its canonical form does not end in a point
    cdef list exact       # per target: the entry is case-sensitive
    cdef object cased, ends_line, point_kept, rule, one, inside_word, apostrophes
    cdef Py_ssize_t targets
    cdef object keeping, or_spelling, is_mentioned, in_full_name, table_event, overlaps
    cdef object merge_spans
    cdef Py_ssize_t reach
    cdef bytes cue_bytes     # the ASCII cue keys, one after the other
    cdef Py_ssize_t cue_count
    cdef Py_ssize_t cue_offset[32]
    cdef Py_ssize_t cue_length[32]
    cdef bint cue_always   # a key no ASCII window can be tested for in C: ask Python
    cdef uint32_t cue_mask[256]  # per byte: the keys that begin with it (either case)
    cdef uint32_t cue_second[256]  # per byte: the keys it may follow the first byte of

    def __cinit__(self):
        self.plain = self.given = self.pointless = NULL

    def __dealloc__(self):
        free(self.plain)
        free(self.given)
        free(self.pointless)

    def __init__(self, Trie trie, compiled):
        self.trie = trie
        self.entries = list(compiled.table.entries)
        self.canonicals = [e.canonical for e in self.entries]
        self.targets = len(self.entries)
        self.plain = <uint8_t *>calloc(self.targets + 1, 1)
        self.given = <uint8_t *>calloc(self.targets + 1, 1)
        self.pointless = <uint8_t *>calloc(self.targets + 1, 1)
        if self.plain == NULL or self.given == NULL or self.pointless == NULL:
            raise MemoryError()
        full_names = compiled.options.given_names == "alone"
        cdef Py_ssize_t i
        for i, entry in enumerate(self.entries):
            self.plain[i] = entry.canonical.isascii()
            self.given[i] = full_names and entry.kind == "given-name"
            self.pointless[i] = not entry.canonical.endswith(".")
        self.exact = [bool(e.case_sensitive) for e in self.entries]
        self.cased = _casing.cased
        self.ends_line = _sentence.ends_line
        self.point_kept = _compile.POINT_KEPT
        self.rule = Rule.TABLE
        self.one = 1.0
        self.inside_word = _evidence.inside_word
        self.apostrophes = _evidence.INNER_APOSTROPHES
        self.keeping = compiled.keeping
        self.or_spelling = _keep.or_spelling
        self.is_mentioned = _keep.is_mentioned
        self.overlaps = _keep.overlaps
        self.merge_spans = _keep.merge_spans
        self.in_full_name = _compile.in_full_name
        self.table_event = _compile.table_event
        self.reach = _keep._CUE_REACH
        self.cue_always = False
        memset(self.cue_mask, 0, sizeof(self.cue_mask))
        keys = []
        for key in _keep._CUE_KEYS:
            if not key or len(keys) == 32:
                self.cue_always = True  # the reference decides every hit
            elif key.isascii() and key == key.lower():  # else never in a lowered window
                self.cue_mask[ord(key[0])] |= 1 << len(keys)
                self.cue_mask[ord(key[0].upper())] |= 1 << len(keys)
                keys.append(key.encode("ascii"))
        self.cue_bytes = b"".join(keys)
        self.cue_count = len(keys)
        cdef uint32_t single = 0
        for i, key in enumerate(keys):
            if len(key) == 1:
                single |= 1 << i
        for i in range(256):
            self.cue_second[i] = single  # a key of one byte follows nothing
        for i, key in enumerate(keys):
            if len(key) > 1:
                self.cue_second[key[1]] |= 1 << i
                self.cue_second[ord(chr(key[1]).upper())] |= 1 << i
        cdef Py_ssize_t offset = 0
        for i, key in enumerate(keys):
            self.cue_offset[i] = offset
            self.cue_length[i] = len(key)
            offset += len(key)

    cdef bint _cue_before(self, Cues *cues, int kind, void *data, Py_ssize_t size,
                          Py_ssize_t start) except -1:
        """Whether the window before ``start`` may hold a mention cue: False only where
        :func:`normalise.keep.is_mentioned` would say False at its substring test (a key of
        :data:`normalise.keep._CUE_KEYS` inside the lower-cased window; a window with a
        character >= 128 in a text that is not Latin-1 is left to the reference, as
        ``str.lower`` of such letters may make ASCII).

        The text is read once per pass, not once per hit: ``cues`` holds the occurrences of
        the keys found so far, and each call reads only the positions its window adds (the
        hits come in order of start, so windows only move right; on dense text they overlap)."""
        if self.cue_always:
            return True
        cdef Py_ssize_t low = start - self.reach, p, i
        cdef uint32_t ch, mask
        cdef const uint8_t *latin
        if low < 0:
            low = 0
        p = cues.scanned if cues.scanned > low else low
        # a key is tried where the byte and the next may begin it (the next: any case; a
        # text's last character is tried for every key that begins with it)
        if kind == 1:  # Latin-1: no letter >= 128 lowers to ASCII
            latin = <const uint8_t *>data
            while p < start:
                mask = self.cue_mask[latin[p]]
                if mask:
                    if p + 1 < size:
                        mask &= self.cue_second[latin[p + 1]]
                    if mask:
                        self._cue_keys(cues, kind, data, size, p, mask)
                p += 1
        else:
            while p < start:
                ch = PyUnicode_READ(kind, data, p)
                if ch >= 128:
                    cue_found(cues, p, p + 1)
                elif self.cue_mask[ch]:
                    mask = self.cue_mask[ch]
                    if p + 1 < size:
                        ch = PyUnicode_READ(kind, data, p + 1)
                        mask &= self.cue_second[ch if ch < 256 else 255]
                    if mask:
                        self._cue_keys(cues, kind, data, size, p, mask)
                p += 1
        if start > cues.scanned:
            cues.scanned = start
        if cues.count < 0:
            raise MemoryError()
        while cues.first < cues.count and cues.starts[cues.first] < low:
            cues.first += 1
        i = cues.first
        while i < cues.count and cues.starts[i] < start:
            if cues.ends[i] <= start:
                return True
            i += 1
        return False

    cdef void _cue_keys(self, Cues *cues, int kind, void *data, Py_ssize_t size,
                        Py_ssize_t p, uint32_t mask) noexcept:
        """Record the keys of ``mask`` (which begin with the character at ``p``) found at
        ``p``, compared lower-cased."""
        cdef const uint8_t *k
        cdef Py_ssize_t c, j, size_k
        cdef uint32_t d
        while mask:  # only the keys of the mask, lowest first
            c = __builtin_ctz(mask)
            mask &= mask - 1
            k = (<const uint8_t *>self.cue_bytes) + self.cue_offset[c]
            size_k = self.cue_length[c]
            if p + size_k > size:
                continue
            for j in range(1, size_k):
                d = PyUnicode_READ(kind, data, p + j)
                if (d + 32 if 65 <= d <= 90 else d) != k[j]:
                    break
            else:
                cue_found(cues, p, p + size_k)

    cdef bint _as_canonical(self, int kind, void *data, Py_ssize_t start, Py_ssize_t end,
                            Py_ssize_t target):
        """Whether ``text[start:end]`` is the target's ASCII canonical form, code point for
        code point."""
        if not self.plain[target]:
            return False
        cdef str canonical = self.canonicals[target]
        if len(canonical) != end - start:
            return False
        cdef int ckind = PyUnicode_KIND(canonical)
        cdef void *cdata = PyUnicode_DATA(canonical)
        cdef Py_ssize_t i
        for i in range(end - start):
            if PyUnicode_READ(kind, data, start + i) != PyUnicode_READ(ckind, cdata, i):
                return False
        return True

    cdef object _event(self, str text, int kind, void *data, Py_ssize_t start, Py_ssize_t end,
                       Py_ssize_t target):
        """:func:`normalise.compile.table_event` (its casing by the reference's own
        :func:`normalise.casing.cased`)."""
        cdef object note = None
        cdef str original
        if PyUnicode_READ(kind, data, end - 1) == 46 and self.pointless[target]:  # "."
            if end < len(text) and PyUnicode_READ(kind, data, end) == 46:
                return None
            if self.ends_line(text, end):
                end -= 1
                note = self.point_kept
        canonical = self.canonicals[target]
        casing = (span_casing(self.trie, kind, data, start, end, canonical)
                  if self.plain[target] else -1)
        if casing >= 0:  # an ASCII form: no slice, no call, no cache key per hit
            if self.exact[target]:
                casing = AS_IS
            if cased_equal(kind, data, start, end, canonical, casing):
                return None
            replacement = cased_ascii(canonical, casing)
        else:
            original = text[start:end]
            replacement = self.cased(original, canonical, self.exact[target])
            if replacement == original:
                return None
        event = new_tuple(Event, 8)
        put(event, 0, start)
        put(event, 1, end)
        put(event, 2, replacement)
        put(event, 3, self.rule)
        put(event, 4, self.one)
        put(event, 5, note)
        put(event, 6, canonical)
        put(event, 7, None)
        PyObject_GC_UnTrack(event)
        return event

    def inside_words(self, str text, hits):
        """:meth:`normalise.compile.PythonCore.inside_words`: the reference's
        :func:`normalise.evidence.inside_word` asked only of the hits right after one of its
        apostrophes (the starts read from the records' buffer when it has one)."""
        cdef set inside = set()
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_ssize_t start, i
        cdef object hit, ostart
        cdef HitBuffer buffer
        apostrophes = self.apostrophes
        if type(hits) is HitRecords:
            buffer = (<HitRecords>hits).buffer
            for i in range(buffer.count):
                start = buffer.at[3 * i]
                if (start >= 2 and PyUnicode_READ(kind, data, start - 1) >= 39
                        and chr(PyUnicode_READ(kind, data, start - 1)) in apostrophes):
                    ostart = start
                    if self.inside_word(text, ostart):
                        inside.add(ostart)
            return inside
        for hit in hits:
            ostart = <object>PyTuple_GET_ITEM(hit, 0)
            start = ostart
            if (start >= 2 and PyUnicode_READ(kind, data, start - 1) >= 39
                    and chr(PyUnicode_READ(kind, data, start - 1)) in apostrophes
                    and self.inside_word(text, ostart)):
                inside.add(ostart)
        return inside

    def run(self, str text, trace=None):
        """The table pass of ``text`` (see :mod:`normalise.compile`)."""
        cdef Hits hits
        memset(&hits, 0, sizeof(Hits))
        try:
            self.trie._scan(text, &hits)
            return self._run(text, &hits, trace)
        finally:
            free(hits.at)

    cdef object _run(self, str text, Hits *hits, trace):
        kept = self.keeping.kept(text)
        if trace is not None:
            trace.extend(Left(start, end, "kept") for start, end in kept)
        cdef list events = [], held = []
        cdef Cues cues
        memset(&cues, 0, sizeof(Cues))
        try:
            self._decide(text, hits, kept, trace, events, held, &cues)
        finally:
            free(cues.starts)
            free(cues.ends)
        # the hits not kept, moved up in place by _decide: the buffer of the records
        cdef HitBuffer buffer = HitBuffer.__new__(HitBuffer)
        buffer.at = hits.at
        buffer.count = hits.count
        hits.at = NULL
        found = hit_records(buffer, self.entries)
        taken = hit_records(buffer, None)
        if kept:
            taken = [Span(s, e) for s, e in self.merge_spans(list(taken) + kept)]
        t = new_tuple(TablePass, 4)
        put(t, 0, events)
        put(t, 1, taken)
        put(t, 2, found)
        put(t, 3, held)
        return t

    cdef int _decide(self, str text, Hits *hits, kept, trace, list events, list held,
                     Cues *cues) except -1:
        """The per-hit part of :meth:`run`. The hits not kept are moved up in ``hits``
        (``hits.count`` becomes their number): the taken spans and the found hits."""
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_ssize_t start, end, target, prev_end = -1, prev_target = -1
        cdef Py_ssize_t size = len(text)
        cdef object hit, ostart, oend, why, event
        cdef bint untraced = trace is None
        cdef Py_ssize_t h, count = hits.count, taken = 0
        for h in range(count):
            start = hits.at[3 * h]
            end = hits.at[3 * h + 1]
            target = hits.at[3 * h + 2]
            if kept:
                ostart = start
                oend = end
                if self.overlaps(kept, ostart, oend):
                    continue  # a kept form, or a spelling mentioned as such, wins
            hits.at[3 * taken] = start
            hits.at[3 * taken + 1] = end
            hits.at[3 * taken + 2] = target
            taken += 1
            if untraced and self._as_canonical(kind, data, start, end, target):
                # no event whatever the tests below say, and no trace to tell them in
                prev_end = end
                prev_target = target
                continue
            ostart = start
            oend = end
            if (
                prev_target == target
                and start - prev_end < 12
                and self.or_spelling(text, prev_end, ostart)
            ):
                why = "mention"
            elif (
                cue_may_end(kind, data, start)  # defined in the settling check's section
                and self._cue_before(cues, kind, data, size, start)
                and self.is_mentioned(text, ostart)
            ):
                why = "kept"
            elif self.given[target] and self.in_full_name(text, ostart, oend):
                why = "full-name"
            else:
                why = None
            prev_end = end
            prev_target = target
            if why is not None:
                if trace is not None:
                    trace.append(Left(ostart, oend, why))
                if why == "full-name" and not (
                    self._as_canonical(kind, data, start, end, target)
                    if self.plain[target] else text[start:end] == self.canonicals[target]
                ):
                    held.append(pair(Span, ostart, oend))  # not spelled as the canonical form
                continue
            if not untraced and self._as_canonical(kind, data, start, end, target):
                continue
            event = self._event(text, kind, data, start, end, target)
            if event is not None:
                events.append(event)
        hits.count = taken
        return 0


cdef inline bint atomic(object record):
    """Whether a record holds only ints, strings, floats and None (the collector's own test
    before it untracks a tuple: nothing in it can be part of a cycle)."""
    cdef Py_ssize_t i
    for i in range(len(record)):
        value = <object>PyTuple_GET_ITEM(record, i)
        if not (value is None or type(value) is str or type(value) is int
                or type(value) is float):
            return False
    return True


def apply_events(str text, events):
    """:func:`normalise.events.apply_events`, its loop in C: the same text and records.

    The output is written once into a string of its final size (:func:`assemble`), not
    joined from a slice per stretch between rewrites: a slice of a wide string is scanned
    for its widest character, which cost more than the rest of the records."""
    cdef list subs = [], applied = []
    cdef Py_ssize_t pos = 0, out = 0, start, end, out_end, size = len(text)
    cdef bint ordered = True  # every event in order and inside the text
    cdef bint is_applied
    cdef object event, original, written, sub, score, rule, replacement
    for event in events:
        if not isinstance(event, tuple):
            event = tuple(event)
        if len(event) != 8:  # as the reference's unpacking says
            raise ValueError(f"an event has 8 fields, not {len(event)}")
        start = <object>PyTuple_GET_ITEM(event, 0)
        end = <object>PyTuple_GET_ITEM(event, 1)
        if not (pos <= start <= end <= size):
            ordered = False
        out += start - pos
        original = text[start:end]
        replacement = <object>PyTuple_GET_ITEM(event, 2)
        rule = <object>PyTuple_GET_ITEM(event, 3)
        is_applied = rule in APPLIED_RULES
        written = replacement if is_applied else original
        out_end = out + len(written)
        score = <object>PyTuple_GET_ITEM(event, 4)
        sub = new_tuple(Substitution, 11)
        put(sub, 0, original)
        put(sub, 1, replacement)
        put(sub, 2, <object>PyTuple_GET_ITEM(event, 0))
        put(sub, 3, <object>PyTuple_GET_ITEM(event, 1))
        put(sub, 4, out)
        put(sub, 5, out_end)
        put(sub, 6, rule)
        put(sub, 7, <object>PyTuple_GET_ITEM(event, 6))
        if type(score) is float and (score == 1.0 or score == 0.0):
            put(sub, 8, score)  # round(score, 4) is the same float: no decimal conversion
        else:
            put(sub, 8, round(score, 4))
        put(sub, 9, <object>PyTuple_GET_ITEM(event, 5))
        put(sub, 10, <object>PyTuple_GET_ITEM(event, 7))
        if atomic(sub):
            PyObject_GC_UnTrack(sub)
        subs.append(sub)
        if is_applied:
            applied.append(sub)
        out = out_end
        pos = end
    if not subs:
        return Result(text, [])
    written_text = assemble(text, subs, out + size - pos) if ordered else None
    if written_text is None:  # events out of order: the reference's slices, as they cut
        pieces = []
        pos = 0
        for sub in subs:
            start = <object>PyTuple_GET_ITEM(sub, 2)
            pieces.append(text[pos:start])
            pieces.append(written_of(sub))
            pos = <object>PyTuple_GET_ITEM(sub, 3)
        pieces.append(text[pos:])
        written_text = "".join(pieces)
    return Result(written_text, subs, applied)  # Result.changed without a pass over subs


cdef inline object written_of(object sub):
    """What a record wrote: its replacement (an applied rule) or its original."""
    if <object>PyTuple_GET_ITEM(sub, 6) in APPLIED_RULES:
        return <object>PyTuple_GET_ITEM(sub, 1)
    return <object>PyTuple_GET_ITEM(sub, 0)


cdef uint32_t or_chars(int kind, const void *data, Py_ssize_t low, Py_ssize_t high) noexcept nogil:
    """The bitwise or of the code points of ``[low, high)``: above 0x7F, 0xFF or 0xFFFF
    exactly where one of them is (a loop the compiler vectorises)."""
    cdef uint32_t acc = 0
    cdef Py_ssize_t i
    cdef const uint8_t *p1
    cdef const uint16_t *p2
    cdef const uint32_t *p4
    if kind == 1:
        p1 = <const uint8_t *>data
        for i in range(low, high):
            acc |= p1[i]
    elif kind == 2:
        p2 = <const uint16_t *>data
        for i in range(low, high):
            acc |= p2[i]
    else:
        p4 = <const uint32_t *>data
        for i in range(low, high):
            acc |= p4[i]
    return acc


cdef inline Py_UCS4 width_of(uint32_t acc) noexcept nogil:
    """The widest code point of a string's kind, from :func:`or_chars` of its characters."""
    return 0x10FFFF if acc > 0xFFFF else (0xFFFF if acc > 0xFF else (0xFF if acc > 0x7F else 0x7F))


cdef object assemble(str text, list subs, Py_ssize_t total):
    """The output of ``subs`` (in order, inside ``text``) in one string of ``total``
    characters, as narrow as its characters allow (as every str is): the text's width,
    unless a replaced span holds a character that wide (the kept stretches are then read
    for theirs), or a written one is wider."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_UCS4 bound = PyUnicode_MAX_CHAR_VALUE(text), lower, widest = bound
    cdef Py_ssize_t pos = 0, start, end, i, o = 0
    cdef bint replaced_wide = False  # a replaced span holds a character as wide as the text
    cdef uint32_t acc
    cdef object sub, written
    lower = 65535 if bound > 65535 else (255 if bound > 255 else (127 if bound > 127 else 0))
    for sub in subs:
        start = <object>PyTuple_GET_ITEM(sub, 2)
        end = <object>PyTuple_GET_ITEM(sub, 3)
        if lower and not replaced_wide:
            for i in range(start, end):
                if PyUnicode_READ(kind, data, i) > lower:
                    replaced_wide = True
                    break
        written = written_of(sub)
        if PyUnicode_MAX_CHAR_VALUE(written) > widest:
            widest = PyUnicode_MAX_CHAR_VALUE(written)
    if replaced_wide:  # the output is as wide as what it keeps and writes, no more
        acc = 0
        for sub in subs:
            start = <object>PyTuple_GET_ITEM(sub, 2)
            acc |= or_chars(kind, data, pos, start)
            pos = <object>PyTuple_GET_ITEM(sub, 3)
        acc |= or_chars(kind, data, pos, len(text))
        pos = 0
        widest = width_of(acc)
        for sub in subs:
            written = written_of(sub)
            if PyUnicode_MAX_CHAR_VALUE(written) > widest:
                widest = PyUnicode_MAX_CHAR_VALUE(written)
    result = PyUnicode_New(total, widest)
    cdef int to_kind = PyUnicode_KIND(result)
    cdef void *to_data = PyUnicode_DATA(result)
    for sub in subs:
        start = <object>PyTuple_GET_ITEM(sub, 2)
        end = <object>PyTuple_GET_ITEM(sub, 3)
        written = written_of(sub)
        copy_chars(to_kind, to_data, o, kind, data, pos, start - pos)
        o += start - pos
        copy_chars(to_kind, to_data, o, PyUnicode_KIND(written), PyUnicode_DATA(written), 0,
                   len(written))
        o += len(written)
        pos = end
    copy_chars(to_kind, to_data, o, kind, data, pos, len(text) - pos)
    return result


ctypedef fused target_unit:
    uint8_t
    uint16_t
    uint32_t


cdef inline void copy_units(target_unit *to, const code_unit *units,
                            Py_ssize_t count) noexcept:
    """One typed loop per pair of kinds (fused: the compiler widens or narrows a vector at a
    time; ``PyUnicode_READ``/``WRITE`` per character asked both kinds for every one)."""
    cdef Py_ssize_t i
    for i in range(count):
        to[i] = <target_unit>units[i]


cdef inline void copy_chars(int to_kind, void *to_data, Py_ssize_t to_start, int from_kind,
                            const void *from_data, Py_ssize_t from_start,
                            Py_ssize_t count) noexcept:
    """Copy ``count`` code points that fit the target's kind (the caller made it wide
    enough). Not ``PyUnicode_CopyCharacters``: CPython 3.11 checks a Latin-1 source copied
    into an ASCII string from its first character, not from ``from_start``. A wide text whose
    only wide characters were rewritten comes out narrower."""
    if to_kind == from_kind:
        memcpy(<char *>to_data + to_start * to_kind,
               <const char *>from_data + from_start * from_kind, count * to_kind)
    elif to_kind == 1:
        if from_kind == 2:
            copy_units(<uint8_t *>to_data + to_start,
                       <const uint16_t *>from_data + from_start, count)
        else:
            copy_units(<uint8_t *>to_data + to_start,
                       <const uint32_t *>from_data + from_start, count)
    elif to_kind == 2:
        if from_kind == 1:
            copy_units(<uint16_t *>to_data + to_start,
                       <const uint8_t *>from_data + from_start, count)
        else:
            copy_units(<uint16_t *>to_data + to_start,
                       <const uint32_t *>from_data + from_start, count)
    elif from_kind == 1:
        copy_units(<uint32_t *>to_data + to_start, <const uint8_t *>from_data + from_start,
                   count)
    else:
        copy_units(<uint32_t *>to_data + to_start, <const uint16_t *>from_data + from_start,
                   count)


class Core(PythonCore):
    """The compiled core at the seam of :mod:`normalise.compile`: the table pass and the
    records in C (:class:`TablePassRunner`, :func:`apply_events`), scanning with the compiled
    :class:`Trie` that the compiled table's scanner holds whenever this core is chosen (both
    ask :func:`normalise.core.selected`). A scanner built on the Python core (a table
    compiled inside ``core.using("python")``) has no trie: then the reference's table pass
    runs."""

    def __init__(self, compiled):
        super().__init__(compiled)
        trie = getattr(compiled.scanner, "_trie", None)
        self._runner = TablePassRunner(trie, compiled) if isinstance(trie, Trie) else None

    def table_pass(self, text, trace=None):
        if self._runner is None:
            return PythonCore.table_pass(self, text, trace)
        return self._runner.run(text, trace)

    def inside_words(self, text, hits):
        if self._runner is None:
            return PythonCore.inside_words(self, text, hits)
        return self._runner.inside_words(text, hits)

    def apply(self, text, events):
        return apply_events(text, events)


# ---------------------------------------------------------------------------- the settling check

from cpython.list cimport PyList_GET_ITEM
from cpython.tuple cimport PyTuple_Check, PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_DecodeLatin1
from libc.string cimport memcmp, strlen


cdef inline bint prose_break(Py_UCS4 c) noexcept nogil:
    """A character of :data:`normalise.chars.PROSE_BREAKS` (a line ends there)."""
    return c == 10 or c == 13 or c == 0x2028 or c == 0x2029


cdef inline Py_ssize_t span_item(object spans, Py_ssize_t i, Py_ssize_t j) except? -1:
    """``spans[i][j]``: read in place where ``spans`` is a list of tuples (the spans taken
    once kept forms are merged in), else by indexing."""
    cdef object item
    if type(spans) is list:
        item = <object>PyList_GET_ITEM(spans, i)
        if PyTuple_Check(item) and j < PyTuple_GET_SIZE(item):
            return <object>PyTuple_GET_ITEM(item, j)
    return spans[i][j]


cdef struct Span3:
    Py_ssize_t start, end, target


cdef int span3_order(const void *x, const void *y) noexcept nogil:
    """(start, end, target) order, as the reference sorts its window hits."""
    cdef const Span3 *a = <const Span3 *>x
    cdef const Span3 *b = <const Span3 *>y
    if a.start != b.start:
        return -1 if a.start < b.start else 1
    if a.end != b.end:
        return -1 if a.end < b.end else 1
    if a.target != b.target:
        return -1 if a.target < b.target else 1
    return 0


cdef extern from "stdlib.h":
    void sort_spans "qsort" (void *base, size_t count, size_t size,
                             int (*compare)(const void *, const void *) noexcept nogil) nogil


@cython.final  # no subclass: its cdef methods called directly, inlined
cdef class SettleCheck:
    """:meth:`normalise.settle.Settling.unsettled` of a table-only normaliser (no phonetic
    matcher) with its per-record tests in C: the same positions.

    Each applied record's entry is looked up once among the forms other patterns can overlap
    (most are none of them: nothing more to do); for those, the covered test
    (``Settling._covered``: a bisection of the spans taken) and the neighbours' test
    (``Settling._neighbours_fit``: the folded words right before and after the rewrite, read
    from the output text with the trie's own fold) run here. A word whose piece of text
    holds combining marks (which folding drops) is read by the reference's own
    ``_word_before``/``_word_after``, and the records that pass both tests go to the
    reference's ``_disturbed`` (a scan of the windows around them)."""

    cdef object settling, trie_fold, word_before, word_after, match_key, embedded
    cdef Trie trie
    cdef dict index          # canonical form -> its row below, for the forms concerned
    cdef list before, after  # per row: the folded words a pattern has there (frozenset)
    cdef list reach          # per row: Settling._reach(form) (marks=True)
    cdef bytes flags         # per row: CROSSING | UNCOVERED | CONTAINED | EMPTY_EDGE
    cdef object table_rule, applied, marks, table_event
    cdef list entries, canonicals  # per target of the trie

    def __init__(self, settling, Trie trie):
        from normalise import settle as _settle
        from normalise.scan import match_key
        self.settling = settling
        self.trie = trie
        self.word_before = _settle._word_before
        self.word_after = _settle._word_after
        self.match_key = match_key
        self.embedded = settling.embedded_keys
        self.table_rule = Rule.TABLE
        self.applied = APPLIED_RULES
        self.marks = _settle._MARKS
        self.table_event = _compile.table_event
        self.entries = list(settling._entries)
        self.canonicals = [e.canonical for e in self.entries]
        chaining = settling.chaining
        forms = sorted(chaining.crossing | chaining.uncovered | chaining.contained)
        self.index = {form: i for i, form in enumerate(forms)}
        empty = frozenset()
        self.before = [chaining.before.get(f, empty) for f in forms]
        self.after = [chaining.after.get(f, empty) for f in forms]
        self.reach = [settling._reach(f) for f in forms]
        self.flags = bytes(
            (1 if f in chaining.crossing else 0)
            | (2 if f in chaining.uncovered else 0)
            | (4 if f in chaining.contained else 0)
            | (8 if "" in chaining.before.get(f, empty) or "" in chaining.after.get(f, empty)
               else 0)
            for f in forms
        )

    def unsettled(self, result, taken):
        """:meth:`normalise.settle.Settling.unsettled` (no matcher)."""
        cdef str text = result.text
        cdef list near = self.near(result, taken)
        if not near:
            return []
        disturbed = self._disturbed(text, near)
        found = [
            <object>PyTuple_GET_ITEM(s, 4) for s, bad in zip(near, disturbed) if bad
        ]
        found.sort()
        return found

    cdef list _disturbed(self, str text, list near):
        """``Settling._disturbed``: one scan over the windows (:meth:`windows`) joined by
        line breaks, its hits moved back and sorted in a C array, and each rewrite's look at
        them (``Settling._is_disturbed``) here; ``table_event`` is asked of a rewrite's own
        hit only where its text is not its ASCII canonical form as written."""
        cdef list windows = self.windows(text, near)
        cdef Py_ssize_t nw = len(windows), i, k, n, lo, hi, mid, base, longest = 0
        cdef Py_ssize_t start, end, hs, he
        cdef Span3 *hits = NULL
        cdef Py_ssize_t *bases = <Py_ssize_t *>malloc((nw + 1) * sizeof(Py_ssize_t))
        cdef list out = []
        cdef bint found, bad
        cdef list raw
        cdef object sub
        if bases == NULL:
            raise MemoryError()
        try:
            pieces = []
            base = 0
            for i in range(nw):
                bases[i] = base
                lo = windows[i][0]
                hi = windows[i][1]
                pieces.append(text[lo:hi])
                base += hi - lo + 1
            raw = self.trie.scan_overlapping("\n".join(pieces))
            n = len(raw)
            hits = <Span3 *>malloc((n + 1) * sizeof(Span3))
            if hits == NULL:
                raise MemoryError()
            for k in range(n):
                hit = <object>PyList_GET_ITEM(raw, k)
                start = <object>PyTuple_GET_ITEM(hit, 0)
                lo = 0  # bisect_right(bases, start) - 1
                hi = nw
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if start < bases[mid]:
                        hi = mid
                    else:
                        lo = mid + 1
                base = <Py_ssize_t>windows[lo - 1][0] - bases[lo - 1]
                hits[k].start = start + base
                hits[k].end = -<Py_ssize_t>(<object>PyTuple_GET_ITEM(hit, 1)) + base
                hits[k].target = <object>PyTuple_GET_ITEM(hit, 2)
                if hits[k].end - hits[k].start > longest:
                    longest = hits[k].end - hits[k].start
            sort_spans(hits, n, sizeof(Span3), span3_order)
            for sub in near:
                start = <object>PyTuple_GET_ITEM(sub, 4)
                end = <object>PyTuple_GET_ITEM(sub, 5)
                lo = 0  # the first hit starting at start - longest or after
                hi = n
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if hits[mid].start < start - longest:
                        lo = mid + 1
                    else:
                        hi = mid
                found = bad = False
                for k in range(lo, n):
                    hs = hits[k].start
                    he = hits[k].end
                    if hs > end:
                        break
                    if he < start or (start <= hs and he <= end and (hs != start or he != end)):
                        continue  # apart, or nested in the rewrite
                    if hs != start or he != end or self._rewritten(text, start, end,
                                                                  hits[k].target):
                        bad = True
                        break
                    found = True
                out.append(bad or not found)
            return out
        finally:
            free(bases)
            free(hits)

    cdef bint _rewritten(self, str text, Py_ssize_t start, Py_ssize_t end,
                         Py_ssize_t target) except -1:
        """Whether ``table_event`` would rewrite the hit ``[start, end)`` of ``target``
        again: not where the text is the target's ASCII canonical form as written (the
        casing of a form written as the canonical form is that form)."""
        cdef str canonical = self.canonicals[target]
        cdef int kind = PyUnicode_KIND(text), ckind = PyUnicode_KIND(canonical)
        cdef void *data = PyUnicode_DATA(text)
        cdef void *cdata = PyUnicode_DATA(canonical)
        cdef Py_ssize_t i
        if PyUnicode_IS_ASCII(canonical) and len(canonical) == end - start:
            for i in range(end - start):
                if PyUnicode_READ(kind, data, start + i) != PyUnicode_READ(ckind, cdata, i):
                    break
            else:
                return False
        return self.table_event(text, start, end, self.entries[target]) is not None

    def windows(self, str text, list subs):
        """``Settling._windows``: the spans around the rewrites that a pattern overlapping
        them can reach, widened to whole words, overlapping ones joined. The reference's
        expression for combining marks is asked only of a stretch with a character outside
        ASCII."""
        cdef list windows = []
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_ssize_t size = len(text), reach, low, high, out_start, out_end, a, b, i
        cdef bint wide
        cdef object sub, last
        marks = self.marks
        for sub in subs:
            reach = self.reach[self.index[<object>PyTuple_GET_ITEM(sub, 7)]] // 2
            out_start = <object>PyTuple_GET_ITEM(sub, 4)
            out_end = <object>PyTuple_GET_ITEM(sub, 5)
            if kind != 1 or not PyUnicode_IS_ASCII(text):
                a = out_start - 2 * reach if out_start > 2 * reach else 0
                b = out_end + 2 * reach if out_end + 2 * reach < size else size
                wide = False
                for i in range(a, b):
                    if PyUnicode_READ(kind, data, i) >= 128:
                        wide = True
                        break
                if wide and marks.search(text, a, out_end + 2 * reach) is not None:
                    reach *= 2
            low = out_start - reach if out_start > reach else 0
            high = out_end + reach if out_end + reach < size else size
            while (low > 0 and not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, low - 1))
                   and out_start - low < 2 * reach):
                low -= 1
            while (high < size and not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, high))
                   and high - out_end < 2 * reach):
                high += 1
            if windows:
                last = windows[len(windows) - 1]
                if low <= <Py_ssize_t>last[1]:
                    if high > <Py_ssize_t>last[1]:
                        last[1] = high
                    continue
            windows.append([low, high])
        return windows

    def near(self, result, taken):
        """The applied records whose form other patterns can overlap, not covered, with
        neighbours such a pattern has: the records ``Settling.unsettled`` looks at closer."""
        cdef str text = result.text
        cdef list subs = result.substitutions
        cdef list near = []
        cdef object sub, entry, row
        cdef Py_ssize_t i, flag
        cdef const uint8_t *flags = self.flags
        cdef dict index = self.index
        for sub in subs:
            if <object>PyTuple_GET_ITEM(sub, 6) not in self.applied:
                continue
            entry = <object>PyTuple_GET_ITEM(sub, 7)
            row = index.get(entry)
            if row is None:
                continue
            i = row
            flag = flags[i]
            if not (flag & 3) and not (flag & 4 and not self._covered(taken, sub, i)):
                continue
            if flag & 8 or self._neighbours_fit(text, sub, i):
                near.append(sub)
        return near

    cdef bint _covered(self, object taken, object sub, Py_ssize_t row) except -1:
        """``Settling._covered``: its tests in another order (the embedded keys' look-up, a
        Python call, last: most rewrites have another hit within reach)."""
        if (<object>PyTuple_GET_ITEM(sub, 6) != self.table_rule
                or <object>PyTuple_GET_ITEM(sub, 9)):
            return False
        if not self._apart(taken, sub, row):
            return False
        return not (
            self.embedded and self.match_key(<object>PyTuple_GET_ITEM(sub, 0)) in self.embedded
        )

    cdef bint _apart(self, object taken, object sub, Py_ssize_t row) except -1:
        """Whether no other hit taken stands within the reach of the row's form from the
        rewrite's span (``Settling._covered``'s last test)."""
        cdef Py_ssize_t reach = self.reach[row]
        cdef Py_ssize_t start = <object>PyTuple_GET_ITEM(sub, 2)
        cdef Py_ssize_t end = <object>PyTuple_GET_ITEM(sub, 3)
        cdef Py_ssize_t lo = 0, hi = len(taken), mid, n = len(taken)
        cdef const Py_ssize_t *at
        if type(taken) is HitRecords:  # the same search over the records' buffer
            at = (<HitRecords>taken).buffer.at
            while lo < hi:
                mid = (lo + hi) >> 1
                if at[3 * mid] < start:
                    lo = mid + 1
                else:
                    hi = mid
            if lo > 0 and start - at[3 * (lo - 1) + 1] < reach:
                return False
            if lo + 1 < n and at[3 * (lo + 1)] - end < reach:
                return False
            return True
        while lo < hi:  # bisect_left(taken, (start,)): the first span starting at start or on
            mid = (lo + hi) >> 1
            if span_item(taken, mid, 0) < start:
                lo = mid + 1
            else:
                hi = mid
        if lo > 0 and start - span_item(taken, lo - 1, 1) < reach:
            return False
        if lo + 1 < n and span_item(taken, lo + 1, 0) - end < reach:
            return False
        return True

    def words_near(self, str text, Py_ssize_t at):
        """The folded words before and after ``at`` as the check reads them (for the tests:
        ``settle._word_before`` and ``settle._word_after`` are the reference)."""
        if not 0 <= at <= len(text):
            raise IndexError(at)
        return self._word_before(text, at), self._word_after(text, at)

    cdef bint _neighbours_fit(self, str text, object sub, Py_ssize_t row) except -1:
        """``Settling._neighbours_fit`` (the forms with "" among their words: flag 8)."""
        before = self.before[row]
        after = self.after[row]
        if before:
            word = self._word_before(text, <object>PyTuple_GET_ITEM(sub, 4))
            if word is None or word in before:
                return True
        if after:
            word = self._word_after(text, <object>PyTuple_GET_ITEM(sub, 5))
            if word is None or word in after:
                return True
        return False

    cdef object _word_before(self, str text, Py_ssize_t start):
        """:func:`normalise.settle._word_before`."""
        cdef Py_ssize_t low = start - 64 if start > 64 else 0, h, w, i
        cdef uint8_t f[64]
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef int b
        if kind == 1:  # Latin-1: no combining mark; read back only as far as the word
            h = start
            while h > low:
                b = self._latin_fold((<const uint8_t *>data)[h - 1])
                if b < 0:
                    break
                if b != 32:
                    break
                h -= 1
            else:
                return None if low else ""
            if b >= 0:
                for i in range(h, start):
                    if prose_break((<const uint8_t *>data)[i]):
                        return ""
                w = h
                while w > low:
                    b = self._latin_fold((<const uint8_t *>data)[w - 1])
                    if b < 0:
                        break
                    if b == 32:
                        break
                    f[w - 1 - low] = <uint8_t>b
                    w -= 1
                if b >= 0:
                    return PyUnicode_DecodeLatin1(<const char *>f + (w - low), h - w, NULL)
        if self.trie._fold_span(kind, data, low, start, f):
            return marked_word_before(self.trie, text, start)
        h = start - low
        while h > 0 and f[h - 1] == 32:
            h -= 1
        if h == 0:
            return None if low else ""
        for i in range(low + h, start):
            if prose_break(PyUnicode_READ(kind, data, i)):
                return ""
        w = h
        while w > 0 and f[w - 1] != 32:
            w -= 1
        return PyUnicode_DecodeLatin1(<const char *>f + w, h - w, NULL)

    cdef inline int _latin_fold(self, uint8_t c) except -3:
        """The haystack byte of a Latin-1 character (-1: not one byte; the caller then
        takes the general path)."""
        cdef int code
        if c < 128:
            return self.trie.ascii_fold[c]
        if self.trie.folded == NULL:
            return -1
        code = self.trie.folded[c]
        if code < 0:
            return -1
        return self.trie.ascii_fold[code]

    cdef object _word_after(self, str text, Py_ssize_t end):
        """:func:`normalise.settle._word_after`."""
        cdef Py_ssize_t size = len(text), high = end + 64, t = 0, w, i, n, top
        cdef uint8_t f[64]
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef int b
        if kind == 1:  # Latin-1: no combining mark; read on only as far as the word
            top = high if high < size else size
            t = end
            while t < top:
                b = self._latin_fold((<const uint8_t *>data)[t])
                if b < 0:
                    break
                if b != 32:
                    break
                t += 1
            else:
                return None if high < size else ""
            if b >= 0:
                for i in range(end, t):
                    if prose_break((<const uint8_t *>data)[i]):
                        return ""
                w = t
                while w < top:
                    b = self._latin_fold((<const uint8_t *>data)[w])
                    if b < 0:
                        break
                    if b == 32:
                        break
                    f[w - t] = <uint8_t>b
                    w += 1
                if b >= 0:
                    return PyUnicode_DecodeLatin1(<const char *>f, w - t, NULL)
            t = 0
        n = (high if high < size else size) - end
        if n < 0:
            n = 0
        if self.trie._fold_span(kind, data, end, end + n, f):
            return marked_word_after(self.trie, text, end)
        while t < n and f[t] == 32:
            t += 1
        if t == n:
            return None if high < size else ""
        for i in range(end, end + t):
            if prose_break(PyUnicode_READ(kind, data, i)):
                return ""
        w = t
        while w < n and f[w] != 32:
            w += 1
        return PyUnicode_DecodeLatin1(<const char *>f + t, w - t, NULL)



cdef inline bint cue_quote(Py_UCS4 c) noexcept nogil:
    """A character of the optional quote that ends :data:`normalise.keep._CUE_BEFORE`."""
    return c == 34 or c == 39 or c == 0x201C or c == 0x2018 or c == 0xAB


cdef inline bint cue_separator(Py_UCS4 c) noexcept nogil:
    """A character of the run between a cue and its word (``(?:[\t\x20\xa0]|[:,])*``)."""
    return c == 9 or c == 32 or c == 0xA0 or c == 58 or c == 44


#: How each cue of :data:`normalise.keep._CUE` ends (lower case): the last word of every
#: alternative ("spelt", "... as", "... in English", "a.k.a.", "aka", "(or").
cdef const char *CUE_ENDS[12]
CUE_ENDS[:] = [b"spelt", b"spelled", b"written", b"transliterated", b"romanised", b"romanized",
               b"rendered", b"as", b"english", b"a.k.a.", b"aka", b"or"]
cdef enum:
    CUE_TAIL = 14  # the longest of them


cdef bint cue_may_end(int kind, void *data, Py_ssize_t start) noexcept:
    """False only where :data:`normalise.keep._CUE_BEFORE` cannot match before ``start``:
    its match ends with an optional quote after a run of separators after the cue, and every
    cue ends with one of :data:`CUE_ENDS` (no quote or separator among them); so once the
    quote and the separators are stripped, the text must end with one of them, compared
    lower-cased (ſ, K and İ as the s, k and i they match ignoring case: no other character
    >= 128 matches a letter of them; :data:`CUE_LOOKALIKES`). Why: on a text with an opening
    parenthesis or a letter outside ASCII near most hits, the cue keys' substring test
    passes and the expression ran per hit."""
    cdef Py_ssize_t q = start, n = 0, k, size
    cdef uint32_t c  # a code point (a Py_UCS4 would be a str in ``c + 32``)
    cdef uint8_t tail[CUE_TAIL]
    if q > 0 and cue_quote(PyUnicode_READ(kind, data, q - 1)):
        q -= 1
    while q > 0 and cue_separator(PyUnicode_READ(kind, data, q - 1)):
        q -= 1
    while n < CUE_TAIL and q - n > 0:
        c = PyUnicode_READ(kind, data, q - 1 - n)
        if c < 128:
            tail[CUE_TAIL - 1 - n] = c + 32 if 65 <= c <= 90 else c
        else:  # the letters that match ASCII ones ignoring case; no other matches any
            tail[CUE_TAIL - 1 - n] = (
                115 if c == 0x17F else 107 if c == 0x212A else 105 if c == 0x130 else 255
            )
        n += 1
    for k in range(12):
        size = strlen(CUE_ENDS[k])
        if size <= n and memcmp(tail + CUE_TAIL - size, CUE_ENDS[k], size) == 0:
            return True
    return False


#: The characters >= 128 that the expression's letters match ignoring case, and the letter.
CUE_LOOKALIKES = {"\u017f": "s", "\u212a": "k", "\u0130": "i"}


def cue_may_end_at(str text, Py_ssize_t start):
    """:func:`cue_may_end` of ``text`` (for the tests)."""
    if not 0 <= start <= len(text):
        raise IndexError(start)
    return cue_may_end(PyUnicode_KIND(text), PyUnicode_DATA(text), start)


# Per code point below 0x10000: 0 not looked up yet, 1 neither, 2 a word character or a
# combining mark (``[\w\p{M}]`` of the settling's expressions, asked of each once).
cdef uint8_t *word_or_mark = NULL
_WORD_OR_MARK = None


cdef bint is_word_or_mark(uint32_t c) except -1:
    """Whether ``c`` matches ``[\w\p{M}]`` (:data:`normalise.settle._WORD_AFTER`'s class)."""
    global word_or_mark, _WORD_OR_MARK
    cdef uint8_t v
    if c < 128:
        return (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c == 95
    if c < 0x10000 and word_or_mark != NULL:
        v = word_or_mark[c]
        if v:
            return v == 2
    if _WORD_OR_MARK is None:
        import regex
        _WORD_OR_MARK = regex.compile(r"[\w\p{M}]")
    v = 2 if _WORD_OR_MARK.match(chr(c)) is not None else 1
    if c < 0x10000:
        if word_or_mark == NULL:
            word_or_mark = <uint8_t *>calloc(0x10000, 1)
            if word_or_mark == NULL:
                raise MemoryError()
        word_or_mark[c] = v
    return v == 2


cdef object folded_piece(Trie trie, int kind, void *data, Py_ssize_t low, Py_ssize_t high,
                         bint last):
    """``fold_form(text[low:high])`` split at its spaces: its last piece (``last``) or its
    first, folded character by character as the trie folds (marks dropped)."""
    cdef uint8_t f[64]
    cdef const uint8_t *table = trie.ascii_fold
    cdef Py_ssize_t i, m = 0, a, b
    cdef int code
    cdef uint32_t c
    for i in range(low, high):  # at most 64 characters
        c = PyUnicode_READ(kind, data, i)
        code = c if c < 128 else trie._fold_code(c)
        if code >= 0:
            f[m] = table[code]
            m += 1
    if last:
        a = m
        while a > 0 and f[a - 1] != 32:
            a -= 1
        return PyUnicode_DecodeLatin1(<const char *>f + a, m - a, NULL)
    b = 0
    while b < m and f[b] != 32:
        b += 1
    return PyUnicode_DecodeLatin1(<const char *>f, b, NULL)


cdef object marked_word_before(Trie trie, str text, Py_ssize_t start):
    """:func:`normalise.settle._word_before` where its piece of text holds a combining mark
    (its expression's branch): the nearest run of word characters and marks within 64
    before ``start``, folded."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_ssize_t low = start - 64 if start > 64 else 0, e = start, s, i
    while e > low and not is_word_or_mark(PyUnicode_READ(kind, data, e - 1)):
        e -= 1
    if e == low:
        return None if low else ""
    for i in range(e, start):
        if prose_break(PyUnicode_READ(kind, data, i)):
            return ""
    s = e - 1
    while s > low and is_word_or_mark(PyUnicode_READ(kind, data, s - 1)):
        s -= 1
    return folded_piece(trie, kind, data, s, e, True)


cdef object marked_word_after(Trie trie, str text, Py_ssize_t end):
    """:func:`normalise.settle._word_after` where its piece of text holds a combining mark:
    see :func:`marked_word_before`."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_ssize_t size = len(text), high = end + 64, top, s = end, e, i
    top = high if high < size else size
    while s < top and not is_word_or_mark(PyUnicode_READ(kind, data, s)):
        s += 1
    if s >= top:
        return None if high < size else ""
    for i in range(end, s):
        if prose_break(PyUnicode_READ(kind, data, i)):
            return ""
    e = s + 1
    while e < top and is_word_or_mark(PyUnicode_READ(kind, data, e)):
        e += 1
    return folded_piece(trie, kind, data, s, e, False)


def word_near(Trie trie, str text, Py_ssize_t at, bint before):
    """:func:`marked_word_before` (``before``) or :func:`marked_word_after` at ``at``, on
    any text (for the tests: the reference is :mod:`normalise.settle`'s expression branch)."""
    if not 0 <= at <= len(text):
        raise IndexError(at)
    return marked_word_before(trie, text, at) if before else marked_word_after(trie, text, at)


cdef inline object moved_record(object sub, Py_ssize_t shift):
    """``settle._moved``: ``sub`` with its output span ``shift`` further (itself for 0)."""
    if shift == 0:
        return sub
    cdef Py_ssize_t n = len(sub), i
    t = new_tuple(type(sub), n)
    for i in range(n):
        if i == 4 or i == 5:
            put(t, i, <Py_ssize_t>(<object>PyTuple_GET_ITEM(sub, i)) + shift)
        else:
            put(t, i, <object>PyTuple_GET_ITEM(sub, i))
    if atomic(t):  # as the pass's records: nothing in it can be part of a cycle
        PyObject_GC_UnTrack(t)
    return t


cdef inline Py_ssize_t field(object sub, Py_ssize_t i) except? -1:
    return <object>PyTuple_GET_ITEM(sub, i)


def compose_applied(str text, list first, list second, str final, joined):
    """:func:`normalise.settle.compose` where every record of ``first`` is applied and both
    passes' records are in order of their spans (else None: the caller composes in Python):
    a first-pass rewrite that no second-pass rewrite overlaps is kept, moved by the second
    pass's changes before it, without a Python step; a group with a second-pass rewrite in
    it goes to the reference's ``joined`` (``settle._joined``). Why: where one line of a
    chunk needed a second pass, every other record of the chunk went through the Python
    loop."""
    cdef list later = [], out = []
    cdef list members = None, seconds = None
    cdef object sub, prev = None, low_sub = None, s
    cdef Py_ssize_t i, j, nf = len(first), nl, start = 0, end = 0
    cdef Py_ssize_t u0 = 0, u1 = 0, shift_in = 0, shift_out = 0, in0, out0
    cdef bint from_first = True, open_group = False, more
    applied = APPLIED_RULES
    for sub in second:
        if <object>PyTuple_GET_ITEM(sub, 6) in applied:
            later.append(sub)
    if not later:
        return list(first)
    nl = len(later)
    for i in range(nf):  # every record applied, in order of (out_start, out_end)
        sub = first[i]
        if <object>PyTuple_GET_ITEM(sub, 6) not in applied:
            return None
        if i and (field(prev, 4) > field(sub, 4)
                  or (field(prev, 4) == field(sub, 4) and field(prev, 5) > field(sub, 5))):
            return None
        prev = sub
    for j in range(1, nl):
        if (field(later[j - 1], 2) > field(later[j], 2)
                or (field(later[j - 1], 2) == field(later[j], 2)
                    and field(later[j - 1], 3) > field(later[j], 3))):
            return None
    i = j = 0
    while True:
        # the next span in the order sorted() gives them (first-pass spans first on ties)
        more = True
        if i < nf and (j >= nl or field(first[i], 4) < field(later[j], 2) or (
                field(first[i], 4) == field(later[j], 2)
                and field(first[i], 5) <= field(later[j], 3))):
            sub = first[i]
            start = field(sub, 4)
            end = field(sub, 5)
            from_first = True
            i += 1
        elif j < nl:
            sub = later[j]
            start = field(sub, 2)
            end = field(sub, 3)
            from_first = False
            j += 1
        else:
            more = False
        if more and open_group and start < u1:  # overlaps the group: joins it
            if members is None:
                members = [low_sub]
            members.append(sub)
            if not from_first:
                seconds.append(sub)
            if end > u1:
                u1 = end
            continue
        if open_group:  # the group before this span is complete
            if members is None and not seconds:  # a first-pass rewrite alone: kept
                shift_in += (field(low_sub, 3) - field(low_sub, 2)) - (u1 - u0)
                out.append(moved_record(low_sub, shift_out))
            else:
                if members is None:
                    members = [low_sub]
                in0 = u0 + shift_in
                out0 = u0 + shift_out
                for s in members:
                    if not any_is(seconds, s):
                        shift_in += (field(s, 3) - field(s, 2)) - (field(s, 5) - field(s, 4))
                for s in seconds:
                    shift_out += len(<str><object>PyTuple_GET_ITEM(s, 1)) - (field(s, 3) - field(s, 2))
                record = joined(
                    text, final, members, seconds, pair(Span, in0, u1 + shift_in), out0,
                    u1 + shift_out,
                )
                if record is not None:
                    out.append(record)
        if not more:
            return out
        open_group = True
        low_sub = sub
        members = None
        seconds = [] if from_first else [sub]
        u0 = start
        u1 = end


cdef inline bint any_is(list items, object value):
    """Whether ``value`` is one of ``items`` (by identity, as compose's ``id`` sets)."""
    cdef object x
    for x in items:
        if x is value:
            return True
    return False


# ---------------------------------------------------------------------------- phonetic


def edit_distance(costs, str a, str b):
    """:meth:`normalise.phonetic.Costs.distance` in C: the same weighted Damerau-Levenshtein
    distance, the same double additions and minima in the same order (so the same float),
    the substitution costs from the reference's own memo (``costs._substitutes``).

    Why: the phonetic matcher scores each distinct name token against about ten indexed
    forms, and the Python loop was 139 µs a pair, half of an ``apply`` run (issue 17)."""
    cdef Py_ssize_t la = len(a), lb = len(b), i, j
    cdef double consonant = costs.consonant, vowel_indel = costs.vowel_indel
    cdef double final = costs.final_vowel_indel, transpose = costs.transpose
    cdef double best, x, drop
    vowels = costs.vowels
    weak = costs.weak
    memo = costs._substitutes
    cdef list ca = list(a), cb = list(b)
    cdef double *buffer = <double *>malloc((la + 3 * (lb + 1)) * sizeof(double) + sizeof(double))
    if buffer == NULL:
        raise MemoryError()
    cdef double *drop_a = buffer
    cdef double *before = buffer + la
    cdef double *previous = before + lb + 1
    cdef double *current = previous + lb + 1
    cdef double *swap
    cdef double *drop_b = NULL
    cdef int ka = PyUnicode_KIND(a), kb = PyUnicode_KIND(b)
    cdef void *da = PyUnicode_DATA(a)
    cdef void *db = PyUnicode_DATA(b)
    cdef Py_UCS4 x_a, x_b
    try:
        for i in range(la):
            drop_a[i] = vowel_indel if ca[i] in vowels else weak.get(ca[i], consonant)
        if la and ca[la - 1] in vowels:
            drop_a[la - 1] = final
        # drop_b in ``current`` until the first row is made: previous[j + 1] needs it
        for j in range(lb):
            current[j] = vowel_indel if cb[j] in vowels else weak.get(cb[j], consonant)
        if lb and cb[lb - 1] in vowels:
            current[lb - 1] = final
        previous[0] = 0.0
        for j in range(lb):
            previous[j + 1] = previous[j] + current[j]
        for j in range(lb):
            before[j] = current[j]  # keep drop_b: before is unused until row 1
        drop_b = <double *>malloc((lb + 1) * sizeof(double))
        if drop_b == NULL:
            raise MemoryError()
        try:
            for j in range(lb):
                drop_b[j] = before[j]
            for i in range(la):
                drop = drop_a[i]
                x_a = PyUnicode_READ(ka, da, i)
                current[0] = previous[0] + drop
                for j in range(lb):
                    x_b = PyUnicode_READ(kb, db, j)
                    if x_a == x_b:
                        best = previous[j] + 0.0
                    else:
                        best = previous[j] + <double>memo[(ca[i], cb[j])]
                    x = previous[j + 1] + drop
                    if x < best:
                        best = x
                    x = current[j] + drop_b[j]
                    if x < best:
                        best = x
                    if (i and j and x_a == PyUnicode_READ(kb, db, j - 1)
                            and PyUnicode_READ(ka, da, i - 1) == x_b and x_a != x_b):
                        x = before[j - 1] + transpose
                        if x < best:
                            best = x
                    current[j + 1] = best
                swap = before
                before = previous
                previous = current
                current = swap
            return previous[lb]
        finally:
            free(drop_b)
    finally:
        free(buffer)




# ---------------------------------------------------------------------------- name tokens
# The phonetic weighing's token finder (issue 15, ``apply`` speed), kept apart from the table
# pass above. The reference is :data:`normalise.sentence.PHONETIC_TOKEN`; each character's
# class is asked of the same expression engine the first time the process meets it
# (:func:`normalise.sentence.token_class`), so the two cannot read a character differently.

from cpython.object cimport PyObject

# bits of a character's class (:data:`normalise.sentence.TOKEN_CLASSES`); 0xFF: not asked yet
cdef enum:
    NAME_UPPER = 1       # \p{Lu}
    NAME_LETTER = 2      # [\p{L}\p{M}]
    NAME_WORD = 4        # [\w\p{M}]
    NAME_APOSTROPHE = 8  # normalise.chars.APOSTROPHES
    NAME_UNKNOWN = 0xFF


cdef struct Reading:
    int kind
    void *data
    uint8_t *classes    # one byte per code point, NAME_UNKNOWN until asked
    PyObject *classify  # normalise.sentence.token_class


cdef uint8_t _learn(Reading *r, Py_UCS4 c) except NAME_UNKNOWN:
    cdef uint8_t bits = (<object>r.classify)(chr(c))
    r.classes[c] = bits
    return bits


cdef inline uint8_t _class_at(Reading *r, Py_ssize_t i) except NAME_UNKNOWN:
    cdef Py_UCS4 c = PyUnicode_READ(r.kind, r.data, i)
    cdef uint8_t bits = r.classes[c]
    if bits == NAME_UNKNOWN:
        return _learn(r, c)
    return bits


cdef inline int _letter_at(Reading *r, Py_ssize_t i, Py_ssize_t end) except -1:
    return i < end and (_class_at(r, i) & NAME_LETTER) != 0


cdef int _clitic(Reading *r, Py_ssize_t i, Py_ssize_t end) except -1:
    """Whether an English clitic (s, d, ll, re, ve, t, m) not followed by a letter starts at
    ``i``: an apostrophe before it ends the name."""
    cdef Py_UCS4 c = PyUnicode_READ(r.kind, r.data, i)
    cdef Py_UCS4 d
    if (c == 115 or c == 100 or c == 116 or c == 109) and not _letter_at(r, i + 1, end):
        return True  # s, d, t, m
    if i + 1 < end:
        d = PyUnicode_READ(r.kind, r.data, i + 1)
        if ((c == 108 and d == 108) or (c == 114 and d == 101) or (c == 118 and d == 101)) and (
                not _letter_at(r, i + 2, end)):
            return True  # ll, re, ve
    return False


cdef Py_ssize_t _token_end(Reading *r, Py_ssize_t start, Py_ssize_t end) except -2:
    """The end of the token whose capital is at ``start`` (the text read up to ``end``), or
    -1: three or more letters, or apostrophes followed by a letter and not before a clitic,
    the longest such run not followed by a word character (where the expression's greedy
    repetition backtracks to)."""
    cdef Py_ssize_t j = start + 1, found = -1, count = 0
    cdef uint8_t c
    while j < end:
        c = _class_at(r, j)
        if not (c & NAME_LETTER):
            if not (c & NAME_APOSTROPHE) or not _letter_at(r, j + 1, end) or _clitic(
                    r, j + 1, end):
                break
        j += 1
        count += 1
        if count >= 3 and (j == end or not (_class_at(r, j) & NAME_WORD)):
            found = j
    return found


cdef inline Py_ssize_t _next_capital(Reading *r, Py_ssize_t i, Py_ssize_t high) noexcept:
    """The first position from ``i`` (or ``high``) whose character may be a capital: its class
    has the capital bit, or is not asked yet (``NAME_UNKNOWN`` has every bit), read in the
    string's own storage units, without a class look-up through ``PyUnicode_READ``."""
    cdef const uint8_t *one
    cdef const uint16_t *two
    cdef const uint32_t *four
    if r.kind == 1:
        one = <const uint8_t *>r.data
        while i < high and not (r.classes[one[i]] & NAME_UPPER):
            i += 1
    elif r.kind == 2:
        two = <const uint16_t *>r.data
        while i < high and not (r.classes[two[i]] & NAME_UPPER):
            i += 1
    else:
        four = <const uint32_t *>r.data
        while i < high and not (r.classes[four[i]] & NAME_UPPER):
            i += 1
    return i


cdef int _tokens(str text, Py_ssize_t low, Py_ssize_t high, Reading *r, set found, list spans,
                 object wanted) except -1:
    """The tokens of ``text[low:high]`` read as a text of its own: added to ``found``
    (distinct tokens), or, when ``found`` is None, the spans of those in ``wanted`` appended
    to ``spans``."""
    cdef Py_ssize_t i = low, end
    while True:
        end = _next_token(r, &i, low, high)
        if end < 0:
            return 0
        token = text[i:end]
        if found is not None:
            found.add(token)
        elif token in wanted:
            spans.append((i, end))
        i = end


cdef Py_ssize_t _next_token(Reading *r, Py_ssize_t *at, Py_ssize_t low,
                            Py_ssize_t high) except -2:
    """The next token of ``text[low:high]`` (read as a text of its own) from ``at[0]``: its
    start in ``at[0]`` and its end returned, or -1 when there is none."""
    cdef Py_ssize_t i = at[0], end
    while i < high:
        i = _next_capital(r, i, high)
        if i >= high:
            break
        if (_class_at(r, i) & NAME_UPPER) and (
                i == low or not (_class_at(r, i - 1) & NAME_WORD)):
            end = _token_end(r, i, high)
            if end > 0:
                at[0] = i
                return end
        i += 1
    return -1


cdef Reading _reading(str text, uint8_t[::1] classes, object classify):
    cdef Reading r
    r.kind = PyUnicode_KIND(text)
    r.data = PyUnicode_DATA(text)
    r.classes = &classes[0]
    r.classify = <PyObject *>classify
    return r


def name_tokens(str text, taken, uint8_t[::1] classes, classify):
    """The distinct :data:`~normalise.sentence.PHONETIC_TOKEN` tokens of ``text`` outside the
    sorted spans ``taken``, each piece read on its own, as
    :func:`normalise.sentence.name_tokens` gives them (``classes``, ``classify``:
    :data:`~normalise.sentence.TOKEN_CLASSES`, :func:`~normalise.sentence.token_class`)."""
    if classes.shape[0] <= 0x10FFFF:
        raise ValueError("classes must have a byte for every code point")
    cdef Reading r = _reading(text, classes, classify)
    cdef set found = set()
    cdef Py_ssize_t pos = 0, start, end
    for start, end in taken:
        if start > pos:
            _tokens(text, pos, start, &r, found, None, None)
        pos = end
    if len(text) > pos:
        _tokens(text, pos, len(text), &r, found, None, None)
    return found


def name_token_spans(str text, wanted, uint8_t[::1] classes, classify):
    """``(start, end)`` of each :data:`~normalise.sentence.PHONETIC_TOKEN` token of ``text``
    that is one of ``wanted``, in order, as :func:`normalise.sentence.name_token_spans`
    gives them."""
    if classes.shape[0] <= 0x10FFFF:
        raise ValueError("classes must have a byte for every code point")
    cdef Reading r = _reading(text, classes, classify)
    cdef list spans = []
    _tokens(text, 0, len(text), &r, None, spans, wanted)
    return spans



cdef class DistanceTable:
    """The costs of :meth:`normalise.phonetic.Costs.distance` for the letters a-z, read once
    from the reference (``costs.substitute``, the vowels, weak letters and indel costs): the
    ranking scores every token against dozens of forms, and the compiled distance above asks
    a Python dict for each substitution."""

    cdef double sub[26][26]
    cdef double drop[26]
    cdef bint vowel[26]
    cdef double final, transpose

    def __init__(self, costs):
        cdef int i, j
        letters = "abcdefghijklmnopqrstuvwxyz"
        vowels, weak = costs.vowels, costs.weak
        for i in range(26):
            c = letters[i]
            self.vowel[i] = c in vowels
            self.drop[i] = costs.vowel_indel if c in vowels else weak.get(c, costs.consonant)
            for j in range(26):
                self.sub[i][j] = 0.0 if i == j else costs.substitute(c, letters[j])
        self.final = costs.final_vowel_indel
        self.transpose = costs.transpose


def table_distance(DistanceTable table, str a, str b, fallback):
    """``edit_distance(costs, a, b)`` (above: the same additions and minima in the same
    order, so the same float) from ``table`` (:func:`codes_distance`, never cut short), for
    keys of the letters a-z up to RANK_LETTERS long; ``fallback(a, b)`` for any other."""
    cdef uint8_t xa[RANK_LETTERS]
    cdef uint8_t xb[RANK_LETTERS]
    if not letter_codes(a, xa) or not letter_codes(b, xb):
        return fallback(a, b)
    return codes_distance(table, xa, len(a), xb, len(b), 1.0, 0.0, 0.0, 0.0)

# --- apply path ---
# The per-chunk work of ``phonetic="apply"`` beyond the table pass (issues 15 and 17): the
# settling check's first look at each rewrite for the name token after it. The reference is
# Python (``normalise.settle.Settling.reference_unsettled``); each function here gives what its
# reference gives, and tests/test_apply_path.py compares them.


cdef inline bint among(Py_UCS4 c, int kind, void *data, Py_ssize_t count) noexcept:
    """Whether ``c`` is one of the ``count`` characters of a string's data."""
    cdef Py_ssize_t i
    for i in range(count):
        if PyUnicode_READ(kind, data, i) == c:
            return True
    return False


cdef int sentence_tail_of(str text, str openers, str ends) noexcept:
    """:func:`normalise.sentence.sentence_tail` (its ``OPENERS`` and ``SENTENCE_END`` given as
    strings): 1 (a sentence ends), 0 (it does not), -1 (only openers)."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_ssize_t i = len(text) - 1
    cdef Py_UCS4 c
    while i >= 0:
        c = PyUnicode_READ(kind, data, i)
        if not among(c, PyUnicode_KIND(openers), PyUnicode_DATA(openers), len(openers)):
            return among(c, PyUnicode_KIND(ends), PyUnicode_DATA(ends), len(ends))
        i -= 1
    return -1


def tail_changes(list subs, applied, str openers, str ends):
    """The records of ``subs`` that :meth:`normalise.settle.Settling._next_name_changes` reads
    past its first test: applied (``rule`` in ``applied``), not ending alike in original and
    replacement (the same last character, not one of ``openers``), and whose two ends read
    otherwise to :func:`normalise.sentence.sentence_tail` (``openers``, ``ends``: its
    ``OPENERS`` and ``SENTENCE_END`` as strings). For every other applied record that test
    says False. A record with an empty original or replacement is passed on (the reference
    decides it)."""
    cdef list out = []
    cdef object sub
    cdef str original, replacement
    cdef Py_ssize_t n, m
    cdef Py_UCS4 last
    for sub in subs:
        if <object>PyTuple_GET_ITEM(sub, 6) not in applied:
            continue
        original = <str>PyTuple_GET_ITEM(sub, 0)
        replacement = <str>PyTuple_GET_ITEM(sub, 1)
        n = len(original)
        m = len(replacement)
        if n == 0 or m == 0:
            out.append(sub)
            continue
        last = PyUnicode_READ(PyUnicode_KIND(original), PyUnicode_DATA(original), n - 1)
        if last == PyUnicode_READ(PyUnicode_KIND(replacement), PyUnicode_DATA(replacement),
                                  m - 1) and not among(last, PyUnicode_KIND(openers),
                                                       PyUnicode_DATA(openers), len(openers)):
            continue
        if sentence_tail_of(original, openers, ends) != sentence_tail_of(replacement, openers,
                                                                          ends):
            out.append(sub)
    return out


def wanted_spans(str text, list wanted, uint8_t[::1] classes, classify):
    """``(start, end)`` of each match of ``(?<![\\w\\p{M}])(?:w1|w2|...)(?![\\w\\p{M}])`` in
    ``text``, the alternatives ``wanted`` in their order (``Weighing._token_spans`` gives them
    longest first), as the ``regex`` module finds them: at each position the first
    alternative that matches there with the lookarounds, then on from its end; else on from
    the next position. ``classes``, ``classify``: the character classes of the name token
    finder above, asked of the same expression engine."""
    if classes.shape[0] <= 0x10FFFF:
        raise ValueError("classes must have a byte for every code point")
    cdef Reading r = _reading(text, classes, classify)
    cdef Py_ssize_t n = len(text), i = 0, k, j, m, count = len(wanted)
    cdef list spans = []
    cdef str w
    cdef uint32_t c  # a code point (a Py_UCS4 would be a str in these expressions)
    cdef bint same, found
    cdef uint8_t first[32]  # a bit per low byte of the alternatives' first characters
    memset(first, 0, sizeof(first))
    for w in wanted:
        if not w:
            raise ValueError("an empty alternative")
        c = PyUnicode_READ(PyUnicode_KIND(w), PyUnicode_DATA(w), 0)
        first[(c & 0xFF) >> 3] |= 1 << (c & 7)
    while i < n:
        c = PyUnicode_READ(r.kind, r.data, i)
        found = False
        if (first[(c & 0xFF) >> 3] >> (c & 7)) & 1 and (
                i == 0 or not (_class_at(&r, i - 1) & NAME_WORD)):
            for k in range(count):
                w = wanted[k]
                m = len(w)
                if i + m > n or PyUnicode_READ(PyUnicode_KIND(w), PyUnicode_DATA(w), 0) != c:
                    continue
                same = True
                for j in range(1, m):
                    if PyUnicode_READ(PyUnicode_KIND(w), PyUnicode_DATA(w), j) != PyUnicode_READ(
                            r.kind, r.data, i + j):
                        same = False
                        break
                if same and (i + m == n or not (_class_at(&r, i + m) & NAME_WORD)):
                    spans.append((i, i + m))
                    i += m
                    found = True
                    break
        if not found:
            i += 1
    return spans

# ---------------------------------------------------------------------------- phonetic ranking
# The ranking of one token (``PhoneticMatcher._ranked`` with ``prune=True``, issues 15 and 17):
# the index look-up, the scoring loop with its exact cut and the best form of each (entry,
# part), in C. The reference is the Python ``_ranked`` (the python core, and ``prune=False``);
# tests/test_ranking_compiled.py compares whole decisions. Jaro-Winkler stays jellyfish's own
# function, called only for the forms the cut lets through; the metaphone key is jellyfish's.

from cpython.dict cimport PyDict_GetItem
from cpython.float cimport PyFloat_AsDouble
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from libc.string cimport memcmp


cdef extern from "Python.h":
    object PyUnicode_FromStringAndSize(const char *u, Py_ssize_t size)
    int PyUnicode_Compare(object left, object right) except? -1


cdef extern from "<stdlib.h>":
    # qsort with a comparator that holds the GIL (it compares canonical forms on a tie)
    void sort_held "qsort" (void *base, size_t count, size_t size,
                            int (*compare)(const void *, const void *) noexcept)


cdef enum:
    FORM_UNREAD = 0  # what a form is, read the first time a token's look-up finds it
    FORM_LETTERS = 1  # a key of the letters a-z: scored in C
    FORM_OTHER = 2  # any other key: the reference's plain key, weight and distance
    RANK_LETTERS = 64  # MAX_TOKEN_CHARS: no longer key is indexed or looked up
    CODE_DROP = 255


cdef enum:
    INLINE_CODES = 9  # a key this long is held in its form's record, a longer one in the pool


cdef struct Form:
    # one indexed form as the ranking reads it: 32 bytes, one cache line at most, since the
    # forms a token's look-up finds lie anywhere in the list
    double weight  # Costs.weight of its key
    int32_t entry
    uint32_t seen  # the token (epoch) whose look-up found it last
    int32_t offset  # where a key longer than INLINE_CODES starts in the pool
    uint8_t state  # FORM_UNREAD, FORM_LETTERS or FORM_OTHER
    uint8_t length
    uint8_t part
    uint8_t codes[INLINE_CODES]  # the key's letters 0-25


cdef inline const uint8_t *form_codes(const Form *form, const uint8_t *pool) noexcept:
    if form.length <= INLINE_CODES:
        return &form.codes[0]
    return pool + form.offset


cdef struct Slot:
    double score  # the best score of a form of this (entry, part) so far
    int32_t number  # that form (the lowest number among equal scores)
    int32_t entry
    uint8_t part


cdef list _slot_entries = None  # the canonical forms, for compare_slots (the GIL is held)


cdef int compare_slots(const void *x, const void *y) noexcept:
    """The reference's order: score falling, whole forms before words, then the entry's
    canonical form."""
    cdef const Slot *a = <const Slot *>x
    cdef const Slot *b = <const Slot *>y
    if a.score > b.score:
        return -1
    if a.score < b.score:
        return 1
    if a.part != b.part:
        return <int>a.part - <int>b.part
    if a.entry == b.entry:
        return 0
    return PyUnicode_Compare(<object>PyList_GET_ITEM(_slot_entries, a.entry),
                             <object>PyList_GET_ITEM(_slot_entries, b.entry))


cdef double codes_distance(DistanceTable table, const uint8_t *xa, Py_ssize_t la,
                           const uint8_t *xb, Py_ssize_t lb, double longest, double w_edit,
                           double jaro_most, double cut) noexcept:
    """``table_distance`` above on two keys already read as letter numbers 0-25 (at most
    RANK_LETTERS long): the same additions and minima in the same order, the same float.

    Or less, once the ranking need not know it: every path of the table crosses row i or
    row i - 1 (a transposition steps over one row), so the lower of those two rows' minima
    bounds the distance from below; when the score even that bound allows
    (``w_edit * (1 - bound / longest) + jaro_most``) is under ``cut``, the bound is returned,
    and the caller, computing the same bound on the score, drops the form as it would have."""
    cdef double drop_a[RANK_LETTERS]
    cdef double drop_b[RANK_LETTERS]
    cdef double rows[3][RANK_LETTERS + 1]
    cdef double *before = rows[0]
    cdef double *previous = rows[1]
    cdef double *current = rows[2]
    cdef double *swap
    cdef double best, x, drop, low, least, last_least = 0.0, similarity
    cdef Py_ssize_t i, j
    for i in range(la):
        drop_a[i] = table.drop[xa[i]]
    for j in range(lb):
        drop_b[j] = table.drop[xb[j]]
    if la and table.vowel[xa[la - 1]]:
        drop_a[la - 1] = table.final
    if lb and table.vowel[xb[lb - 1]]:
        drop_b[lb - 1] = table.final
    previous[0] = 0.0
    for j in range(lb):
        previous[j + 1] = previous[j] + drop_b[j]
    for i in range(la):
        drop = drop_a[i]
        current[0] = previous[0] + drop
        least = current[0]
        for j in range(lb):
            if xa[i] == xb[j]:
                best = previous[j] + 0.0
            else:
                best = previous[j] + table.sub[xa[i]][xb[j]]
            x = previous[j + 1] + drop
            if x < best:
                best = x
            x = current[j] + drop_b[j]
            if x < best:
                best = x
            if i and j and xa[i] == xb[j - 1] and xa[i - 1] == xb[j] and xa[i] != xb[j]:
                x = before[j - 1] + table.transpose
                if x < best:
                    best = x
            current[j + 1] = best
            if best < least:
                least = best
        if cut > 0.0 and i:
            low = least if least < last_least else last_least
            similarity = 1.0 - low / longest
            if w_edit * (similarity if similarity > 0.0 else 0.0) + jaro_most < cut:
                return low
        last_least = least
        swap = before
        before = previous
        previous = current
        current = swap
    return previous[lb]


def bounded_distance(DistanceTable table, str a, str b, double longest, double w_edit,
                     double jaro_most, double cut):
    """``codes_distance`` on two keys of the letters a-z, for the tests: the exact distance,
    or a bound under it once the form is below ``cut``."""
    cdef uint8_t xa[RANK_LETTERS]
    cdef uint8_t xb[RANK_LETTERS]
    if not letter_codes(a, xa) or not letter_codes(b, xb):
        raise ValueError("keys of the letters a-z, at most 64")
    return codes_distance(table, xa, len(a), xb, len(b), longest, w_edit, jaro_most, cut)


cdef double jaro_winkler(const uint8_t *s1, Py_ssize_t len1, const uint8_t *s2,
                         Py_ssize_t len2) noexcept:
    """``jellyfish.jaro_winkler_similarity`` (jellyfish 1.x, ``src/jaro.rs``: Winkler, no long
    tolerance) on two keys of letter numbers, each letter one grapheme: the same matching
    window, the same floor of half the transpositions, the same float operations in the same
    order, so the same float (tests/test_ranking_compiled.py checks it against jellyfish on
    random strings and on every pair of KJV names and default-table keys)."""
    cdef uint8_t flags1[RANK_LETTERS]
    cdef uint8_t flags2[RANK_LETTERS]
    cdef Py_ssize_t search, low, high, i, j, k = 0, common = 0, transpositions = 0, prefix
    cdef double weight, c, t
    if len1 == 0 or len2 == 0:
        return 0.0
    search = (len1 if len1 > len2 else len2) // 2
    search = search - 1 if search > 0 else 0
    memset(flags1, 0, len1)
    memset(flags2, 0, len2)
    for i in range(len1):
        low = i - search if i > search else 0
        high = i + search if i + search < len2 - 1 else len2 - 1
        for j in range(low, high + 1):
            if not flags2[j] and s2[j] == s1[i]:
                flags1[i] = flags2[j] = 1
                common += 1
                break
    if common == 0:
        return 0.0
    for i in range(len1):
        if flags1[i]:
            j = k
            while j < len2:
                if flags2[j]:
                    k = j + 1
                    break
                j += 1
            if s1[i] != s2[j]:
                transpositions += 1
    t = <double>(transpositions // 2)
    c = <double>common
    weight = (c / <double>len1 + c / <double>len2 + (c - t) / c) / 3.0
    if weight > 0.7:
        prefix = 0
        high = len1 if len1 < len2 else len2
        if high > 4:
            high = 4
        while prefix < high and s1[prefix] == s2[prefix]:
            prefix += 1
        if prefix > 0:
            weight += <double>prefix * 0.1 * (1.0 - weight)
    return weight


def jaro_winkler_mismatches(list left, list right, reference):
    """The pairs of keys (letters a-z, each at most 64) whose Jaro-Winkler here differs from
    ``reference(a, b)`` (jellyfish's), as (a, b, ours, theirs): the check of the ranking's own
    Jaro-Winkler, one C loop over every pair."""
    cdef uint8_t xa[RANK_LETTERS]
    cdef uint8_t xb[RANK_LETTERS]
    cdef double ours, theirs
    found = []
    for a in left:
        if not letter_codes(a, xa):
            raise ValueError(f"not a key of the letters a-z: {a!r}")
        for b in right:
            if not letter_codes(b, xb):
                raise ValueError(f"not a key of the letters a-z: {b!r}")
            ours = jaro_winkler(xa, len(a), xb, len(b))
            theirs = reference(a, b)
            if ours != theirs:
                found.append((a, b, ours, theirs))
    return found


cdef inline bint letter_codes(str text, uint8_t *codes) noexcept:
    """``text`` as letter numbers 0-25 in ``codes``; False when it holds any other character
    or is longer than RANK_LETTERS."""
    cdef Py_ssize_t n = len(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_UCS4 c
    if n > RANK_LETTERS:
        return False
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c < 97 or c > 122:
            return False
        codes[i] = <uint8_t>(<int>c - 97)
    return True


cdef inline object letters_text(const uint8_t *codes, Py_ssize_t n):
    cdef char buffer[RANK_LETTERS + 2]
    cdef Py_ssize_t i
    for i in range(n):
        buffer[i] = <char>(codes[i] + 97)
    return PyUnicode_FromStringAndSize(buffer, n)


cdef inline Py_ssize_t rise(int32_t *entries, double *scores, Py_ssize_t held, Py_ssize_t size,
                            int32_t entry, double score) noexcept:
    """Keep ``entries``/``scores`` the ``size`` highest scores of distinct entries, highest
    first, after ``entry``'s score rose to ``score`` (scores only rise, so an entry outside
    can enter only above the last); returns how many are held."""
    cdef Py_ssize_t i = 0
    while i < held and entries[i] != entry:
        i += 1
    if i == held:  # not held: enter at the end, if there is room or it beats the last
        if held < size:
            held += 1
        elif score <= scores[size - 1]:
            return held
        i = held - 1
    while i > 0 and scores[i - 1] < score:
        entries[i], scores[i] = entries[i - 1], scores[i - 1]
        i -= 1
    entries[i], scores[i] = entry, score
    return held


cdef inline Py_ssize_t deletion_key(const uint8_t *word, Py_ssize_t n, bint coarse,
                                    Py_ssize_t left_out, char *buffer) noexcept:
    """An index key of ``word`` (letter codes; ``c:``-prefixed when coarse) in ``buffer``,
    without its letter at ``left_out`` (-1: whole); returns its length. Deleting either of
    two equal neighbours gives one key: the callers ask the first only."""
    cdef Py_ssize_t k = 2 if coarse else 0, j
    if coarse:
        buffer[0], buffer[1] = b'c', b':'
    for j in range(n):
        if j != left_out:
            buffer[k] = <char>(word[j] + 97)
            k += 1
    return k


cdef double weight_ratio(DistanceTable table, const uint8_t *vowel, double vowel_weight):
    """The least cost per unit of weight (a vowel weighs ``vowel_weight``, any other letter
    1) that an edit of ``table``'s distance adds or takes away: dropping or adding a letter
    (a final vowel at its own cost), or a substitution between letters of two weights; a
    transposition and a letter kept change no weight. So a distance is at least this times
    the difference of the two keys' weights. 0 (no bound) for a cost or weight under 0."""
    cdef double ratio = -1.0, w, v, cost
    cdef int i, j
    if vowel_weight <= 0.0 or table.transpose < 0.0:
        return 0.0
    for i in range(26):
        w = vowel_weight if vowel[i] else 1.0
        cost = table.drop[i]
        if table.vowel[i] and table.final < cost:
            cost = table.final
        if cost < 0.0:
            return 0.0
        if ratio < 0.0 or cost / w < ratio:
            ratio = cost / w
        for j in range(26):
            if table.sub[i][j] < 0.0:
                return 0.0
            v = vowel_weight if vowel[j] else 1.0
            if v != w and (table.sub[i][j] / (w - v if w > v else v - w)) < ratio:
                ratio = table.sub[i][j] / (w - v if w > v else v - w)
    return ratio if ratio > 0.0 else 0.0


def ranker_weight_ratio(Ranker ranker):
    """``Ranker``'s ``weight_ratio`` (for the tests)."""
    return ranker.weight_ratio


cdef class Ranker:
    """A matcher's indexed forms read for the ranking in C (what ``PhoneticMatcher._ranked``
    reads from ``_forms``, ``_index`` and the costs), each form read the first time a token's
    look-up finds it. Made when the compiled core first ranks, never pickled."""

    cdef list forms, entries
    cdef dict index  # PhoneticMatcher._index (None: ``flat`` holds every key instead)
    cdef object flat  # a KeyTable of every key of the index, when made with one, else None
    cdef object costs, candidate, jaro, metaphone, fallback
    cdef DistanceTable table
    cdef Py_ssize_t n_forms, n_entries
    cdef double w_jaro, w_edit, jaro_most, most, vowel_weight
    cdef double weight_ratio  # the least an edit costs per unit of weight it changes (0: none)
    cdef int limit
    cdef uint8_t same[26]
    cdef uint8_t vowel[26]
    cdef uint8_t coarse[26]
    # per form
    cdef Form *info
    cdef uint8_t *pool  # the letters of keys longer than INLINE_CODES
    cdef Py_ssize_t pool_used, pool_size
    cdef dict other_plain  # form number -> plain key, for FORM_OTHER forms
    # per token
    cdef uint32_t epoch
    cdef int32_t *found
    cdef uint32_t *slot_stamp  # per (entry, part): the epoch its slot belongs to
    cdef int32_t *slot_at
    cdef uint32_t *entry_stamp
    cdef double *entry_best
    cdef Slot *slots
    cdef Py_ssize_t n_slots, n_touched, n_top, n_wholes
    cdef bint busy  # a token is being ranked: the scratch above is in use
    cdef object key_table  # the token screen's KeyTable of this index, once made (else None)
    # the key being ranked (set by ``start``, read by ``form_score`` while ``busy``)
    cdef uint8_t key_plain[RANK_LETTERS]
    cdef object key_plain_text
    cdef double key_weight
    cdef int32_t top_entry[8]  # the limit best entries, best first
    cdef double top_score[8]
    cdef int32_t whole_entry[2]  # the two best whole forms (of two entries)
    cdef double whole_score[2]

    def __cinit__(self):
        self.info = NULL
        self.pool = NULL

    def __init__(self, list forms, list entries, index, romanisation, DistanceTable table,
                 fallback, candidate, constants):
        """``index``: the matcher's index, or a ``KeyTable`` of every key of it (a matcher
        read back without its dict: every look-up probes the table). ``constants``:
        W_JARO_WINKLER, W_EDIT, _JARO_WINKLER_MOST and MAX_CANDIDATES of
        :mod:`normalise.phonetic`. ValueError when the rules' letter maps do not keep the
        letters a-z to one letter each (the reference ranks then)."""
        import jellyfish

        cdef int i
        cdef Py_ssize_t n = len(forms)
        costs = romanisation.costs
        self.forms, self.entries = forms, entries
        if isinstance(index, KeyTable):
            if not (<KeyTable>index).every_key:
                raise TypeError("a ranker's key table must hold every key of the index")
            self.index, self.flat, self.key_table = None, index, index
        else:
            self.index, self.flat = <dict?>index, None
        self.costs, self.table, self.fallback, self.candidate = costs, table, fallback, candidate
        self.jaro, self.metaphone = jellyfish.jaro_winkler_similarity, jellyfish.metaphone
        self.w_jaro, self.w_edit, self.jaro_most, limit = constants
        self.limit = limit
        if not 0 < limit <= 8:
            raise ValueError("MAX_CANDIDATES must be 1 to 8")
        self.most = self.w_edit + self.jaro_most
        self.vowel_weight = costs.vowel_weight
        self.n_forms, self.n_entries = n, len(entries)
        letters = "abcdefghijklmnopqrstuvwxyz"
        vowels = costs.vowels
        for i in range(26):
            c = letters[i]
            plain = costs.plain(c)
            coarse = romanisation.coarse(c)
            if len(plain) != 1 or plain not in letters or len(coarse) > 1 or (
                    coarse and coarse not in letters):
                raise ValueError(f"letter {c!r}: not one letter a-z in the plain or coarse key")
            self.same[i] = ord(plain) - 97
            self.vowel[i] = c in vowels
            self.coarse[i] = ord(coarse) - 97 if coarse else CODE_DROP
        self.weight_ratio = weight_ratio(table, self.vowel, self.vowel_weight)
        self.other_plain = {}
        self.pool_size = 4 * n + 64
        self.info = <Form *>calloc(n + 1, sizeof(Form))
        self.found = <int32_t *>calloc(n + 1, sizeof(int32_t))
        self.pool = <uint8_t *>malloc(self.pool_size)
        self.slot_stamp = <uint32_t *>calloc(2 * self.n_entries + 1, sizeof(uint32_t))
        self.slot_at = <int32_t *>calloc(2 * self.n_entries + 1, sizeof(int32_t))
        self.entry_stamp = <uint32_t *>calloc(self.n_entries + 1, sizeof(uint32_t))
        self.entry_best = <double *>calloc(self.n_entries + 1, sizeof(double))
        self.slots = <Slot *>calloc(2 * self.n_entries + 1, sizeof(Slot))
        if (self.info == NULL or self.found == NULL
                or self.pool == NULL or self.slot_stamp == NULL or self.slot_at == NULL
                or self.entry_stamp == NULL or self.entry_best == NULL
                or self.slots == NULL):
            raise MemoryError()
        self.epoch = 0

    def __dealloc__(self):
        free(self.info)
        free(self.found)
        free(self.pool)
        free(self.slot_stamp)
        free(self.slot_at)
        free(self.entry_stamp)
        free(self.entry_best)
        free(self.slots)

    @property
    def size(self):
        """How many forms it was made for (a matcher with more makes a new one)."""
        return self.n_forms

    cdef int read_form(self, Py_ssize_t number) except -1:
        """Fill a form's record: entry, part, letters and weight (``Costs.weight``: a vowel
        weighs ``vowel_weight``, any other letter 1, added left to right as ``sum`` does)."""
        cdef uint8_t codes[RANK_LETTERS]
        cdef Py_ssize_t n, i
        cdef double weight = 0.0
        cdef uint8_t *grown
        cdef Form *info = &self.info[number]
        form = <object>PyList_GET_ITEM(self.forms, number)
        key = <str>form[2]
        info.entry = form[0]
        info.part = 1 if form[3] else 0
        n = len(key)
        if not letter_codes(key, codes):
            info.state = FORM_OTHER
            info.weight = self.costs.weight(key)
            self.other_plain[number] = self.costs.plain(key)
            return 0
        if n > INLINE_CODES:
            if self.pool_used + n > self.pool_size:
                grown = <uint8_t *>realloc(self.pool, 2 * self.pool_size + n)
                if grown == NULL:
                    raise MemoryError()
                self.pool, self.pool_size = grown, 2 * self.pool_size + n
            info.offset = <int32_t>self.pool_used
            memcpy(self.pool + self.pool_used, codes, n)
            self.pool_used += n
        else:
            memcpy(info.codes, codes, n)
        info.length = <uint8_t>n
        for i in range(n):
            weight += self.vowel_weight if self.vowel[codes[i]] else 1.0
        info.weight = weight
        info.state = FORM_LETTERS
        return 0

    def records(self):
        """Every form's record read (:meth:`read_form`) as ``(records, pool)`` bytes, which
        :meth:`restore` takes back: the matcher keeps them, so that a ranker of a matcher
        read from the cache reads no form's Python tuple on first use. A form whose key is
        not the letters a-z is left unread (it is read as before, when met)."""
        cdef Py_ssize_t i
        cdef Form *info
        cdef Form *kept
        for i in range(self.n_forms):
            self.read(i)
        out = PyBytes_FromStringAndSize(<char *>self.info, self.n_forms * sizeof(Form))
        kept = <Form *>PyBytes_AS_STRING(out)
        for i in range(self.n_forms):
            info = &kept[i]
            info.seen = 0
            if info.state != FORM_LETTERS:
                memset(info, 0, sizeof(Form))  # FORM_UNREAD
        return out, PyBytes_FromStringAndSize(<char *>self.pool, self.pool_used)

    def restore(self, state):
        """Take the records of :meth:`records` (of a ranker of the same forms), checked, each
        weight made again by this ranker's costs; ValueError (nothing taken) for records that
        do not hold."""
        cdef bytes records, pool
        cdef const Form *kept
        cdef const Form *info
        cdef const uint8_t *codes
        cdef Py_ssize_t i, j, size
        cdef uint8_t *grown
        records, pool = state
        if len(records) != self.n_forms * <Py_ssize_t>sizeof(Form):
            raise ValueError("form records of another number of forms")
        kept = <const Form *>PyBytes_AS_STRING(records)
        size = len(pool)
        for i in range(self.n_forms):
            info = &kept[i]
            if info.state == FORM_UNREAD:
                continue
            if (info.state != FORM_LETTERS or info.seen != 0 or info.entry < 0
                    or info.entry >= self.n_entries or info.part > 1 or info.length == 0
                    or info.length > RANK_LETTERS or (info.length > INLINE_CODES and (
                        info.offset < 0 or info.offset + info.length > size))):
                raise ValueError("a form record that does not hold")
            for j in range(info.length):
                if form_codes(info, <const uint8_t *>PyBytes_AS_STRING(pool))[j] >= 26:
                    raise ValueError("a form record that does not hold")
        if size > self.pool_size:
            grown = <uint8_t *>realloc(self.pool, size)
            if grown == NULL:
                raise MemoryError()
            self.pool, self.pool_size = grown, size
        memcpy(self.pool, PyBytes_AS_STRING(pool), size)
        self.pool_used = size
        memcpy(self.info, kept, self.n_forms * sizeof(Form))
        for i in range(self.n_forms):  # the weight by this ranker's costs, as read_form
            info = &self.info[i]
            if info.state == FORM_LETTERS:
                self.info[i].weight = 0.0
                codes = form_codes(info, self.pool)
                for j in range(info.length):
                    self.info[i].weight += self.vowel_weight if self.vowel[codes[j]] else 1.0
        self.epoch = 0
        self.other_plain = {}

    @property
    def flat_table(self):
        """The ``KeyTable`` of every key it reads instead of the index's dict, else None."""
        return self.flat

    cdef object index_source(self):
        """What its look-ups read: the index's dict, or the table of every key: one object
        for two rankers that read one index."""
        return self.flat if self.index is None else self.index

    cdef Py_ssize_t look_up(self, str key, Py_ssize_t found) except -1:
        """Add the forms indexed under ``key`` that are not found yet."""
        cdef PyObject *bucket
        cdef Py_ssize_t i, size, number
        if self.index is None:
            i = (<KeyTable>self.flat).find_chars(NULL, 0, PyUnicode_KIND(key),
                                                  PyUnicode_DATA(key), len(key), -1)
            return found if i < 0 else (<KeyTable>self.flat).add_bucket(self, i, found, False)
        bucket = PyDict_GetItem(self.index, key)
        if bucket == NULL:
            return found
        size = PyList_GET_SIZE(<list>bucket)
        for i in range(size):
            number = <Py_ssize_t><object>PyList_GET_ITEM(<list>bucket, i)
            found = self.add_found(number, found)
        return found

    cdef inline Py_ssize_t add_found(self, Py_ssize_t number, Py_ssize_t found) noexcept:
        """Add form ``number`` to ``found`` (of ``found`` so far) unless this key's look-up
        met it before; returns how many now."""
        if self.info[number].seen != self.epoch:
            self.info[number].seen = self.epoch
            self.found[found] = <int32_t>number
            found += 1
        return found

    cdef Py_ssize_t deletions(self, const uint8_t *word, Py_ssize_t n, bint coarse,
                              Py_ssize_t found) except -1:
        """Look up ``word`` and each of its one-letter deletions (``c:``-prefixed when
        coarse); deleting either of two equal neighbours gives one key, looked up once."""
        cdef char buffer[RANK_LETTERS + 8]
        cdef Py_ssize_t i, k
        for i in range(-1, n):
            if i > 0 and word[i] == word[i - 1]:
                continue
            k = deletion_key(word, n, coarse, i, buffer)
            found = self.look_up(PyUnicode_FromStringAndSize(buffer, k), found)
        return found

    cdef Py_ssize_t skeletons(self, const uint8_t *plain, Py_ssize_t n, uint8_t *skeleton,
                              uint8_t *coarse, Py_ssize_t *coarse_n) noexcept:
        """A key's skeleton (its consonants, a leading vowel as 'a' and a final vowel kept)
        and coarse skeleton (consonant classes, repeats and dropped classes left out), as
        ``PhoneticMatcher._lookup_keys`` makes them; returns the skeleton's length, the
        coarse one's in ``coarse_n``. Both buffers hold ``RANK_LETTERS + 2``."""
        cdef Py_ssize_t s = 0, c = 0, i
        cdef uint8_t code
        if n and self.vowel[plain[0]]:
            skeleton[s] = 0  # 'a': a leading vowel
            s += 1
        for i in range(n):
            if not self.vowel[plain[i]]:
                skeleton[s] = plain[i]
                s += 1
        if n and self.vowel[plain[n - 1]]:
            skeleton[s] = plain[n - 1]
            s += 1
        for i in range(s):
            code = self.coarse[skeleton[i]]
            if code != CODE_DROP and (c == 0 or coarse[c - 1] != code):
                coarse[c] = code
                c += 1
        coarse_n[0] = c
        return s

    cdef Py_ssize_t matches(self, const uint8_t *plain, Py_ssize_t n, str plain_key) except -1:
        """``PhoneticMatcher._matches``: the forms under the skeleton and its deletions, the
        coarse skeleton (and its deletions from four letters), and the metaphone, in
        ``self.found``; returns how many."""
        cdef uint8_t skeleton[RANK_LETTERS + 2]
        cdef uint8_t coarse[RANK_LETTERS + 2]
        cdef Py_ssize_t s, c, found = 0
        s = self.skeletons(plain, n, skeleton, coarse, &c)
        found = self.deletions(skeleton, s, False, found)
        if c >= 4:
            found = self.deletions(coarse, c, True, found)
        elif c == 3:  # no deletions under four letters, nothing under three
            found = self.look_up("c:" + letters_text(coarse, c), found)
        metaphone = self.metaphone(plain_key)
        if metaphone:
            found = self.look_up("m:" + metaphone, found)
        return found

    cdef double cut(self) noexcept:
        """``normalise.phonetic._cut`` of the slots so far: the lower of the ``limit``-th
        entry's best and the second best whole form, -1 while either is unknown."""
        if self.n_top < self.limit or self.n_wholes < 2:
            return -1.0
        cdef double fifth = self.top_score[self.limit - 1]
        return fifth if fifth < self.whole_score[1] else self.whole_score[1]

    cdef void keep(self, int32_t entry, uint8_t part, double score, int32_t number) noexcept:
        """The best form of (entry, part): a higher score, or the lower number on a tie."""
        cdef Py_ssize_t at = 2 * entry + part
        cdef Slot *slot
        if self.slot_stamp[at] != self.epoch:
            self.slot_stamp[at] = self.epoch
            self.slot_at[at] = <int32_t>self.n_slots
            slot = &self.slots[self.n_slots]
            self.n_slots += 1
            slot.score, slot.number, slot.entry, slot.part = score, number, entry, part
        else:
            slot = &self.slots[self.slot_at[at]]
            if score > slot.score or (score == slot.score and number < slot.number):
                slot.score, slot.number = score, number
            else:
                return
        if not part:
            self.n_wholes = rise(self.whole_entry, self.whole_score, self.n_wholes, 2,
                                 entry, score)
        if self.entry_stamp[entry] != self.epoch:
            self.entry_stamp[entry] = self.epoch
            self.entry_best[entry] = score
            self.n_touched += 1
        elif score > self.entry_best[entry]:
            self.entry_best[entry] = score
        else:
            return
        self.n_top = rise(self.top_entry, self.top_score, self.n_top, self.limit, entry, score)

    def rank(self, str key):
        """``PhoneticMatcher._ranked(token, prune=True)`` for a token's spelling key: the
        candidates best first, down to the ``MAX_CANDIDATES``-th entry and the best whole
        form of an entry other than the first (all ``_decide`` reads); None when the key holds
        a character other than a-z, or when this ranker is ranking already (the reference
        ranks it then)."""
        cdef uint8_t codes[RANK_LETTERS]
        cdef Py_ssize_t n = len(key)
        if n == 0 or not letter_codes(key, codes) or self.busy:
            return None  # a call from another thread, mid-ranking, ranks in Python
        self.busy = True
        try:
            return self.ranked(key, codes, n)
        finally:
            self.busy = False

    cdef Py_ssize_t start(self, const uint8_t *codes, Py_ssize_t n) except -1:
        """A key's plain letters and weight, a new epoch (:meth:`begin`), and the forms the
        index finds for it in ``found`` (probed in ``key_table`` once the token screen made
        one: the same forms, in another order, which the ranking does not read); returns
        how many."""
        if self.key_table is not None:  # the same forms, without a string per key
            return start_in_table(self, <KeyTable>self.key_table, codes, n)
        self.begin(codes, n)
        return self.matches(self.key_plain, n, self.key_plain_text)

    cdef int begin(self, const uint8_t *codes, Py_ssize_t n) except -1:
        """A key's plain letters and weight (``key_plain``, ``key_plain_text``,
        ``key_weight``) and a new epoch, before its look-up."""
        cdef Py_ssize_t i
        self.key_weight = 0.0
        for i in range(n):
            self.key_plain[i] = self.same[codes[i]]
            self.key_weight += self.vowel_weight if self.vowel[codes[i]] else 1.0
        self.key_plain_text = letters_text(self.key_plain, n)
        self.epoch += 1
        if self.epoch == 0:  # wrapped: no stamp may look current
            for i in range(self.n_forms + 1):
                self.info[i].seen = 0
            memset(self.slot_stamp, 0, (2 * self.n_entries + 1) * sizeof(uint32_t))
            memset(self.entry_stamp, 0, (self.n_entries + 1) * sizeof(uint32_t))
            self.epoch = 1
        return 0

    cdef Form *read(self, Py_ssize_t number) except NULL:
        """A form's record, read the first time it is asked for."""
        cdef Form *info = &self.info[number]
        if info.state == FORM_UNREAD:
            self.read_form(number)
        return info

    cdef double form_score(self, Py_ssize_t number, Form *info, str key, const uint8_t *codes,
                           Py_ssize_t n, double cut) except? -2.0:
        """The score of a form against the key ``start`` read, computed as ``score_keys``
        does (the same floats), or -1 when it cannot reach ``cut``: dropped by the bounds of
        its edit distance before any Jaro-Winkler call. An equal key scores 1 whatever the
        cut."""
        cdef uint8_t plain_of[RANK_LETTERS]
        cdef const uint8_t *plain = self.key_plain
        cdef const uint8_t *codes_of = NULL
        cdef Py_ssize_t j, m = 0
        cdef double longest, distance, similarity, edit
        cdef bint equal, letters = info.state == FORM_LETTERS
        if letters:
            m = info.length
            codes_of = form_codes(info, self.pool)
            equal = m == n
            j = 0
            while equal and j < n:
                equal = self.same[codes_of[j]] == plain[j]
                j += 1
        else:
            equal = self.other_plain[number] == self.key_plain_text
        if equal:
            return 1.0
        if self.most < cut:
            return -1.0  # nothing but an equal key reaches the cut
        longest = self.key_weight
        if info.weight > longest:
            longest = info.weight
        if 1.0 > longest:
            longest = 1.0
        if letters and cut > 0.0 and self.weight_ratio > 0.0:
            # the distance is at least weight_ratio times the keys' weights' difference
            # (each edit costs at least that much per unit of weight it adds or takes
            # away), less a margin far above the sums' rounding: a form even that bound
            # leaves under the cut is dropped, as the table's bounds below would drop it
            distance = self.key_weight - info.weight
            if distance < 0.0:
                distance = -distance
            distance = self.weight_ratio * distance * (1.0 - 1e-9)
            similarity = 1.0 - distance / longest
            if self.w_edit * (similarity if similarity > 0.0 else 0.0) + self.jaro_most < cut:
                return -1.0
        if letters:
            distance = codes_distance(self.table, codes, n, codes_of, m, longest, self.w_edit,
                                      self.jaro_most, cut)
        else:
            form = <object>PyList_GET_ITEM(self.forms, number)
            distance = PyFloat_AsDouble(self.fallback(key, <object>PyTuple_GET_ITEM(form, 2)))
        similarity = 1.0 - distance / longest
        edit = self.w_edit * (similarity if similarity > 0.0 else 0.0)
        if edit + self.jaro_most < cut:
            return -1.0  # even a Jaro-Winkler of 1 leaves it below the cut
        if letters:
            for j in range(m):
                plain_of[j] = self.same[codes_of[j]]
            return self.w_jaro * jaro_winkler(plain, n, plain_of, m) + edit
        return self.w_jaro * PyFloat_AsDouble(
            self.jaro(self.key_plain_text, self.other_plain[number])) + edit

    cdef list ranked(self, str key, const uint8_t *codes, Py_ssize_t n):
        """``rank`` of a key read as letter numbers, while ``busy``."""
        global _slot_entries
        cdef Py_ssize_t i, found, number
        cdef double cut = -1.0, score
        cdef Form *info
        self.n_slots = self.n_touched = self.n_top = self.n_wholes = 0
        found = self.start(codes, n)
        for i in range(found):
            number = self.found[i]
            info = self.read(number)
            score = self.form_score(number, info, key, codes, n, cut)
            if score < 0.0:
                continue  # it cannot reach the cut
            self.keep(info.entry, info.part, score, <int32_t>number)
            cut = self.cut()  # kept up to date as scores rise: a cut every form
        _slot_entries = self.entries
        sort_held(self.slots, self.n_slots, sizeof(Slot), compare_slots)
        _slot_entries = None
        return self.candidates()

    cdef list candidates(self):
        """The sorted slots as ``Candidate`` objects, down to the ``limit``-th entry and the
        runner-up whole form."""
        cdef list ranked = []
        cdef int32_t kept[8]
        cdef Py_ssize_t i, j, n_kept = 0
        cdef bint runner = False, known
        cdef Slot *slot
        for i in range(self.n_slots):
            slot = &self.slots[i]
            known = False
            for j in range(n_kept):
                if kept[j] == slot.entry:
                    known = True
                    break
            if not known and n_kept < self.limit:
                kept[n_kept] = slot.entry
                n_kept += 1
            if i and not slot.part and slot.entry != self.slots[0].entry:
                runner = True
            form = <object>PyList_GET_ITEM(self.forms, slot.number)
            ranked.append(self.candidate(
                <object>PyList_GET_ITEM(self.entries, slot.entry),
                <object>PyTuple_GET_ITEM(form, 1),
                slot.score,
                slot.part != 0,
            ))
            if n_kept == self.limit and runner:
                break
        return ranked

# --- log lines ---
# The log lines of a chunk's records (issue 17), written in C from the records the table pass
# and apply_events made: what :func:`normalise.log.log_template` and ``stream._fields`` make
# in Python (the reference, and the fallback for the Python core and for any record this path
# cannot hold), byte for byte, without a Python object per record. A chunk's lines are a
# template whose six integer fields per record (``log.TEMPLATE_FIELDS``) are NUL bytes (JSON
# never holds a raw control character: the strings escape them), their values counted from
# the chunk's start packed beside it as int64; :func:`place_log` fills them in once the
# chunk's place in its file is known (tests/test_log_lines_compiled.py).

from libc.stdint cimport int64_t
from libc.string cimport memchr
from cpython.dict cimport PyDict_Next, PyDict_SetItem

import json as _ll_json


cdef extern from *:
    """
    #include <stdint.h>
    #if defined(__SSE2__)
    #include <emmintrin.h>
    #endif
    /* LFs and CRs among n bytes (the CRs in *cr): 16 bytes a step where SSE2 is, each
       lane counting its matches in a byte (a match is -1: subtracted), the bytes summed
       every 255 steps, before one can overflow. */
    static Py_ssize_t normalise_byte_ends(const unsigned char *p, Py_ssize_t n, Py_ssize_t *cr) {
        Py_ssize_t lf = 0, r = 0, i = 0;
    #if defined(__SSE2__)
        const __m128i nl = _mm_set1_epi8(10), ret = _mm_set1_epi8(13), zero = _mm_setzero_si128();
        while (i + 16 <= n) {
            __m128i lfs = zero, crs = zero, sum;
            int steps = 0;
            for (; i + 16 <= n && steps < 255; i += 16, steps++) {
                __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
                lfs = _mm_sub_epi8(lfs, _mm_cmpeq_epi8(v, nl));
                crs = _mm_sub_epi8(crs, _mm_cmpeq_epi8(v, ret));
            }
            sum = _mm_sad_epu8(lfs, zero);
            lf += _mm_cvtsi128_si32(sum) + _mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
            sum = _mm_sad_epu8(crs, zero);
            r += _mm_cvtsi128_si32(sum) + _mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
        }
    #endif
        for (; i < n; i++) {
            lf += p[i] == 10;
            r += p[i] == 13;
        }
        *cr = r;
        return lf;
    }
    """
    Py_ssize_t byte_ends "normalise_byte_ends" (const uint8_t *p, Py_ssize_t n,
                                                 Py_ssize_t *cr) noexcept nogil


cdef struct LogBuffer:
    char *data
    Py_ssize_t size
    Py_ssize_t capacity


cdef int lb_reserve(LogBuffer *b, Py_ssize_t more) except -1:
    """Room for ``more`` bytes after what ``b`` holds."""
    if b.size + more <= b.capacity:
        return 0
    cdef Py_ssize_t capacity = 2 * b.capacity
    if capacity < b.size + more:
        capacity = b.size + more
    if capacity < 4096:
        capacity = 4096
    cdef char *grown = <char *>realloc(b.data, capacity)
    if grown == NULL:
        raise MemoryError()
    b.data = grown
    b.capacity = capacity
    return 0


cdef inline int lb_put(LogBuffer *b, const char *s, Py_ssize_t n) except -1:
    lb_reserve(b, n)
    memcpy(b.data + b.size, s, n)
    b.size += n
    return 0


cdef inline int lb_bytes(LogBuffer *b, bytes value) except -1:
    return lb_put(b, PyBytes_AS_STRING(value), len(value))


cdef char *LL_HEX = b"0123456789abcdef"
# the fixed parts of a record's line, in :func:`normalise.log._record_template`'s order
cdef bytes LL_COLUMN = b', "column": \x00, "original": '
cdef bytes LL_REPLACEMENT = b', "replacement": '
cdef bytes LL_OFFSETS = b', "start": \x00, "end": \x00, "out_start": \x00, "out_end": \x00, "rule": '
cdef bytes LL_ENTRY = b', "entry": '
cdef bytes LL_SCORE = b', "score": '
cdef bytes LL_NOTE = b', "note": '
cdef bytes LL_HELD = b', "held": '
cdef bytes LL_END = b"}\n"


cdef int lb_json(LogBuffer *b, str value) except -1:
    """``value`` as a JSON string, as ``json.encoder.encode_basestring`` writes it (quotes,
    backslash and control characters escaped, the rest as it is) encoded as the log writes
    it: UTF-8, a lone surrogate as a ``\\udcXX`` escape (``backslashreplace``)."""
    cdef Py_ssize_t i, n = len(value)
    cdef int kind = PyUnicode_KIND(value)
    cdef void *data = PyUnicode_DATA(value)
    cdef uint32_t c
    cdef char *o
    lb_reserve(b, 6 * n + 2)  # the widest a code point becomes: \u00XX or \udcXX
    o = b.data + b.size
    o[0] = 34
    o += 1
    for i in range(n):
        c = PyUnicode_READ(kind, data, i)
        if c < 0x80:
            if c >= 0x20 and c != 34 and c != 92:
                o[0] = <char>c
                o += 1
                continue
            o[0] = 92
            if c == 34 or c == 92:
                o[1] = <char>c
            elif c == 8:
                o[1] = 98  # b
            elif c == 12:
                o[1] = 102  # f
            elif c == 10:
                o[1] = 110  # n
            elif c == 13:
                o[1] = 114  # r
            elif c == 9:
                o[1] = 116  # t
            else:
                o[1] = 117  # u00XX
                o[2] = 48
                o[3] = 48
                o[4] = LL_HEX[c >> 4]
                o[5] = LL_HEX[c & 15]
                o += 6
                continue
            o += 2
        elif c < 0x800:
            o[0] = <char>(0xC0 | (c >> 6))
            o[1] = <char>(0x80 | (c & 0x3F))
            o += 2
        elif 0xD800 <= c <= 0xDFFF:  # unencodable: backslashreplace
            o[0] = 92
            o[1] = 117
            o[2] = LL_HEX[(c >> 12) & 15]
            o[3] = LL_HEX[(c >> 8) & 15]
            o[4] = LL_HEX[(c >> 4) & 15]
            o[5] = LL_HEX[c & 15]
            o += 6
        elif c < 0x10000:
            o[0] = <char>(0xE0 | (c >> 12))
            o[1] = <char>(0x80 | ((c >> 6) & 0x3F))
            o[2] = <char>(0x80 | (c & 0x3F))
            o += 3
        else:
            o[0] = <char>(0xF0 | (c >> 18))
            o[1] = <char>(0x80 | ((c >> 12) & 0x3F))
            o[2] = <char>(0x80 | ((c >> 6) & 0x3F))
            o[3] = <char>(0x80 | (c & 0x3F))
            o += 4
    o[0] = 34
    o += 1
    b.size = o - b.data
    return 0


cdef int64_t line_ends(int kind, const void *data, Py_ssize_t low, Py_ssize_t high,
                       Py_ssize_t *last, Py_ssize_t *crs) noexcept:
    """The line ends in ``[low, high)``, a CR LF once (``chars.count_newlines``: LFs plus CRs
    less the CR LF pairs inside the span); where there is one, ``last`` becomes the position
    of the last LF or CR; ``crs`` gains the CRs. Counted 16 bytes a step in a narrow text, the
    last one looked for backwards only when there is one."""
    cdef Py_ssize_t lf = 0, cr = 0, crlf = 0
    cdef Py_ssize_t i
    cdef uint32_t c, prev = 0
    if kind == 1:
        lf = byte_ends(<const uint8_t *>data + low, high - low, &cr)
    else:
        for i in range(low, high):
            c = PyUnicode_READ(kind, <void *>data, i)
            lf += c == 10
            cr += c == 13
    if lf == 0 and cr == 0:
        return 0
    crs[0] += cr
    if cr:
        for i in range(low, high):
            c = PyUnicode_READ(kind, <void *>data, i)
            crlf += c == 10 and prev == 13
            prev = c
    i = high - 1
    while True:
        c = PyUnicode_READ(kind, <void *>data, i)
        if c == 10 or c == 13:
            break
        i -= 1
    last[0] = i
    return lf + cr - crlf


cdef inline bint plain_int(object value) noexcept:
    """An int (not a bool) that a C int64 holds, not negative: what the record fields hold."""
    if type(value) is not int:
        return False
    return 0 <= value <= 0x3FFFFFFFFFFFFFFF


def chunk_records(str text, list subs, bytes file_json):
    """``(counts, log, fields, first_line, breaks, last)`` of a chunk's records ``subs``
    (Substitution tuples within ``text``): the applied records per entry, in order of first
    record; with ``file_json`` (the file's name as a JSON string, encoded as the log writes
    it) the records' log lines (a template, NUL for each open field) and their field values
    (int64, line 0-based, columns from the chunk start on its first line) and how many are on
    the first line, else ``b""``, ``b""``, 0; the line ends of ``text`` (a CR LF once) and
    where the last one is (-1: none). None when a record holds what this path does not write
    (a value of another type, records out of order): the reference then writes them."""
    cdef Py_ssize_t n = len(subs), r, p, pos = 0, size = len(text), start, last_break = -1
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef int64_t line = 0, line_start = 0, breaks, total = 0
    cdef Py_ssize_t crs = 0
    cdef Py_ssize_t first = 0
    cdef bint logging = file_json is not None, applied = False
    cdef object sub, rule, entry, score, note, held, value, count
    cdef object last_rule = None, last_score = None
    cdef bytes score_text = b"", head = b""
    cdef PyObject *found
    cdef dict counts = {}
    cdef LogBuffer log
    cdef int64_t *fields = NULL
    memset(&log, 0, sizeof(LogBuffer))
    applied_rules = APPLIED_RULES
    if logging:
        head = b'{"file": ' + file_json + b', "line": \x00'
        fields = <int64_t *>malloc((6 * n + 1) * sizeof(int64_t))
        if fields == NULL:
            raise MemoryError()
        # room for lines of usual length at once: no copy of the lines as the buffer grows
        lb_reserve(&log, n * (len(head) + 224))
    try:
        for r in range(n):
            sub = subs[r]
            if type(sub) is not Substitution or len(sub) != 11:
                return None
            rule = <object>PyTuple_GET_ITEM(sub, 6)
            entry = <object>PyTuple_GET_ITEM(sub, 7)
            if type(rule) is not str or type(entry) is not str:
                return None
            if rule is not last_rule:
                applied = rule in applied_rules
                last_rule = rule
            if applied:
                found = PyDict_GetItem(counts, entry)
                count = 1 if found == NULL else <object>found + 1
                PyDict_SetItem(counts, entry, count)
            if not logging:
                continue
            score = <object>PyTuple_GET_ITEM(sub, 8)
            note = <object>PyTuple_GET_ITEM(sub, 9)
            held = <object>PyTuple_GET_ITEM(sub, 10)
            original = <object>PyTuple_GET_ITEM(sub, 0)
            replacement = <object>PyTuple_GET_ITEM(sub, 1)
            if (type(original) is not str or type(replacement) is not str
                    or not (note is None or type(note) is str)
                    or not (held is None or type(held) is str)):
                return None
            for p in range(2, 6):
                if not plain_int(<object>PyTuple_GET_ITEM(sub, p)):
                    return None
            if score is not last_score:
                if type(score) is float and score == 1.0:
                    score_text = b"1.0"
                elif type(score) is float or type(score) is int:
                    score_text = _ll_json.dumps(score).encode("ascii")
                else:
                    return None
                last_score = score
            start = <object>PyTuple_GET_ITEM(sub, 2)
            if start < pos or start > size:
                return None
            # the line ends in [pos, start), a CR LF once (stream._fields' count_newlines)
            breaks = line_ends(kind, data, pos, start, &last_break, &crs)
            total += breaks
            if breaks:
                line += breaks
                line_start = last_break + 1
            if line == 0:
                first += 1
            pos = start
            fields[6 * r] = line
            fields[6 * r + 1] = start - line_start
            fields[6 * r + 2] = start
            fields[6 * r + 3] = <int64_t>(<object>PyTuple_GET_ITEM(sub, 3))
            fields[6 * r + 4] = <int64_t>(<object>PyTuple_GET_ITEM(sub, 4))
            fields[6 * r + 5] = <int64_t>(<object>PyTuple_GET_ITEM(sub, 5))
            lb_bytes(&log, head)
            lb_bytes(&log, LL_COLUMN)
            lb_json(&log, original)
            lb_bytes(&log, LL_REPLACEMENT)
            lb_json(&log, replacement)
            lb_bytes(&log, LL_OFFSETS)
            lb_json(&log, rule)
            lb_bytes(&log, LL_ENTRY)
            lb_json(&log, entry)
            lb_bytes(&log, LL_SCORE)
            lb_bytes(&log, score_text)
            if note is not None:
                lb_bytes(&log, LL_NOTE)
                lb_json(&log, note)
            if held is not None:
                lb_bytes(&log, LL_HELD)
                lb_json(&log, held)
            lb_bytes(&log, LL_END)
        # the chunk's own line ends: the records' spans and the rest, unless a CR LF may
        # straddle a record's start (a CR anywhere: then counted over the whole text)
        total += line_ends(kind, data, pos, size, &last_break, &crs)
        if crs:
            last_break = -1
            total = line_ends(kind, data, 0, size, &last_break, &crs)
        breaks = total
        if not logging:
            return counts, b"", b"", 0, breaks, last_break
        return (
            counts,
            PyBytes_FromStringAndSize(log.data, log.size) if log.size else b"",
            PyBytes_FromStringAndSize(<char *>fields, 6 * n * sizeof(int64_t)),
            first,
            breaks,
            last_break,
        )
    finally:
        free(log.data)
        free(fields)


def add_counts(totals, dict counts):
    """Add a chunk's ``counts`` to ``totals`` (a dict or a Counter), new entries at the end
    in ``counts``' order: what ``Counter.update`` does, without its Python loop per entry."""
    if not isinstance(totals, dict):
        raise TypeError("totals must be a dict")
    cdef Py_ssize_t pos = 0
    cdef PyObject *key
    cdef PyObject *value
    cdef PyObject *found
    while PyDict_Next(counts, &pos, &key, &value):
        found = PyDict_GetItem(totals, <object>key)
        if found == NULL:
            PyDict_SetItem(totals, <object>key, <object>value)
        else:
            PyDict_SetItem(totals, <object>key, <object>found + <object>value)


cdef inline Py_ssize_t digits_of(int64_t value) noexcept:
    """Decimal digits of ``value`` (not negative)."""
    cdef Py_ssize_t d = 1
    while value >= 10:
        value //= 10
        d += 1
    return d


cdef inline char *put_number(char *o, int64_t value) noexcept:
    """``value`` (not negative) in decimal at ``o``; the end."""
    cdef char digits[24]
    cdef int d = 0
    while True:
        digits[d] = <char>(48 + value % 10)
        d += 1
        value //= 10
        if value == 0:
            break
    while d:
        d -= 1
        o[0] = digits[d]
        o += 1
    return o


def place_log(bytes template, bytes fields, Py_ssize_t first_line, int64_t line,
              int64_t column, int64_t chars, int64_t out_chars):
    """The log lines of a :func:`chunk_records` template placed in its file: each record's
    line plus ``line``, its column plus ``column`` on the chunk's first line, its offsets plus
    ``chars`` and ``out_chars`` (``stream.Locator.place`` of the Python records)."""
    cdef Py_ssize_t count = len(fields) // sizeof(int64_t), k = 0, size = len(template)
    cdef const int64_t *values = <const int64_t *>PyBytes_AS_STRING(fields)
    cdef const char *t = PyBytes_AS_STRING(template)
    cdef const char *end = t + size
    cdef const char *hole
    cdef int64_t shift[6]
    cdef int64_t value
    shift[0] = line
    shift[1] = 0
    shift[2] = chars
    shift[3] = chars
    shift[4] = out_chars
    shift[5] = out_chars
    if line < 0 or column < 0 or chars < 0 or out_chars < 0:
        raise ValueError("a chunk's place is not negative")
    if size - count < 0:
        raise ValueError("the template has fewer fields than values")
    # the lines' exact size first (the template's, less a byte per field, plus its digits),
    # so that they are written once, into the bytes returned
    cdef Py_ssize_t total = size - count
    for k in range(count):
        value = values[k] + shift[k % 6]
        if k % 6 == 1 and k < 6 * first_line:
            value += column
        total += digits_of(value)
    result = PyBytes_FromStringAndSize(NULL, total)
    cdef char *start = PyBytes_AS_STRING(result)
    cdef char *o = start
    k = 0
    while t < end:
        hole = <const char *>memchr(t, 0, end - t)
        if hole == NULL:
            memcpy(o, t, end - t)
            o += end - t
            break
        memcpy(o, t, hole - t)
        o += hole - t
        t = hole + 1
        if k >= count:
            raise ValueError("the template has more fields than values")
        value = values[k] + shift[k % 6]
        if k % 6 == 1 and k < 6 * first_line:
            value += column
        o = put_number(o, value)
        k += 1
    if k != count:
        raise ValueError("the template has fewer fields than values")
    return result


# --- spelling keys ---
# The rules of ``Romanisation.key`` (``data/romanisation.yaml``) run in C (issues 15 and 17).
# Each rule's expression is read from Python's own parse of it (``re._parser``, as
# ``phonetic.needed_letters`` reads it) and compiled into a small program for a backtracking
# matcher with ``re``'s semantics: at each position from the left the first match by the
# expression's order of preference (alternatives in order, greedy repeats longest first,
# lazy ones shortest first), then on from the match's end, the replacement with its group
# references. Every character class (``[...]``, ``.``, a negated literal) is a set of bits for
# the characters 0-255, each asked of ``re`` itself. So only words of those characters (one
# byte a character: ASCII and Latin-1) are keyed here, and only expressions of the constructs
# below; ``SpellingRules`` refuses (ValueError) a rule set with any other construct, and
# ``key`` hands back None for a word it cannot hold: the caller then keys it with ``re``.

cdef enum:
    SK_MATCH = 0  # the end of a program (or of a lookaround's sub-program)
    SK_CHAR = 1  # c
    SK_CLASS = 2  # k: one character of class k
    SK_SPLIT = 3  # x y: try x, then y
    SK_JUMP = 4  # x
    SK_SAVE = 5  # slot: a group's start (2g) or end (2g + 1) is here
    SK_GROUPREF = 6  # g: the text group g matched, again
    SK_AT = 7  # where: 0 start of the string, 1 end (or before a final newline), 2 the very end
    SK_LOOK = 8  # negate behind width skip, then the sub-program ending in SK_MATCH
    SK_WORD_CHARS = 255  # longest word keyed here (longer: None, the caller uses re)
    SK_GROUPS = 10  # groups an expression may have (a replacement refers to \1-\9)

_SK_AT = {"AT_BEGINNING": 0, "AT_BEGINNING_STRING": 0, "AT_END": 1, "AT_END_STRING": 2}
_SK_CATEGORY = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _sk_parser():
    import importlib

    try:
        return importlib.import_module("re._parser")  # Python 3.11 and later
    except ImportError:  # pragma: no cover - Python 3.10
        return importlib.import_module("sre_parse")


class _SpellingProgram:
    """The program of one expression (see ``spelling_program``)."""

    def __init__(self, pattern, parser):
        import re

        self.re = re
        self.pattern = pattern
        self.p = parser
        self.code = []
        self.classes = []  # 32 bytes each
        self.class_numbers = {}

    def emit(self, *words):
        self.code.extend(words)
        return len(self.code) - len(words)

    def class_of(self, source):
        """The number of the class ``source`` (an expression of one character), its bits
        asked of ``re`` with the pattern's flags for each character 0-255."""
        number = self.class_numbers.get(source)
        if number is None:
            expression = self.re.compile(source, self.pattern.flags)
            bits = bytearray(32)
            for c in range(256):
                if expression.fullmatch(chr(c)):
                    bits[c >> 3] |= 1 << (c & 7)
            number = self.class_numbers[source] = len(self.classes)
            self.classes.append(bytes(bits))
        return number

    def items(self, items, in_look, in_repeat):
        for op, av in items:
            self.item(op, av, in_look, in_repeat)

    def item(self, op, av, in_look, in_repeat):
        p = self.p
        if op is p.LITERAL:
            if av > 255:
                self.emit(SK_CLASS, self.class_of("(?!)"))  # no word here holds it
            else:
                self.emit(SK_CHAR, av)
        elif op is p.NOT_LITERAL:
            self.emit(SK_CLASS, self.class_of(f"[^\\U{av:08x}]"))
        elif op is p.ANY:
            self.emit(SK_CLASS, self.class_of("."))
        elif op is p.IN:
            self.emit(SK_CLASS, self.class_of(self.class_source(av)))
        elif op is p.BRANCH:
            branches = av[1]
            jumps = []
            for i, branch in enumerate(branches):
                if i < len(branches) - 1:
                    split = self.emit(SK_SPLIT, 0, 0)
                    self.code[split + 1] = len(self.code)
                    self.items(branch, in_look, in_repeat)
                    jumps.append(self.emit(SK_JUMP, 0))
                    self.code[split + 2] = len(self.code)
                else:
                    self.items(branch, in_look, in_repeat)
            for jump in jumps:
                self.code[jump + 1] = len(self.code)
        elif op is p.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise ValueError("a group with flags")
            if group is None:
                self.items(sub, in_look, in_repeat)
            else:
                if in_look or in_repeat or group >= SK_GROUPS:
                    raise ValueError("a group in a lookaround or a repeat")
                self.emit(SK_SAVE, 2 * group)
                self.items(sub, in_look, in_repeat)
                self.emit(SK_SAVE, 2 * group + 1)
        elif op is p.MAX_REPEAT or op is p.MIN_REPEAT:
            low, high, sub = av
            if p.SubPattern(self.state, list(sub)).getwidth()[0] == 0:
                raise ValueError("a repeat of what can match nothing")
            greedy = op is p.MAX_REPEAT
            for _ in range(low):
                self.items(sub, in_look, True)
            if high == p.MAXREPEAT:
                loop = self.emit(SK_SPLIT, 0, 0)
                body = len(self.code)
                self.items(sub, in_look, True)
                self.emit(SK_JUMP, loop)
                self.order(loop, body, len(self.code), greedy)
            else:
                if high - low > 16:
                    raise ValueError("a bounded repeat too wide")
                splits = []
                for _ in range(high - low):
                    split = self.emit(SK_SPLIT, 0, 0)
                    splits.append(split)
                    self.items(sub, in_look, True)
                    self.order(split, split + 3, None, greedy)
                for split in splits:
                    self.order(split, split + 3, len(self.code), greedy)
        elif op is p.AT:
            where = _SK_AT.get(str(av))
            if where is None:
                raise ValueError(f"the position {av}")
            self.emit(SK_AT, where)
        elif op is p.ASSERT or op is p.ASSERT_NOT:
            direction, sub = av
            width = 0
            if direction < 0:
                low, high = p.SubPattern(self.state, list(sub)).getwidth()
                if low != high:
                    raise ValueError("a lookbehind of no fixed width")
                width = low
            look = self.emit(SK_LOOK, op is p.ASSERT_NOT, direction < 0, width, 0)
            self.items(sub, True, in_repeat)
            self.emit(SK_MATCH)
            self.code[look + 4] = len(self.code) - look
        elif op is p.GROUPREF:
            if av >= SK_GROUPS:
                raise ValueError("a reference to a group past 9")
            self.emit(SK_GROUPREF, av)
        else:
            raise ValueError(f"the construct {op}")

    def order(self, split, body, out, greedy):
        """Fill a split: the body first when greedy, else the way out first."""
        if out is None:
            return
        self.code[split + 1], self.code[split + 2] = (body, out) if greedy else (out, body)

    def class_source(self, items):
        p = self.p
        parts = []
        for kind, value in items:
            if kind is p.NEGATE:
                parts.append("^")
            elif kind is p.LITERAL:
                parts.append(f"\\U{value:08x}")
            elif kind is p.RANGE:
                parts.append(f"\\U{value[0]:08x}-\\U{value[1]:08x}")
            elif kind is p.CATEGORY and str(value) in _SK_CATEGORY:
                parts.append(_SK_CATEGORY[str(value)])
            else:
                raise ValueError(f"the class item {kind}")
        return "[" + "".join(parts) + "]"


def spelling_program(pattern):
    """The program and the classes of a compiled ``re`` expression (a ``str`` pattern), or
    ValueError: a flag other than UNICODE, an expression that can match the empty string, or a
    construct the matcher does not hold (a category outside a class, a word boundary, a
    conditional, an atomic group or possessive repeat, a group with flags, a group inside a
    lookaround or a repeat, a lookbehind of no fixed width, a repeat of what can match nothing)."""
    import re

    if not isinstance(pattern.pattern, str) or pattern.flags & ~re.UNICODE:
        raise ValueError("flags")
    parser = _sk_parser()
    parsed = parser.parse(pattern.pattern, pattern.flags)
    if parsed.getwidth()[0] == 0:
        raise ValueError("an expression that can match the empty string")
    if pattern.groups >= SK_GROUPS:
        raise ValueError("too many groups")
    program = _SpellingProgram(pattern, parser)
    program.state = parsed.state
    program.items(list(parsed), False, False)
    program.emit(SK_MATCH)
    return program.code, program.classes


def spelling_template(pattern, str replace):
    """A replacement as ``re.sub`` reads it, as (literal, group) parts (group 0: none), when
    it holds only characters 0-255 and references ``\\1``-``\\9`` to groups the expression has;
    else ValueError."""
    import re

    parts = []
    pieces = [piece for piece in re.split(r"(\\.)", replace) if piece]
    for i, piece in enumerate(pieces):
        if piece[0] == "\\" and len(piece) == 2:
            following = pieces[i + 1][:1] if i + 1 < len(pieces) else ""
            if not ("1" <= piece[1] <= "9") or int(piece[1]) > pattern.groups or (
                following.isdigit()
            ):
                raise ValueError(f"the replacement escape {piece}")
            parts.append(("", int(piece[1])))
        elif "\\" in piece or max(map(ord, piece)) > 255:
            raise ValueError("a replacement escape or a character past 255")
        else:
            parts.append((piece, 0))
    return parts


def spelling_first_set(code, classes):
    """The characters a match can begin with, read from a program of ``spelling_program``
    (32 bytes of bits, a character c at bit c & 7 of byte c >> 3), or None when not proved.

    Why: ``SpellingRules`` tries each rule at every position of a word; a position whose
    character is not in the set cannot start a match and is passed over. Exact: every path
    of the program from its start is followed through the operations that read nothing
    (splits, jumps, group marks, anchors, and lookarounds, passed over whole: they only
    refuse) to the first that reads a character, whose character or class is added; a
    match at ``pos`` takes one such path, so ``s[pos]`` (``pos`` < n) is in the set. A path
    that reaches the program's end or a group's reference before reading (an empty match,
    or a reference to what may be empty) proves nothing: None, every position is tried."""
    bits = bytearray(32)
    todo, seen = [0], set()
    while todo:
        pc = todo.pop()
        if pc in seen:
            continue
        seen.add(pc)
        op = code[pc]
        if op == SK_CHAR:
            bits[code[pc + 1] >> 3] |= 1 << (code[pc + 1] & 7)
        elif op == SK_CLASS:
            for i, byte in enumerate(classes[code[pc + 1]]):
                bits[i] |= byte
        elif op == SK_SPLIT:
            todo += (code[pc + 1], code[pc + 2])
        elif op == SK_JUMP:
            todo.append(code[pc + 1])
        elif op == SK_SAVE or op == SK_AT:
            todo.append(pc + 2)
        elif op == SK_LOOK:
            todo.append(pc + code[pc + 4])
        else:  # SK_MATCH or SK_GROUPREF before any character is read
            return None
    return bytes(bits)


cdef struct SpellingRule:
    int32_t *code
    uint8_t *classes
    uint8_t *template  # the literal characters of the replacement, in order
    int32_t *parts  # per part: its literal length, then its group (0: none)
    Py_ssize_t n_parts
    uint8_t needed[32]  # one of these characters is in every match (all bits set: unknown)
    uint8_t first[32]  # every match begins with one of these (all bits set: unknown)


cdef inline bint bits_meet(const uint8_t *a, const uint8_t *b) noexcept nogil:
    """Whether two sets of 256 bits (32 bytes each) share a bit: four words, not 32 bytes."""
    cdef uint64_t x[4]
    cdef uint64_t y[4]
    memcpy(x, a, 32)
    memcpy(y, b, 32)
    return ((x[0] & y[0]) | (x[1] & y[1]) | (x[2] & y[2]) | (x[3] & y[3])) != 0


cdef bint sk_run(const int32_t *code, Py_ssize_t pc, const uint8_t *s, Py_ssize_t n,
                 Py_ssize_t pos, Py_ssize_t *groups, const uint8_t *classes,
                 Py_ssize_t *end) noexcept nogil:
    """Whether the program from ``pc`` matches ``s`` at ``pos`` (backtracking, the first
    match by preference: ``re``'s); ``end``: where it ends; ``groups``: the groups' spans."""
    cdef int32_t op
    cdef Py_ssize_t old, start, length, i, at
    cdef uint8_t c
    cdef bint found
    while True:
        op = code[pc]
        if op == SK_MATCH:
            end[0] = pos
            return True
        elif op == SK_CHAR:
            if pos >= n or s[pos] != code[pc + 1]:
                return False
            pos += 1
            pc += 2
        elif op == SK_CLASS:
            if pos >= n:
                return False
            c = s[pos]
            if not ((classes[32 * code[pc + 1] + (c >> 3)] >> (c & 7)) & 1):
                return False
            pos += 1
            pc += 2
        elif op == SK_SPLIT:
            if sk_run(code, code[pc + 1], s, n, pos, groups, classes, end):
                return True
            pc = code[pc + 2]
        elif op == SK_JUMP:
            pc = code[pc + 1]
        elif op == SK_SAVE:
            old = groups[code[pc + 1]]
            groups[code[pc + 1]] = pos
            if sk_run(code, pc + 2, s, n, pos, groups, classes, end):
                return True
            groups[code[pc + 1]] = old
            return False
        elif op == SK_GROUPREF:
            start = groups[2 * code[pc + 1]]
            at = groups[2 * code[pc + 1] + 1]
            if start < 0 or at < 0:
                return False  # a group that took no part: re fails the reference
            length = at - start
            if pos + length > n:
                return False
            for i in range(length):
                if s[pos + i] != s[start + i]:
                    return False
            pos += length
            pc += 2
        elif op == SK_AT:
            if code[pc + 1] == 0:
                if pos != 0:
                    return False
            elif code[pc + 1] == 1:
                if not (pos == n or (pos == n - 1 and s[pos] == 10)):
                    return False
            elif pos != n:
                return False
            pc += 2
        elif op == SK_LOOK:
            at = pos - code[pc + 3] if code[pc + 2] else pos
            if at < 0:
                found = False
            else:
                found = sk_run(code, pc + 5, s, n, at, groups, classes, &old)
            if found == (code[pc + 1] != 0):
                return False
            pc += code[pc + 4]
        else:
            return False


cdef class SpellingRules:
    """The rules of a ``Romanisation`` in C (see the section's comment): ``key(word)`` is
    ``Romanisation.key(word)`` for a word of characters 0-255 up to 255 long, else None."""

    cdef SpellingRule *rules
    cdef Py_ssize_t n_rules
    cdef Py_ssize_t last  # the length of a word a rule left as it was

    def __cinit__(self):
        self.rules = NULL
        self.n_rules = 0

    def __init__(self, list rules):
        """``rules``: (compiled expression, replacement, needed letters or None) of each rule,
        in order; ValueError if one cannot run here."""
        cdef Py_ssize_t i, j, k
        cdef SpellingRule *rule
        compiled = []
        for pattern, replace, needed in rules:
            code, classes = spelling_program(pattern)
            compiled.append((code, classes, spelling_template(pattern, replace), needed))
        self.rules = <SpellingRule *>calloc(max(1, len(compiled)), sizeof(SpellingRule))
        if self.rules == NULL:
            raise MemoryError()
        for code, classes, parts, needed in compiled:
            rule = &self.rules[self.n_rules]
            self.n_rules += 1
            rule.code = <int32_t *>malloc(len(code) * sizeof(int32_t))
            rule.classes = <uint8_t *>malloc(max(1, 32 * len(classes)))
            literal = "".join(text for text, _group in parts).encode("latin-1")
            rule.template = <uint8_t *>malloc(max(1, len(literal)))
            rule.parts = <int32_t *>malloc(max(1, 2 * len(parts)) * sizeof(int32_t))
            if (rule.code == NULL or rule.classes == NULL or rule.template == NULL
                    or rule.parts == NULL):
                raise MemoryError()
            for j in range(len(code)):
                rule.code[j] = code[j]
            for j in range(len(classes)):
                for k in range(32):
                    rule.classes[32 * j + k] = classes[j][k]
            for j in range(len(literal)):
                rule.template[j] = literal[j]
            first = spelling_first_set(code, classes)
            for j in range(32):
                rule.first[j] = first[j] if first is not None else 0xFF
            rule.n_parts = len(parts)
            for j in range(len(parts)):
                rule.parts[2 * j] = len(parts[j][0])
                rule.parts[2 * j + 1] = parts[j][1]
            if needed is None or any(ord(c) > 255 for c in needed):
                memset(rule.needed, 0xFF, 32)
            else:
                memset(rule.needed, 0, 32)
                for c in needed:
                    rule.needed[ord(c) >> 3] |= 1 << (ord(c) & 7)

    def __dealloc__(self):
        cdef Py_ssize_t i
        if self.rules != NULL:
            for i in range(self.n_rules):
                free(self.rules[i].code)
                free(self.rules[i].classes)
                free(self.rules[i].template)
                free(self.rules[i].parts)
            free(self.rules)

    def __reduce__(self):
        raise TypeError("SpellingRules is made afresh, never pickled")

    def key(self, str word):
        """The spelling key of a folded word, or None when it has a character past 255 or
        more than 255 characters (or its key would grow past that)."""
        cdef uint8_t out[SK_WORD_CHARS + 1]
        cdef Py_ssize_t n = len(word)
        if PyUnicode_KIND(word) != 1 or n > SK_WORD_CHARS:
            return None
        n = self.key_of(<const uint8_t *>PyUnicode_DATA(word), n, out)
        if n < 0:
            return None
        return PyUnicode_DecodeLatin1(<const char *>out, n, NULL)

    cdef Py_ssize_t key_of(self, const uint8_t *data, Py_ssize_t n, uint8_t *out) noexcept:
        """``key`` of a word of ``n`` (at most SK_WORD_CHARS) characters 0-255, one byte
        each: its length, the key in ``out`` (SK_WORD_CHARS + 1 bytes); -1 when it would grow
        past SK_WORD_CHARS."""
        cdef uint8_t buffers[2][SK_WORD_CHARS + 1]
        cdef uint8_t present[32]
        cdef Py_ssize_t i
        cdef int which = 0
        memcpy(buffers[0], data, n)
        memset(present, 0, 32)
        for i in range(n):
            present[data[i] >> 3] |= 1 << (data[i] & 7)
        for i in range(self.n_rules):
            if not (bits_meet(self.rules[i].needed, present)
                    and bits_meet(self.rules[i].first, present)):
                continue  # no match: the word lacks the letters every match reads or begins with
            n = self.apply(&self.rules[i], buffers[which], n, buffers[1 - which], present)
            if n < 0:
                return -1
            if n != SK_WORD_CHARS + 1:  # changed: the other buffer holds it
                which = 1 - which
            else:
                n = self.last
        memcpy(out, buffers[which], n)
        return n

    cdef Py_ssize_t apply(self, SpellingRule *rule, const uint8_t *s, Py_ssize_t n,
                          uint8_t *out, uint8_t *present) noexcept:
        """One rule on ``s`` (``key_of`` asks it only of a word that holds a character of its
        ``needed`` and ``first`` sets): the new length with the result in ``out``;
        SK_WORD_CHARS + 1 when it does not change ``s`` (its length in ``self.last``); -1 when
        the result would not fit."""
        cdef Py_ssize_t groups[2 * SK_GROUPS]
        cdef Py_ssize_t pos = 0, last = 0, m = 0, end, i, j, k, length, g, lit
        cdef bint changed = False
        while pos < n:  # every match reads a character (spelling_program refuses others)
            if not (rule.first[s[pos] >> 3] >> (s[pos] & 7)) & 1:
                pos += 1  # no match begins with this character
                continue
            for i in range(2 * SK_GROUPS):
                groups[i] = -1
            if not sk_run(rule.code, 0, s, n, pos, groups, rule.classes, &end):
                pos += 1
                continue
            length = pos - last
            lit = 0
            for j in range(rule.n_parts):
                length += rule.parts[2 * j]
                g = rule.parts[2 * j + 1]
                if g and groups[2 * g] >= 0 and groups[2 * g + 1] >= 0:
                    length += groups[2 * g + 1] - groups[2 * g]
            if m + length > SK_WORD_CHARS:
                return -1
            memcpy(out + m, s + last, pos - last)
            m += pos - last
            for j in range(rule.n_parts):
                memcpy(out + m, rule.template + lit, rule.parts[2 * j])
                m += rule.parts[2 * j]
                lit += rule.parts[2 * j]
                g = rule.parts[2 * j + 1]
                if g and groups[2 * g] >= 0 and groups[2 * g + 1] >= 0:
                    k = groups[2 * g + 1] - groups[2 * g]
                    memcpy(out + m, s + groups[2 * g], k)
                    m += k
            changed = True
            last = pos = end  # never empty (spelling_program refuses those expressions)
        if not changed:
            self.last = n
            return SK_WORD_CHARS + 1
        if m + n - last > SK_WORD_CHARS:
            return -1
        memcpy(out + m, s + last, n - last)
        m += n - last
        if m == n and memcmp(out, s, n) == 0:
            self.last = n
            return SK_WORD_CHARS + 1
        memset(present, 0, 32)
        for i in range(m):
            present[out[i] >> 3] |= 1 << (out[i] & 7)
        return m


def reaches(Ranker ranker, str key, double floor):
    """Whether a whole form (not a word of one) that ``ranker.rank(key)`` finds scores at
    least ``floor``, each score computed as ``rank`` computes it (``Ranker.form_score``, the
    same floats); a form that cannot reach ``floor`` is dropped by the bounds ``rank`` drops
    forms by. False proves that a decision needing ``floor`` has no winner and no ambiguity
    (both need a whole form at or above it) without ranking, sorting or making candidates.
    None when ``rank`` would hand the key back (not the letters a-z, or the ranker busy)."""
    cdef uint8_t codes[RANK_LETTERS]
    cdef Py_ssize_t n = len(key)
    cdef int found
    if n == 0 or not letter_codes(key, codes):
        return None
    found = reaches_codes(ranker, key, codes, n, floor)
    return None if found < 0 else found == 1


cdef int reaches_codes(Ranker ranker, str key, const uint8_t *codes, Py_ssize_t n,
                       double floor) except -2:
    """``reaches`` of a key of ``n`` (1 to RANK_LETTERS) letters read as ``codes``: 1 or 0;
    -1 (None) when the ranker is busy."""
    cdef Py_ssize_t i, found, number
    cdef Form *info
    if ranker.busy:
        return -1
    ranker.busy = True
    try:
        found = ranker.start(codes, n)
        for i in range(found):
            number = ranker.found[i]
            info = ranker.read(number)
            if not info.part and ranker.form_score(number, info, key, codes, n, floor) >= floor:
                return 1
        return 0
    finally:
        ranker.busy = False

# --- token screen ---
# The proof of ``Weighing.wanted_in_full`` that no decision on a name token can act (issues 15
# and 17), in one call for both matchers of a weighing (the matcher, and the one for rare
# English words that shares its index and forms): the gate's checks of the spelling and of the
# table (``PhoneticMatcher._form_refusal``), the common-word test, the required score (once per
# matcher), the fold and spelling key (``Romanisation.form_key``: ASCII tokens, the rules run by
# ``SpellingRules.key_of``) and ``reaches``. A token whose proof fails (a form reaches the score:
# the decision must be made, with its inflection check, in Python) or that this code cannot hold
# (a character other than ASCII letters and apostrophes, a key outside a-z, a ranker busy) is
# handed back to the Python path, the reference (and the only path on the Python core).

from cpython.dict cimport PyDict_Contains, PyDict_Size
from cpython.set cimport PySet_Contains


cdef inline double required_of(double min_score, double penalty, double short_penalty,
                               Py_ssize_t short_letters, Py_ssize_t letters,
                               double zipf) noexcept:
    """``PhoneticMatcher.required_score`` (the same operations: the same float)."""
    cdef Py_ssize_t short = short_letters - letters
    cdef double threshold = min_score + short_penalty * <double>(short if short > 0 else 0)
    cdef double known = penalty * zipf if penalty != 0.0 else 0.0
    known = min_score + known
    return known if known > threshold else threshold


cdef Py_ssize_t _ascii_lower(str token, char *lower, bint *letters) noexcept:
    """A token of 1 to RANK_LETTERS ASCII characters in lower case (``str.lower``: A-Z only)
    into ``lower``: its length, ``letters`` whether every character is a letter a-z (then
    ``english_zipf`` asks ``plain_zipf`` of it); -1 for any other token."""
    cdef Py_ssize_t n = len(token), i
    cdef const uint8_t *s
    letters[0] = False
    if PyUnicode_KIND(token) != 1 or n == 0 or n > RANK_LETTERS:
        return -1
    s = <const uint8_t *>PyUnicode_DATA(token)
    letters[0] = True
    for i in range(n):
        if s[i] >= 128:
            letters[0] = False
            return -1
        if 65 <= s[i] <= 90:
            lower[i] = <char>(s[i] + 32)
        else:
            lower[i] = <char>s[i]
            if not 97 <= s[i] <= 122:
                letters[0] = False
    return n


cdef inline double _plain_zipf(dict plain, str lowered, double absent) except? -1.0:
    """``EnglishFrequencies.zipf(lowered)`` once its dict of every plain word is made:
    ``plain.get(lowered, absent)``."""
    cdef PyObject *held = PyDict_GetItem(plain, lowered)
    return absent if held == NULL else PyFloat_AsDouble(<object>held)


cdef double _token_zipf(str token, lowered, bint letters, plain, double absent,
                        zipf_of) except? -1.0:
    """The English Zipf frequency of a token as ``english_zipf`` gives it: read from ``plain``
    (the frequencies' dict, or None while it is not made) for a token of the ASCII letters
    (``lowered``: its lower case, ``letters``: from ``_ascii_lower``), else ``zipf_of``."""
    if letters and plain is not None:
        return _plain_zipf(<dict>plain, <str>lowered, absent)
    return PyFloat_AsDouble(zipf_of(token))


def screen_zipf(frequencies, str token, zipf_of):
    """The English Zipf frequency ``TokenScreen.screen`` reads for ``token`` (for the tests):
    from ``frequencies``' dict for a token of the ASCII letters once that dict is made, else
    ``zipf_of(token)``."""
    cdef char lower[RANK_LETTERS + 1]
    cdef bint letters
    cdef Py_ssize_t n = _ascii_lower(token, lower, &letters)
    lowered = PyUnicode_FromStringAndSize(lower, n) if n >= 0 else None
    return _token_zipf(token, lowered, letters, frequencies._zipf, frequencies.absent, zipf_of)


cdef enum:
    KEY_TABLE_RESTORE = 1024  # see TokenScreen.reaches
    KEY_TABLE_HASHED = 65536  # the same for a state that holds its hash


cdef class TokenScreen:
    """``PhoneticMatcher.may_act`` of a weighing's matcher and of its matcher for rare words,
    as ``Weighing.wanted_in_full`` combines them, for one token: ``idle(token, zipf)``."""

    cdef Ranker ranker, rare_ranker
    cdef SpellingRules rules
    cdef dict known, known_words
    cdef object protected, bare_words
    cdef bint has_rare
    cdef double min_score, common_zipf, penalty
    cdef double rare_min_score, rare_common_zipf, rare_penalty, short_penalty
    cdef Py_ssize_t short_letters, min_letters, max_chars
    cdef uint8_t apostrophe[128]  # ASCII apostrophes of the gate's expressions
    cdef object table  # KeyTable of the rankers' index, once enough tokens were asked
    cdef object stored  # the matcher's ``KeyTable.state()`` (None: none, or it does not hold)
    cdef Py_ssize_t n_forms
    cdef bint shared_index  # both rankers read one index: one table serves both
    cdef Py_ssize_t asked, index_keys
    cdef int16_t folded[128]  # Romanisation.fold of an ASCII character: -1 not one letter, -2 none
    # tokens with characters outside ASCII (``foreign_idle``, the section at the end)
    cdef bint foreign  # held: both matchers' penalties >= 0 and one index
    cdef object form_key, foreign_keys, romanisation  # form_key, its ForeignKeys
    cdef dict index  # PhoneticMatcher._index (None: ``flat`` holds every key instead)
    cdef KeyTable flat  # the rankers' KeyTable of every key, when they read one, else None
    cdef object same, drop_vowels, coarse, vowels, metaphone  # of ``_lookup_keys``
    cdef uint64_t *key_bits  # ``KeyBits`` of the index's keys outside ASCII (NULL: not made)
    cdef uint64_t key_mask
    cdef Py_ssize_t foreign_asked  # keys probed while ``key_bits`` is not made
    # ``same``, ``drop_vowels`` and ``coarse`` of the ASCII characters (-1: deleted), and the
    # vowels; ``tables_held``: every table maps only ASCII characters, to one or none
    cdef int32_t same_of[128]
    cdef int32_t drop_of[128]
    cdef int32_t coarse_of[128]
    cdef uint8_t vowel[128]
    cdef bint tables_held

    def __cinit__(self):
        self.key_bits = NULL
        self.foreign_asked = 0

    def __dealloc__(self):
        free(self.key_bits)

    def __init__(self, matcher, rare, Ranker ranker, Ranker rare_ranker, SpellingRules rules,
                 translation, str apostrophes, constants):
        """``matcher``, ``rare``: the two matchers (rare None: none), sharing their known
        forms; ``translation``: ``Romanisation.fold``'s table; ``constants``: SHORT_PENALTY,
        SHORT_LETTERS, MIN_LETTERS and MAX_TOKEN_CHARS of :mod:`normalise.phonetic`."""
        cdef int c
        self.ranker, self.rules = ranker, rules
        self.known, self.known_words = matcher._known, matcher._known_words
        self.protected, self.bare_words = matcher._protected, matcher._bare_words
        self.min_score, self.common_zipf = matcher.min_score, matcher.common_word_zipf
        self.penalty = matcher.known_word_penalty
        self.has_rare = rare is not None
        if self.has_rare:
            if rare_ranker is None:
                raise ValueError("a matcher for rare words needs its ranker")
            self.rare_ranker = rare_ranker
            self.rare_min_score, self.rare_common_zipf = rare.min_score, rare.common_word_zipf
            self.rare_penalty = rare.known_word_penalty
        self.short_penalty, self.short_letters, self.min_letters, self.max_chars = constants
        self.asked = 0
        self.n_forms = len(ranker.forms)
        self.stored = None
        self.flat = ranker.flat  # the index's every key: probed from the first token on
        self.table = self.flat
        self.index = ranker.index
        if self.flat is None:
            self.index_keys = len(ranker.index)
            kept = getattr(matcher, "_key_table_state", None)
            if (kept is not None and kept[1] == self.n_forms and kept[2] == self.index_keys
                    and matcher.__dict__.get("_index") is ranker.index):
                self.stored = kept[0]
        else:
            self.index_keys = len(self.flat)
        self.shared_index = (not self.has_rare
                             or rare_ranker.index_source() is ranker.index_source())
        self.form_key = matcher.romanisation.form_key
        self.romanisation = matcher.romanisation
        self.foreign_keys = None  # made when the first such token is asked
        self.same = matcher.romanisation.costs._same
        self.vowels = matcher.romanisation.costs.vowels
        self.drop_vowels = matcher.romanisation._drop_vowels
        self.coarse = matcher.romanisation._coarse
        import jellyfish

        self.metaphone = jellyfish.metaphone
        held = all(isinstance(v, str) and len(v) == 1 and v.isascii() for v in self.vowels)
        held = _ascii_map(self.same, self.same_of) and held
        held = _ascii_map(self.drop_vowels, self.drop_of) and held
        self.tables_held = _ascii_map(self.coarse, self.coarse_of) and held
        for c in range(128):
            self.vowel[c] = chr(c) in self.vowels
        self.foreign = self.penalty >= 0.0 and (
            not self.has_rare or (self.shared_index and self.rare_penalty >= 0.0
                                  and rare.romanisation is matcher.romanisation))
        for c in range(128):
            self.apostrophe[c] = chr(c) in apostrophes
            out = chr(c).lower().translate(translation)
            if out == "":
                self.folded[c] = -2
            elif len(out) == 1 and ("a" <= out <= "z" or "A" <= out <= "Z"):
                self.folded[c] = ord(out)
            else:
                self.folded[c] = -1

    def __reduce__(self):
        raise TypeError("TokenScreen is made afresh, never pickled")

    @property
    def key_table(self):
        """The ``KeyTable`` its look-ups probe (None: not made yet), for the tests."""
        return self.table

    cdef int form_refused(self, str token, Py_ssize_t *letters) except -2:
        """``_form_refusal(token) is not None`` for a token of ASCII letters and apostrophes:
        1 or 0, its letters in ``letters``; -1 for any other token (not held here)."""
        cdef Py_ssize_t n = len(token), i, count = 0
        cdef const uint8_t *s
        cdef uint8_t c
        cdef bint name_like = True, after_mark = False
        if n > self.max_chars:
            return 1
        if PyUnicode_KIND(token) != 1 or n == 0:
            return -1
        s = <const uint8_t *>PyUnicode_DATA(token)
        for i in range(n):
            c = s[i]
            if c >= 128:
                return -1
            if 97 <= c <= 122:
                count += 1
                after_mark = False
            elif 65 <= c <= 90:
                count += 1
                name_like = name_like and i == 0
            elif self.apostrophe[c]:
                # ^\p{Lu}\p{Ll}*(?:[apostrophes]\p{Ll}+)*$: a mark between lower-case letters
                name_like = name_like and i > 0 and not after_mark
                after_mark = True
            else:
                return -1  # a digit, a space, a newline (``$`` matches before a final one)
        letters[0] = count
        if not (65 <= s[0] <= 90) or after_mark:
            name_like = False
        if n >= 2 and self.apostrophe[s[n - 2]] and s[n - 1] == 115:  # possessive
            return 1
        if not name_like or count < self.min_letters:
            return 1
        if (PyDict_Contains(self.known, token) or PySet_Contains(self.protected, token)
                or (PyDict_Contains(self.known_words, token)
                    and not PySet_Contains(self.bare_words, token))):
            return 1
        return 0

    cdef Py_ssize_t key_codes(self, str token, uint8_t *codes) except -2:
        """``Romanisation.form_key(token)`` for a token ``form_refused`` held, as letter
        numbers 0-25: its length; -1 when it is not a key of 1 to RANK_LETTERS letters a-z
        made here (the caller hands the token back)."""
        cdef uint8_t word[SK_WORD_CHARS + 1]
        cdef uint8_t out[SK_WORD_CHARS + 1]
        cdef const uint8_t *s = <const uint8_t *>PyUnicode_DATA(token)
        cdef Py_ssize_t n = len(token), m = 0, i, k
        cdef int16_t f
        for i in range(n):
            f = self.folded[s[i]]
            if f == -1:
                return -1
            if f >= 0:
                word[m] = <uint8_t>f
                m += 1
        if m == 0:
            return -1  # not ``isalpha``: ``Romanisation.words`` reads it otherwise
        k = self.rules.key_of(word, m, out)
        if k <= 0 or k > RANK_LETTERS:
            return -1
        for i in range(k):
            if out[i] < 97 or out[i] > 122:
                return -1
            codes[i] = out[i] - 97
        return k

    cdef int reaches(self, Ranker ranker, str key, const uint8_t *codes, Py_ssize_t n,
                     double floor) except -2:
        """``reaches_codes``, its look-up probed in a ``KeyTable`` once the tokens asked
        would have made about as many look-up strings as the index has keys (a table costs
        about what that many strings cost: a short text does not pay for it); restored from
        the matcher's kept state (which costs far less: only its hash is made) once
        1/KEY_TABLE_RESTORE as many were asked, or 1/KEY_TABLE_HASHED when the state holds
        the hash (only its checks are left to do: 3.3 ms at 100,000 variants, where a token's
        look-up by the index's dict costs about 10 us more than by the table)."""
        if self.table is None:
            self.asked += 1
            if self.stored is not None:
                if self.asked * (KEY_TABLE_HASHED if len(self.stored[0]) == 6
                                 else KEY_TABLE_RESTORE) >= self.index_keys:
                    try:
                        self.table = KeyTable.restored(self.stored, self.n_forms)
                    except ValueError:  # not made by this code: read the index instead
                        self.stored = None
            elif self.asked * 16 >= self.index_keys:
                self.table = KeyTable(self.ranker.index)
            if self.table is not None:  # the decisions' rankings probe it too
                self.ranker.key_table = self.table
                if self.has_rare and self.shared_index:
                    self.rare_ranker.key_table = self.table
        if self.table is None or (ranker is not self.ranker and not self.shared_index):
            return reaches_codes(ranker, key, codes, n, floor)
        return reaches_in_table(ranker, <KeyTable>self.table, key, codes, n, floor)

    def idle(self, str token, double zipf):
        """True when ``may_act`` proves that neither matcher can act on ``token`` as
        ``wanted_in_full`` asks them (``zipf``: its ``english_zipf``); False when the proof
        fails (a decision must be made); None when the token is not held here."""
        cdef int found = self._idle(token, zipf)
        return None if found < 0 else found == 1

    cdef int _idle(self, str token, double zipf) except -2:
        """:meth:`idle` as 1 (True), 0 (False) or -1 (None), called from the screen's loop
        without a Python call."""
        cdef Py_ssize_t letters = 0
        cdef int refused = self.form_refused(token, &letters)
        if refused != 0:
            return -1 if refused < 0 else 1
        return self._idle_held(token, letters, zipf)

    cdef int _idle_held(self, str token, Py_ssize_t letters, double zipf) except -2:
        """:meth:`_idle` of a token ``form_refused`` held and did not refuse (0), of
        ``letters`` letters."""
        cdef Py_ssize_t n = -2
        cdef uint8_t codes[RANK_LETTERS]
        cdef int found
        cdef double required, rare_required
        cdef bint blocked
        required = required_of(self.min_score, self.penalty, self.short_penalty,
                               self.short_letters, letters, zipf)
        blocked = zipf >= self.common_zipf or required > 1.0
        if not blocked:
            n = self.key_codes(token, codes)
            if n < 0:
                return -1
            found = self.reaches(self.ranker, letters_text(codes, n), codes, n, required)
            if found != 0:
                return -1 if found < 0 else 0
        # the matcher cannot act; the one for rare words is asked only for a token refused
        # as English (a common word, or no score enough)
        if not self.has_rare or not blocked:
            return 1
        rare_required = required_of(self.rare_min_score, self.rare_penalty, self.short_penalty,
                                    self.short_letters, letters, zipf)
        if rare_required > 1.0 or zipf >= self.rare_common_zipf:
            return 1
        if n == -2:
            n = self.key_codes(token, codes)
        if n < 0:
            return -1
        found = self.reaches(self.rare_ranker, letters_text(codes, n), codes, n, rare_required)
        if found != 0:
            return -1 if found < 0 else 0
        return 1

    def screen(self, new, dict wanted, set acting, common, double refused, zipf_of, decided,
               in_full, Py_ssize_t most, frequencies=None):
        """``Weighing.wanted`` of each token of ``new`` (none of them in ``wanted`` yet), its
        answer stored in ``wanted`` (and ``acting``) as that method stores it; returns the
        tokens wanted. ``common``: the set of common lower-case words or None; ``zipf_of``:
        ``english_zipf``; ``decided(token)``: ``acts`` of the decision; ``in_full``:
        ``Weighing.wanted_in_full``, for a token ``idle`` hands back. ``frequencies``: the
        ``EnglishFrequencies`` that ``english_zipf`` reads (or None): once it holds its dict
        of every plain word, a token of the ASCII letters is looked up in that dict here, as
        ``english_zipf`` does (its lower case), without calling it. A token its form refuses
        (``form_refused``: idle whatever its frequency) is not looked up at all: the
        frequencies' dict is large: a look-up in it misses the caches (a fifth of a cold
        screen's own time on dense KJV)."""
        cdef list out = []
        cdef Py_ssize_t n, count = 0
        cdef char lower[RANK_LETTERS + 1]
        cdef bint ascii, letters, found
        cdef int idle, refused_form
        cdef double zipf, absent = 0.0
        plain = None  # frequencies' dict of every plain word, once it is made
        if frequencies is not None:
            plain = frequencies._zipf
            absent = frequencies.absent
        for token in new:
            found = False
            n = _ascii_lower(<str>token, lower, &letters)
            ascii = n >= 0
            lowered = PyUnicode_FromStringAndSize(lower, n) if ascii else None
            if common is not None and ascii and PySet_Contains(common, lowered):
                found = False
            elif common is not None and not ascii and (<str>token).isascii() and (
                    (<str>token).lower() in common):
                found = False  # a long ASCII token
            elif not ascii and self.foreign and not (<str>token).isascii() and (
                    foreign_idle(self, <str>token) == 1):
                found = False  # no decision can act, whatever its English frequency
            elif (refused_form := self.form_refused(<str>token, &count)) == 1:
                found = False  # refused by its form whatever its frequency: none is read
            else:
                zipf = _token_zipf(<str>token, lowered, letters, plain, absent, zipf_of)
                if plain is None and frequencies is not None:
                    plain = frequencies._zipf  # made once enough words were asked
                if zipf < refused:
                    idle = -1 if refused_form < 0 else self._idle_held(<str>token, count, zipf)
                    if idle < 0:
                        found = in_full(token)
                    elif idle == 0:
                        found = decided(token)
            if PyDict_Size(wanted) >= most:
                wanted.clear()
                acting.clear()
            wanted[token] = found
            if found:
                acting.add(token)
                out.append(token)
        return out


SCREEN_PARTS = ("form", "key", "look-up", "scores")


def screen_parts(TokenScreen screen, list tokens, list zipfs, int upto, Py_ssize_t loops=1):
    """The screen's work on each token (``loops`` times) up to a part of ``SCREEN_PARTS``
    (for ``benchmarks/screen_cost.py``: a part's cost is the difference of two): 0 the
    gate's checks of the form, 1 and the spelling key, 2 and the look-up of the index keys,
    3 and the forms' scores (``idle`` in full, without its Python call). The key and the
    look-up are asked of the ranker ``_idle`` asks (none for a token it settles before).
    -1: the names."""
    cdef Py_ssize_t i, loop, letters, n
    cdef uint8_t codes[RANK_LETTERS]
    cdef Ranker ranker
    cdef double zipf
    if upto < 0:
        return SCREEN_PARTS
    for loop in range(loops):
        for i in range(len(tokens)):
            token = <str>tokens[i]
            zipf = zipfs[i]
            if upto == 3:
                screen._idle(token, zipf)
                continue
            if screen.form_refused(token, &letters) != 0 or upto == 0:
                continue
            if not (zipf >= screen.common_zipf or required_of(
                    screen.min_score, screen.penalty, screen.short_penalty,
                    screen.short_letters, letters, zipf) > 1.0):
                ranker = screen.ranker
            elif screen.has_rare and zipf < screen.rare_common_zipf and required_of(
                    screen.rare_min_score, screen.rare_penalty, screen.short_penalty,
                    screen.short_letters, letters, zipf) <= 1.0:
                ranker = screen.rare_ranker
            else:
                continue
            n = screen.key_codes(token, codes)
            if n <= 0 or upto == 1:
                continue
            ranker.busy = True
            try:
                if screen.table is not None and (ranker is screen.ranker or screen.shared_index):
                    start_in_table(ranker, <KeyTable>screen.table, codes, n, True)
                else:
                    ranker.start(codes, n)
            finally:
                ranker.busy = False


cdef class KeyTable:
    """A matcher's index (``PhoneticMatcher._index``: look-up key -> form numbers) as a C hash
    table: a token's 15-20 look-up keys probed without making a Python string each
    (``start_in_table``). Made with ``every_key`` it holds every key, each as its UTF-8 bytes
    (a surrogate as ``surrogatepass`` writes it), in the index's order, so that a matcher
    read back needs no dict of its 1.1 million keys at 100,000 variants (issue 17: 0.7 s and
    290 MB to unpickle); without it, only the ASCII keys (what a key of the letters a-z
    makes: its skeleton, deletions and coarse keys are a-z, its metaphone ASCII). Made with
    ``parts`` (a byte per form, 1 for a word of a multi-word form), each bucket lists its
    whole forms first and says how many: ``reaches`` reads only those, the only forms it
    scores. Its keys and buckets are flat buffers (:meth:`state`), which the matcher keeps
    with the compiled table, so that a normaliser read from the cache makes no index."""

    cdef const uint64_t *slots  # per slot: the key's hash's high 32 bits, and its number + 1
    cdef uint64_t *made  # ``slots`` when made here (freed with the table), else NULL
    cdef bytes kept_slots  # ``slots`` when read from a state (made at the table's build)
    cdef Py_ssize_t size, n_keys
    cdef const char *keys  # every key's characters, one after another
    cdef const int32_t *key_end  # per key: where its characters end in ``keys``
    cdef const int32_t *number_end  # per key: where its form numbers end in ``numbers``
    cdef const int32_t *wholes  # per key: how many of its numbers, first, are whole forms
    cdef const int32_t *numbers
    cdef tuple held  # the bytes the pointers above read
    cdef bint has_wholes  # made with ``parts``: ``wholes`` holds
    cdef bint every_key  # every key of the index is here (else its ASCII keys only)

    def __cinit__(self):
        self.slots = NULL
        self.made = NULL

    def __init__(self, dict index, parts=None, bint every_key=False):
        """``every_key``: hold every key, each bucket's forms in ascending order (as
        ``PhoneticMatcher._add`` makes them; ValueError otherwise), so that the index can
        be made again from the table (:func:`normalise.flat_index.index_of_state`)."""
        cdef Py_ssize_t n_keys = 0, n_chars = 0, n_numbers = 0, k = 0, at = 0, f = 0
        cdef Py_ssize_t n_parts = -1
        cdef const uint8_t *part = NULL
        cdef char *keys
        cdef int32_t *key_end
        cdef int32_t *number_end
        cdef int32_t *wholes
        cdef int32_t *numbers
        cdef list held_keys = []
        cdef bytes encoded
        if parts is not None:
            part = <const uint8_t *>PyBytes_AS_STRING(<bytes>parts)
            n_parts = len(<bytes>parts)
        for key, bucket in index.items():
            if every_key:
                encoded = (<str>key).encode("utf-8", "surrogatepass")
            elif (<str>key).isascii():
                encoded = (<str>key).encode("ascii")
            else:
                continue
            held_keys.append((encoded, bucket))
            n_keys += 1
            n_chars += len(encoded)
            n_numbers += len(<list>bucket)
        if n_chars >= 0x7FFFFFFF or n_numbers >= 0x7FFFFFFF:
            raise ValueError("an index too large for a key table")
        held = (
            PyBytes_FromStringAndSize(NULL, n_chars),
            PyBytes_FromStringAndSize(NULL, n_keys * sizeof(int32_t)),
            PyBytes_FromStringAndSize(NULL, n_keys * sizeof(int32_t)),
            PyBytes_FromStringAndSize(NULL, n_keys * sizeof(int32_t)),
            PyBytes_FromStringAndSize(NULL, n_numbers * sizeof(int32_t)),
        )
        keys = PyBytes_AS_STRING(held[0])
        key_end = <int32_t *>PyBytes_AS_STRING(held[1])
        number_end = <int32_t *>PyBytes_AS_STRING(held[2])
        wholes = <int32_t *>PyBytes_AS_STRING(held[3])
        numbers = <int32_t *>PyBytes_AS_STRING(held[4])
        for encoded, bucket in held_keys:
            memcpy(keys + at, PyBytes_AS_STRING(encoded), len(encoded))
            at += len(encoded)
            key_end[k] = <int32_t>at
            wholes[k] = _fill_bucket(<list>bucket, part, n_parts, numbers + f, every_key)
            f += len(<list>bucket)
            number_end[k] = <int32_t>f
            k += 1
        self._hold(held, part != NULL, every_key)

    cdef int _hold(self, tuple held, bint has_wholes, bint every_key) except -1:
        """Point at ``held``'s buffers (checked against each other) and make the hash, or
        take it from a sixth buffer (:meth:`state`'s, checked: every slot empty or a key's,
        as many keys as the table has). A table of every key has at least 1.5 slots a key
        (its hash is kept in the matcher's pickle: 17 MB at 100,000 variants, not 34 MB at
        the two a key of the ASCII ones)."""
        cdef Py_ssize_t n_keys, i, j, start = 0, size = 16
        cdef uint64_t h
        if len(held) not in (5, 6) or not all(type(b) is bytes for b in held):
            raise ValueError("a key table's state is five or six bytes objects")
        n_keys = len(<bytes>held[1]) // sizeof(int32_t)
        if (len(<bytes>held[2]) != n_keys * <Py_ssize_t>sizeof(int32_t)
                or len(<bytes>held[3]) != n_keys * <Py_ssize_t>sizeof(int32_t)
                or len(<bytes>held[1]) != n_keys * <Py_ssize_t>sizeof(int32_t)
                or len(<bytes>held[4]) % sizeof(int32_t) or n_keys >= 0x7FFFFFFF):
            raise ValueError("a key table's buffers disagree")
        self.held = held
        self.keys = PyBytes_AS_STRING(<bytes>held[0])
        self.key_end = <const int32_t *>PyBytes_AS_STRING(<bytes>held[1])
        self.number_end = <const int32_t *>PyBytes_AS_STRING(<bytes>held[2])
        self.wholes = <const int32_t *>PyBytes_AS_STRING(<bytes>held[3])
        self.numbers = <const int32_t *>PyBytes_AS_STRING(<bytes>held[4])
        if not _ranges_hold(self.key_end, self.number_end, self.wholes, n_keys,
                            len(<bytes>held[0]), len(<bytes>held[4]) // sizeof(int32_t)):
            raise ValueError("a key table's buffers disagree")
        self.has_wholes, self.every_key = has_wholes, every_key
        self.n_keys = n_keys
        while size < (n_keys + n_keys // 2 + 2 if every_key else 2 * n_keys + 2):
            size *= 2
        self.size = size
        free(self.made)
        self.made = NULL
        self.slots = NULL
        if len(held) == 6:
            self._take_slots(<bytes>held[5])
            self.held = held[:5]
            return 0
        self.made = <uint64_t *>calloc(size, sizeof(uint64_t))
        if self.made == NULL:
            raise MemoryError()
        start = 0
        for i in range(n_keys):
            h = _bytes_hash(self.keys + start, self.key_end[i] - start)
            start = self.key_end[i]
            j = <Py_ssize_t>(h & <uint64_t>(size - 1))
            while self.made[j]:
                j = (j + 1) & (size - 1)
            self.made[j] = (h & <uint64_t>0xFFFFFFFF00000000ULL) | <uint64_t>(i + 1)
        self.slots = self.made
        return 0

    cdef int _take_slots(self, bytes kept) except -1:
        """Read the hash from ``kept`` (``slots`` points into it), checked: its size, every
        slot empty or a key's number + 1, and as many keys as the table has (so that a probe
        always meets an empty slot)."""
        cdef const uint64_t *slots = <const uint64_t *>PyBytes_AS_STRING(kept)
        cdef Py_ssize_t i, used = 0
        cdef uint64_t number
        if len(kept) != self.size * <Py_ssize_t>sizeof(uint64_t):
            raise ValueError("a key table's hash of another size")
        cdef bint bad = False
        for i in range(self.size):  # no branch per slot: 2 million at 100,000 variants
            number = slots[i] & <uint64_t>0xFFFFFFFF
            used += number != 0
            bad |= (number > <uint64_t>self.n_keys) | ((number == 0) & (slots[i] != 0))
        if bad:
            raise ValueError("a key table's hash names a key past its keys, or none in full")
        if used != self.n_keys:
            raise ValueError("a key table's hash holds another number of keys")
        self.kept_slots = kept
        self.slots = slots
        return 0

    def state(self):
        """The buffers (bytes) :meth:`restored` makes the same table from, the hash's slots
        last (a table read back does not hash its keys again), and whether the buckets list
        their whole forms first."""
        cdef bytes slots = PyBytes_FromStringAndSize(
            <const char *>self.slots, self.size * sizeof(uint64_t))
        return self.held + (slots,), self.has_wholes, self.every_key

    @staticmethod
    def restored(state, Py_ssize_t forms):
        """The table of :meth:`state`, checked: every form number under ``forms``.
        ValueError for a state that does not hold."""
        cdef KeyTable table = KeyTable.__new__(KeyTable)
        cdef Py_ssize_t i, n
        if not isinstance(state, tuple) or len(state) not in (2, 3):
            raise ValueError("a key table's state is its buffers and one or two flags")
        held, has_wholes = state[:2]  # two: a state of older code, of the ASCII keys only
        table._hold(held, bool(has_wholes), len(state) == 3 and bool(state[2]))
        n = len(<bytes>held[4]) // sizeof(int32_t)
        cdef bint bad = forms < 0 or forms > 0x7FFFFFFF
        for i in range(n):  # no branch per number (unsigned: a negative one is past too)
            bad |= <uint32_t>table.numbers[i] >= <uint32_t>forms
        if bad:
            raise ValueError("a key table's form number past the forms")
        return table

    def __dealloc__(self):
        free(self.made)

    def __reduce__(self):
        raise TypeError("KeyTable is made afresh or restored from its state, never pickled")

    @property
    def keeps_wholes(self):
        """Whether the buckets list their whole forms first (made with ``parts``)."""
        return self.has_wholes

    @property
    def keeps_every_key(self):
        """Whether every key of the index is here (else only its ASCII keys)."""
        return self.every_key

    def __len__(self):
        return self.n_keys

    def bucket(self, str key):
        """The form numbers under ``key`` as the table lists them (whole forms first when
        made with ``parts``), None when it does not hold the key (for the tests)."""
        cdef Py_ssize_t k = self.find_chars(NULL, 0, PyUnicode_KIND(key), PyUnicode_DATA(key),
                                            len(key), -1)
        if k < 0:
            return None
        return [self.numbers[i] for i in range(self.number_end[k - 1] if k else 0,
                                               self.number_end[k])]

    cdef Py_ssize_t find(self, const char *key, Py_ssize_t length) noexcept:
        """The number of the key ``key[:length]`` (its bytes), -1 when the table has none."""
        cdef uint64_t h = _bytes_hash(key, length), slot
        cdef uint64_t tag = h & <uint64_t>0xFFFFFFFF00000000ULL
        cdef Py_ssize_t j = <Py_ssize_t>(h & <uint64_t>(self.size - 1)), k, start
        while True:
            slot = self.slots[j]
            if not slot:
                return -1
            if (slot & <uint64_t>0xFFFFFFFF00000000ULL) == tag:
                k = <Py_ssize_t>(slot & <uint64_t>0xFFFFFFFF) - 1
                start = self.key_end[k - 1] if k else 0
                if self.key_end[k] - start == length and memcmp(self.keys + start, key,
                                                                  length) == 0:
                    return k
            j = (j + 1) & (self.size - 1)

    cdef Py_ssize_t find_chars(self, const char *prefix, Py_ssize_t p, int kind,
                               const void *data, Py_ssize_t n, Py_ssize_t skip) except -2:
        """The number of the key ``prefix[:p]`` (ASCII) + the ``n`` characters of ``data``
        (of ``kind``) without the one at ``skip`` (-1: none), -1 when the table has none:
        encoded as the table's keys are, without making a string."""
        cdef char small[256]
        cdef char *buffer = small
        cdef Py_ssize_t m = p, i
        if p + 4 * n > 256:
            buffer = <char *>malloc(p + 4 * n)
            if buffer == NULL:
                raise MemoryError()
        try:
            if p:
                memcpy(buffer, prefix, p)
            for i in range(n):
                if i != skip:
                    m += _utf8_put(<uint32_t>PyUnicode_READ(kind, <void *>data, i), buffer + m)
            return self.find(buffer, m)
        finally:
            if buffer != small:
                free(buffer)

    cdef inline Py_ssize_t add_bucket(self, Ranker ranker, Py_ssize_t k, Py_ssize_t found,
                                      bint wholes) noexcept:
        """Add the forms of key ``k`` to the ranker's ``found``; with ``wholes`` (and a table
        made with ``parts``), its whole forms only."""
        cdef Py_ssize_t i, first = self.number_end[k - 1] if k else 0
        cdef Py_ssize_t last = first + self.wholes[k] if wholes and self.has_wholes else (
            self.number_end[k])
        for i in range(first, last):
            found = ranker.add_found(self.numbers[i], found)
        return found

    cdef Py_ssize_t look_up(self, Ranker ranker, const char *key, Py_ssize_t length,
                            Py_ssize_t found, bint wholes) noexcept:
        """``Ranker.look_up`` of the key ``key[:length]``; with ``wholes`` (and a table made
        with ``parts``), its whole forms only."""
        cdef Py_ssize_t k = self.find(key, length)
        return found if k < 0 else self.add_bucket(ranker, k, found, wholes)

    cdef Py_ssize_t deletions(self, Ranker ranker, const uint8_t *word, Py_ssize_t n,
                              bint coarse, Py_ssize_t found, bint wholes) noexcept:
        """``Ranker.deletions``, probed here."""
        cdef char buffer[RANK_LETTERS + 8]
        cdef Py_ssize_t i, k
        for i in range(-1, n):
            if i > 0 and word[i] == word[i - 1]:
                continue
            k = deletion_key(word, n, coarse, i, buffer)
            found = self.look_up(ranker, buffer, k, found, wholes)
        return found


cdef bint _ranges_hold(const int32_t *key_end, const int32_t *number_end,
                       const int32_t *wholes, Py_ssize_t n_keys, Py_ssize_t n_chars,
                       Py_ssize_t n_numbers) noexcept nogil:
    """Whether every key's characters and numbers lie within their buffers, in order, and
    its whole forms are at most its numbers (a state read back is checked: 1.1 million keys
    at 100,000 variants, read at each start, so a loop without a branch per key)."""
    cdef Py_ssize_t i
    cdef int64_t chars_before = 0, numbers_before = 0, end, count
    cdef bint bad = False
    for i in range(n_keys):
        end = number_end[i]
        count = end - numbers_before
        bad |= (key_end[i] < chars_before) | (key_end[i] > n_chars) | (count < 0)
        bad |= (end > n_numbers) | (wholes[i] < 0) | (wholes[i] > count)
        chars_before, numbers_before = key_end[i], end
    return not bad


cdef int32_t _fill_bucket(list bucket, const uint8_t *part, Py_ssize_t n_parts, int32_t *into,
                          bint ascending) except -1:
    """Write ``bucket``'s form numbers to ``into``, the whole forms first when ``part`` (a
    byte per form) is given, each group in the bucket's order; returns how many are whole
    (all without ``part``). ``ascending``: ValueError unless the bucket ascends (the index
    is made again from the table by merging the two groups)."""
    cdef Py_ssize_t i, w = 0, last = -1
    cdef int32_t number
    for item in bucket:
        i = <Py_ssize_t>item
        if i < 0 or i > 0x7FFFFFFF or (part != NULL and i >= n_parts):
            raise ValueError("a form number past the forms' parts")
        if ascending and i <= last:
            raise ValueError("a bucket out of order: the index could not be made again")
        last = i
        if part == NULL or not part[i]:
            into[w] = <int32_t>i
            w += 1
    if part != NULL:
        i = w
        for item in bucket:
            number = <int32_t>item
            if part[number]:
                into[i] = number
                i += 1
    return <int32_t>w


cdef inline Py_ssize_t _utf8_put(uint32_t c, char *out) noexcept:
    """``c`` in UTF-8 at ``out`` (a surrogate as its three bytes, as ``surrogatepass``
    writes it); returns how many bytes."""
    if c < 0x80:
        out[0] = <char>c
        return 1
    if c < 0x800:
        out[0] = <char>(0xC0 | (c >> 6))
        out[1] = <char>(0x80 | (c & 0x3F))
        return 2
    if c < 0x10000:
        out[0] = <char>(0xE0 | (c >> 12))
        out[1] = <char>(0x80 | ((c >> 6) & 0x3F))
        out[2] = <char>(0x80 | (c & 0x3F))
        return 3
    out[0] = <char>(0xF0 | (c >> 18))
    out[1] = <char>(0x80 | ((c >> 12) & 0x3F))
    out[2] = <char>(0x80 | ((c >> 6) & 0x3F))
    out[3] = <char>(0x80 | (c & 0x3F))
    return 4


cdef inline uint64_t _bytes_hash(const char *s, Py_ssize_t n) noexcept:
    cdef uint64_t h = 14695981039346656037ULL
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ <uint8_t>s[i]) * 1099511628211ULL
    return h


cdef Py_ssize_t start_in_table(Ranker r, KeyTable table, const uint8_t *codes,
                               Py_ssize_t n, bint wholes=False) except -1:
    """``Ranker.start`` (and its ``matches``) with the index keys probed in ``table``: the
    same forms found (in another order, which ``reaches`` does not read); with ``wholes``,
    from a table that knows them, its whole forms (and maybe some words of forms) only."""
    cdef uint8_t skeleton[RANK_LETTERS + 2]
    cdef uint8_t coarse[RANK_LETTERS + 2]
    cdef char buffer[2 * RANK_LETTERS + 8]
    cdef Py_ssize_t s, c, i, found = 0, m
    r.begin(codes, n)
    s = r.skeletons(r.key_plain, n, skeleton, coarse, &c)
    found = table.deletions(r, skeleton, s, False, found, wholes)
    if c >= 4:
        found = table.deletions(r, coarse, c, True, found, wholes)
    elif c == 3:  # no deletions under four letters, nothing under three
        buffer[0], buffer[1] = b'c', b':'
        for i in range(3):
            buffer[2 + i] = <char>(coarse[i] + 97)
        found = table.look_up(r, buffer, 5, found, wholes)
    metaphone = r.metaphone(r.key_plain_text)
    if metaphone:
        m = len(<str>metaphone)
        if (<str>metaphone).isascii() and m <= 2 * RANK_LETTERS:
            buffer[0], buffer[1] = b'm', b':'
            memcpy(buffer + 2, PyUnicode_DATA(<str>metaphone), m)
            found = table.look_up(r, buffer, m + 2, found, wholes)
        else:
            found = r.look_up("m:" + metaphone, found)
    return found


cdef int reaches_in_table(Ranker ranker, KeyTable table, str key, const uint8_t *codes,
                          Py_ssize_t n, double floor) except -2:
    """``reaches_codes`` with the look-up of ``start_in_table``, of the whole forms only
    where the table knows them (``reaches`` scores no other)."""
    cdef Py_ssize_t i, found, number
    cdef Form *info
    if ranker.busy:
        return -1
    ranker.busy = True
    try:
        found = start_in_table(ranker, table, codes, n, True)
        for i in range(found):
            number = ranker.found[i]
            info = ranker.read(number)
            if not info.part and ranker.form_score(number, info, key, codes, n, floor) >= floor:
                return 1
        return 0
    finally:
        ranker.busy = False


def matches_by_strings(Ranker ranker, str key):
    """The form numbers ``Ranker.matches`` finds for ``key`` (letters a-z), sorted: each
    look-up key made as a string and looked up by ``Ranker.look_up`` (in the index's dict, or
    in the table of every key), whatever table the ranking probes; None when not held (for
    the tests)."""
    cdef uint8_t codes[RANK_LETTERS]
    cdef Py_ssize_t n = len(key), found, i
    if n == 0 or not letter_codes(key, codes) or ranker.busy:
        return None
    ranker.busy = True
    try:
        ranker.begin(codes, n)
        found = ranker.matches(ranker.key_plain, n, ranker.key_plain_text)
        return sorted([ranker.found[i] for i in range(found)])
    finally:
        ranker.busy = False


def reaches_by_table(Ranker ranker, KeyTable table, str key, double floor):
    """``reaches`` with the index keys probed in ``table`` (for the tests)."""
    cdef uint8_t codes[RANK_LETTERS]
    cdef Py_ssize_t n = len(key)
    cdef int found
    if n == 0 or not letter_codes(key, codes):
        return None
    found = reaches_in_table(ranker, table, key, codes, n, floor)
    return None if found < 0 else found == 1

# --- token memo ---
# The answers of ``Weighing._wanted`` (issues 15 and 17: the per-chunk cost of ``apply``) held
# in C, keyed by a token's code points: the one reading of a chunk (the pieces between the
# table hits, exactly as ``name_tokens`` reads them) looks each token up without making a
# Python string for a token decided before. The reference is ``name_tokens`` with the dict and
# sets of ``Weighing`` (the Python core's path); tests/test_token_memo_compiled.py compares them.

cdef enum:
    MEMO_IDLE = 0     # decided: the matcher does not act on it
    MEMO_ACTING = 1   # decided: it acts
    MEMO_PENDING = 2  # met in this reading, not decided yet (MEMO_PENDING + its number)


cdef inline void *resized(void *p, size_t size) except NULL:
    """``realloc`` that raises MemoryError (``p`` stays valid then); ``size`` is never 0."""
    cdef void *grown = realloc(p, size)
    if grown == NULL:
        raise MemoryError()
    return grown


cdef inline uint64_t _memo_hash(int kind, void *data, Py_ssize_t start,
                                Py_ssize_t end) noexcept:
    """FNV-1a over the code points (the same for a token whatever its string's storage)."""
    cdef uint64_t h = 14695981039346656037ULL
    cdef Py_ssize_t i
    for i in range(start, end):
        h = (h ^ <uint32_t>PyUnicode_READ(kind, data, i)) * 1099511628211ULL
    return h ^ (h >> 29)


cdef class TokenMemo:
    """Tokens and whether the matcher acts on each (``Weighing._wanted``), in an
    open-addressing table of their code points. :meth:`read` enters the tokens it has not met
    as pending; :meth:`settle` gives them their answers (or :meth:`rebuild` starts again from
    the dict): the memo holds what the dict holds, and the dict stays the reference."""

    cdef int32_t *slots        # entry number + 1; 0: empty
    cdef Py_ssize_t mask       # slots - 1 (a power of two, less one)
    cdef uint64_t *hashes
    cdef Py_ssize_t *offsets   # where each entry's code points start in ``arena``
    cdef int32_t *lengths
    cdef uint8_t *values       # MEMO_IDLE, MEMO_ACTING, or MEMO_PENDING (then see ``pending``)
    cdef Py_ssize_t count, room
    cdef Py_UCS4 *arena
    cdef Py_ssize_t used, arena_room
    cdef Py_ssize_t first_pending  # entries from here on are pending (``count``: none)
    cdef uint32_t *met         # the reading that last met each entry (``epoch``)
    cdef uint32_t epoch
    cdef Py_ssize_t *seen      # the pending tokens' spans of this reading: (number, start, end)
    cdef Py_ssize_t seen_count, seen_room

    def __cinit__(self):
        self.slots = NULL
        self.hashes = NULL
        self.offsets = NULL
        self.lengths = NULL
        self.values = NULL
        self.arena = NULL
        self.met = NULL
        self.epoch = 0
        self.seen = NULL
        self.seen_count = 0
        self.seen_room = 0
        self._reset(1 << 10)

    def __dealloc__(self):
        self._free()
        free(self.seen)

    cdef int _see(self, Py_ssize_t number, Py_ssize_t start, Py_ssize_t end) except -1:
        """Keep a span of the pending token ``number`` (its answer comes with :meth:`settle`)."""
        if self.seen_count == self.seen_room:
            self.seen_room = 2 * self.seen_room + 64
            self.seen = <Py_ssize_t *>resized(self.seen, 3 * self.seen_room * sizeof(Py_ssize_t))
        self.seen[3 * self.seen_count] = number
        self.seen[3 * self.seen_count + 1] = start
        self.seen[3 * self.seen_count + 2] = end
        self.seen_count += 1
        return 0

    cdef void _free(self) noexcept:
        free(self.slots)
        free(self.hashes)
        free(self.offsets)
        free(self.lengths)
        free(self.values)
        free(self.arena)
        free(self.met)
        self.met = NULL
        self.slots = NULL
        self.hashes = NULL
        self.offsets = NULL
        self.lengths = NULL
        self.values = NULL
        self.arena = NULL

    cdef int _reset(self, Py_ssize_t room) except -1:
        self._free()
        self.room = room
        self.mask = 2 * room - 1
        self.slots = <int32_t *>calloc(2 * room, sizeof(int32_t))
        self.hashes = <uint64_t *>malloc(room * sizeof(uint64_t))
        self.offsets = <Py_ssize_t *>malloc(room * sizeof(Py_ssize_t))
        self.lengths = <int32_t *>malloc(room * sizeof(int32_t))
        self.values = <uint8_t *>malloc(room * sizeof(uint8_t))
        self.met = <uint32_t *>calloc(room, sizeof(uint32_t))
        self.arena_room = 8 * room
        self.arena = <Py_UCS4 *>malloc(self.arena_room * sizeof(Py_UCS4))
        if (self.slots == NULL or self.hashes == NULL or self.offsets == NULL
                or self.lengths == NULL or self.values == NULL or self.met == NULL
                or self.arena == NULL):
            self._free()
            raise MemoryError()
        self.count = 0
        self.used = 0
        self.first_pending = 0
        self.seen_count = 0
        return 0

    cdef int _grow(self) except -1:
        """Twice the entries and slots; every entry placed again by its hash."""
        cdef Py_ssize_t room = 2 * self.room, k, slot
        cdef void *p
        self.hashes = <uint64_t *>resized(self.hashes, room * sizeof(uint64_t))
        self.offsets = <Py_ssize_t *>resized(self.offsets, room * sizeof(Py_ssize_t))
        self.lengths = <int32_t *>resized(self.lengths, room * sizeof(int32_t))
        self.values = <uint8_t *>resized(self.values, room * sizeof(uint8_t))
        self.met = <uint32_t *>resized(self.met, room * sizeof(uint32_t))
        memset(self.met + self.room, 0, (room - self.room) * sizeof(uint32_t))
        p = calloc(2 * room, sizeof(int32_t))
        if p == NULL:
            raise MemoryError()
        free(self.slots)
        self.slots = <int32_t *>p
        self.room = room
        self.mask = 2 * room - 1
        for k in range(self.count):
            slot = self.hashes[k] & self.mask
            while self.slots[slot]:
                slot = (slot + 1) & self.mask
            self.slots[slot] = <int32_t>(k + 1)
        return 0

    cdef Py_ssize_t _slot(self, int kind, void *data, Py_ssize_t start, Py_ssize_t end,
                          uint64_t h) noexcept:
        """The slot of the token ``data[start:end]``: its entry's, or the empty one where it
        would go."""
        cdef Py_ssize_t slot = h & self.mask, number, j, n = end - start
        cdef const Py_UCS4 *key
        while True:
            number = self.slots[slot] - 1
            if number < 0:
                return slot
            if self.hashes[number] == h and self.lengths[number] == n:
                key = self.arena + self.offsets[number]
                j = 0
                while j < n and <uint32_t>key[j] == <uint32_t>PyUnicode_READ(kind, data, start + j):
                    j += 1
                if j == n:
                    return slot
            slot = (slot + 1) & self.mask

    cdef Py_ssize_t _insert(self, Py_ssize_t slot, int kind, void *data, Py_ssize_t start,
                            Py_ssize_t end, uint64_t h, uint8_t value) except -1:
        """Enter the token ``data[start:end]`` at the empty ``slot``; its number."""
        cdef Py_ssize_t n = end - start, j, number = self.count, room
        if self.used + n > self.arena_room:
            room = max(2 * self.arena_room, self.used + n)
            self.arena = <Py_UCS4 *>resized(self.arena, room * sizeof(Py_UCS4))
            self.arena_room = room
        for j in range(n):
            self.arena[self.used + j] = PyUnicode_READ(kind, data, start + j)
        self.hashes[number] = h
        self.offsets[number] = self.used
        self.lengths[number] = <int32_t>n
        self.values[number] = value
        self.met[number] = 0
        self.used += n
        self.slots[slot] = <int32_t>(number + 1)
        self.count += 1
        if self.count >= self.room:
            self._grow()
        return number

    def __len__(self):
        """The tokens held, pending ones included."""
        return self.count

    def add(self, str token, bint acting):
        """Hold ``token`` with its answer (a token held already keeps the first)."""
        if self.first_pending != self.count:
            raise ValueError("the memo has pending tokens: settle them first")
        cdef int kind = PyUnicode_KIND(token)
        cdef void *data = PyUnicode_DATA(token)
        cdef Py_ssize_t n = len(token)
        cdef uint64_t h = _memo_hash(kind, data, 0, n)
        cdef Py_ssize_t slot = self._slot(kind, data, 0, n, h)
        if not self.slots[slot]:
            self._insert(slot, kind, data, 0, n, h, MEMO_ACTING if acting else MEMO_IDLE)
        self.first_pending = self.count

    def get(self, str token):
        """True (acting), False (not), None (not held, or pending)."""
        cdef int kind = PyUnicode_KIND(token)
        cdef void *data = PyUnicode_DATA(token)
        cdef Py_ssize_t n = len(token)
        cdef Py_ssize_t number = self.slots[self._slot(kind, data, 0, n,
                                                        _memo_hash(kind, data, 0, n))] - 1
        if number < 0 or self.values[number] == MEMO_PENDING:
            return None
        return self.values[number] == MEMO_ACTING

    def rebuild(self, dict wanted):
        """Hold exactly the tokens of ``wanted`` (``Weighing._wanted``) with their answers."""
        self._reset(1 << 10)
        for token, acting in wanted.items():
            self.add(token, acting)

    def settle(self, answers):
        """The answers of the pending tokens, in the order :meth:`read` gave them; the spans
        this reading found of those answered True (in the order found)."""
        cdef Py_ssize_t k = 0, n = self.count - self.first_pending, number
        cdef list spans = []
        if len(answers) != n:
            raise ValueError(f"{n} pending tokens, {len(answers)} answers")
        for answer in answers:
            self.values[self.first_pending + k] = MEMO_ACTING if answer else MEMO_IDLE
            k += 1
        for k in range(self.seen_count):
            number = self.seen[3 * k]
            if self.values[number] == MEMO_ACTING:
                spans.append((self.seen[3 * k + 1], self.seen[3 * k + 2]))
        self.seen_count = 0
        self.first_pending = self.count
        return spans

    def read(self, str text, taken, uint8_t[::1] classes, classify):
        """One reading of the tokens of ``text`` outside the sorted spans ``taken``, each
        piece read on its own as :func:`name_tokens` reads it: ``(acting, new, ordered)``.
        ``acting``: the spans of the tokens held as acting (in order when ``ordered``);
        ``new``: the distinct tokens not held, in the order met, entered as pending:
        :meth:`settle` gives them their answers next, and the spans of those that act.

        The spans are those a reading of the whole text gives (:func:`name_token_spans`,
        ``wanted_spans``: the reference) of the tokens this reading met. The two readings
        differ only next to an edge of ``taken`` where a token of the whole text may run
        across it, or a piece may start or end a token the whole text's reading does not;
        within the run of characters other than white space around such an edge (no token
        holds white space, and both readings start afresh after it) the spans come from the
        whole text's reading, as :func:`~normalise.sentence.is_whole_token` reads a run."""
        if classes.shape[0] <= 0x10FFFF:
            raise ValueError("classes must have a byte for every code point")
        if self.first_pending != self.count:
            raise ValueError("the memo has pending tokens: settle them first")
        cdef Reading r = _reading(text, classes, classify)
        cdef list acting = [], new = []
        cdef Py_ssize_t pos = 0, start, end, n = len(text), k, count = 0, room = 0, at = 0
        cdef Py_ssize_t spans = 0, stride = 3
        cdef Py_ssize_t *runs = NULL
        cdef Py_ssize_t *owned = NULL
        cdef const Py_ssize_t *edges
        self.epoch += 1
        if self.epoch == 0:  # wrapped: no entry may seem met by this reading
            memset(self.met, 0, self.room * sizeof(uint32_t))
            self.epoch = 1
        try:
            if isinstance(taken, HitRecords):
                # the compiled pass's own buffer (start, end, target): no Span made per hit
                edges = (<HitRecords>taken).buffer.at
                spans = (<HitRecords>taken).buffer.count
            else:
                spans = len(taken)
                stride = 2
                owned = <Py_ssize_t *>malloc((2 * spans + 1) * sizeof(Py_ssize_t))
                if owned == NULL:
                    raise MemoryError()
                k = 0
                for start, end in taken:
                    owned[2 * k] = start
                    owned[2 * k + 1] = end
                    k += 1
                spans = k
                edges = owned
            for k in range(spans):
                start = edges[stride * k]
                end = edges[stride * k + 1]
                if start > 0 and start < n and not _piece_end_agrees(&r, start, n):
                    if count == room:
                        room = 2 * room + 8
                        runs = <Py_ssize_t *>resized(runs, 2 * room * sizeof(Py_ssize_t))
                    count = _add_run(&r, runs, count, start, n)
                if end > 0 and end < n and not _piece_start_agrees(&r, end, n):
                    if count == room:
                        room = 2 * room + 8
                        runs = <Py_ssize_t *>resized(runs, 2 * room * sizeof(Py_ssize_t))
                    count = _add_run(&r, runs, count, end, n)
            for k in range(spans):
                start = edges[stride * k]
                end = edges[stride * k + 1]
                if start > pos:
                    _memo_piece(self, text, pos, start, &r, acting, new, runs, count, &at)
                pos = end
            if n > pos:
                _memo_piece(self, text, pos, n, &r, acting, new, runs, count, &at)
            for k in range(count):
                _memo_run(self, runs[2 * k], runs[2 * k + 1], &r, acting)
        finally:
            free(runs)
            free(owned)
        return acting, new, count == 0


cdef Py_ssize_t _add_run(Reading *r, Py_ssize_t *runs, Py_ssize_t count, Py_ssize_t edge,
                         Py_ssize_t n) noexcept:
    """Add the run of characters other than white space around ``edge`` to the sorted,
    disjoint ``runs`` (pairs), joined with the last when they meet; the new count."""
    cdef Py_ssize_t low = edge, high = edge
    while low > 0 and not Py_UNICODE_ISSPACE(PyUnicode_READ(r.kind, r.data, low - 1)):
        low -= 1
    while high < n and not Py_UNICODE_ISSPACE(PyUnicode_READ(r.kind, r.data, high)):
        high += 1
    if count and low <= runs[2 * count - 1]:
        if high > runs[2 * count - 1]:
            runs[2 * count - 1] = high
        return count
    runs[2 * count] = low
    runs[2 * count + 1] = high
    return count + 1


cdef int _memo_piece(TokenMemo memo, str text, Py_ssize_t low, Py_ssize_t high, Reading *r,
                     list acting, list new, const Py_ssize_t *runs, Py_ssize_t count,
                     Py_ssize_t *at) except -1:
    """``_tokens`` of ``text[low:high]`` with each token looked up in ``memo`` (marked met in
    this reading, entered as pending when not held); the spans of those outside ``runs``
    kept (``at``: the first run that does not end before the token)."""
    cdef Py_ssize_t i = low, end, slot, number
    cdef uint64_t h
    cdef uint8_t value
    cdef bint keep
    while True:
        end = _next_token(r, &i, low, high)
        if end < 0:
            return 0
        while at[0] < count and runs[2 * at[0] + 1] <= i:
            at[0] += 1
        keep = at[0] == count or i < runs[2 * at[0]]
        h = _memo_hash(r.kind, r.data, i, end)
        slot = memo._slot(r.kind, r.data, i, end, h)
        number = memo.slots[slot] - 1
        if number < 0:
            number = memo._insert(slot, r.kind, r.data, i, end, h, MEMO_PENDING)
            new.append(text[i:end])
            if keep:
                memo._see(number, i, end)
        elif keep:
            value = memo.values[number]
            if value == MEMO_ACTING:
                acting.append((i, end))
            elif value == MEMO_PENDING:
                memo._see(number, i, end)
        memo.met[number] = memo.epoch
        i = end


cdef int _memo_run(TokenMemo memo, Py_ssize_t low, Py_ssize_t high, Reading *r,
                   list acting) except -1:
    """The whole text's reading of the run ``[low, high)`` (white space or an end of the
    text on each side): the spans of the tokens the pieces' reading met in this reading,
    acting or pending."""
    cdef Py_ssize_t i = low, end, number
    cdef uint8_t value
    while True:
        end = _next_token(r, &i, low, high)
        if end < 0:
            return 0
        number = memo.slots[memo._slot(r.kind, r.data, i, end,
                                       _memo_hash(r.kind, r.data, i, end))] - 1
        if number >= 0 and memo.met[number] == memo.epoch:
            value = memo.values[number]
            if value == MEMO_ACTING:
                acting.append((i, end))
            elif value == MEMO_PENDING:
                memo._see(number, i, end)
        i = end


cdef inline bint _joins(Reading *r, Py_ssize_t i, Py_ssize_t n) except -1:
    """Whether the character at ``i`` may carry a token of the whole text on: a letter, or an
    apostrophe the token reading takes (a letter after it, no clitic)."""
    cdef uint8_t c = _class_at(r, i)
    if c & NAME_LETTER:
        return True
    return (c & NAME_APOSTROPHE) != 0 and _letter_at(r, i + 1, n) and not _clitic(r, i + 1, n)


cdef bint _piece_end_agrees(Reading *r, Py_ssize_t start, Py_ssize_t n) except -1:
    """Whether a piece ending where a taken span starts (``0 < start < n``) is read as the
    whole text reads it: no token runs on across the edge (a letter or apostrophe before it,
    a word character or an apostrophe the reading takes after it: the piece's reading ends
    a token at the edge that the whole text's carries on, refuses or cuts at a clitic)."""
    return not ((_class_at(r, start - 1) & (NAME_LETTER | NAME_APOSTROPHE)) and (
        (_class_at(r, start) & NAME_WORD) or _joins(r, start, n)))


cdef bint _piece_start_agrees(Reading *r, Py_ssize_t end, Py_ssize_t n) except -1:
    """Whether a piece starting where a taken span ends (``0 < end < n``) is read as the
    whole text reads it: no letter after a word character or an apostrophe (the piece may
    start a token there that the whole text's reading does not, or a token runs across),
    and no apostrophe the reading takes after a letter or apostrophe."""
    cdef uint8_t before = _class_at(r, end - 1)
    if (_class_at(r, end) & NAME_LETTER) and (before & (NAME_WORD | NAME_APOSTROPHE)):
        return False
    return not ((before & (NAME_LETTER | NAME_APOSTROPHE)) and _joins(r, end, n))


# The evidence window of a candidate (``normalise.evidence.paragraph_window``, the reference:
# ``_PARAGRAPH_BREAK`` searched by the ``regex`` module) for the weighing's candidates, read
# here with the memo's chunk: two line breaks with spaces or tabs between them, or U+2029.

cdef inline bint _line_break(Py_UCS4 c) noexcept:
    """``\\r\\n`` aside, the line breaks of ``_PARAGRAPH_BREAK``."""
    return (c == 10 or c == 13 or c == 11 or c == 12 or c == 0x85 or c == 0x2028
            or c == 0x2029)


cdef Py_ssize_t _second_break(int kind, void *data, Py_ssize_t j, Py_ssize_t stop) noexcept:
    """``[ \\t]*(?:\\r\\n|[breaks])`` from ``j`` (the text read up to ``stop``): its end, or
    -1 (the spaces are greedy, and a line break is none of them, so giving some back never
    helps)."""
    cdef uint32_t c
    while j < stop:
        c = PyUnicode_READ(kind, data, j)
        if c != 32 and c != 9:
            break
        j += 1
    if j >= stop:
        return -1
    c = PyUnicode_READ(kind, data, j)
    if c == 13 and j + 1 < stop and <uint32_t>PyUnicode_READ(kind, data, j + 1) == 10:
        return j + 2
    return j + 1 if _line_break(c) else -1


cdef Py_ssize_t _break_at(int kind, void *data, Py_ssize_t i, Py_ssize_t stop) noexcept:
    """The end of the paragraph break the expression matches at ``i`` (read up to ``stop``),
    or -1: a first line end (``\\r\\n`` whole where it stands: the group is atomic, so a
    lone CR LF is one line end, not two), a second after spaces or tabs, or U+2029 alone."""
    cdef uint32_t c = PyUnicode_READ(kind, data, i)
    cdef Py_ssize_t k
    if _line_break(c):
        if c == 13 and i + 1 < stop and <uint32_t>PyUnicode_READ(kind, data, i + 1) == 10:
            return _second_break(kind, data, i + 2, stop)
        k = _second_break(kind, data, i + 1, stop)
        if k >= 0:
            return k
    if c == 0x2029:
        return i + 1
    return -1


def paragraph_window(str text, Py_ssize_t start, Py_ssize_t end, Py_ssize_t window):
    """:func:`normalise.evidence.paragraph_window`: ``window`` characters either side of
    ``[start, end)``, cut at the end of the last paragraph break before it (the breaks found
    one after another from the window's start, as ``finditer`` finds them) and at the start
    of the first after it."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = len(text), low, high, i, k, last = -1
    low = start - window if start - window > 0 else 0
    high = end + window if end + window < n else n
    i = low
    while i < start:
        k = _break_at(kind, data, i, start)
        if k >= 0:
            last = k
            i = k
        else:
            i += 1
    if last >= 0:
        low = last
    i = end
    while i < high:
        if _break_at(kind, data, i, high) >= 0:
            high = i
            break
        i += 1
    return low, high


# --- foreign tokens ---
# ``TokenScreen``'s proof for a token with a character outside ASCII (issues 15 and 17: Cyrillic,
# Greek and accented Latin text, where every capitalised word went to the Python decision and to
# wordfreq): that neither matcher can act on it whatever its English frequency. A key of the
# letters a-z is ranked as an ASCII token's is (``reaches``) at the score each matcher needs of
# a word English never uses (its English frequency only raises that score: both penalties are at
# least 0); any other key is idle when none of its look-up keys (``PhoneticMatcher._lookup_keys``,
# mirrored by ``probe_lookup_keys``) is in the index: the ranking then finds no form, so the
# decision has no candidate (no winner, no ambiguity), and the matcher for rare words, reading
# the same index, finds none either. A token the proof does not settle goes on to the Python
# path, as before.
#
# The key (``ForeignKeys.key``) is ``Romanisation.form_key``: the fold by the same calls
# (``str.lower``, ``str.translate``, ``unicodedata.normalize`` and ``combining``), then the
# rules in C (``SpellingRules``, which reads the characters 0-255) with each character past 255
# stood in for by a character 128-255 that every character class of every rule holds or not
# exactly as it holds the character itself (asked of ``re``), that no rule names (a literal, a
# needed letter, a replacement's text) and that the word does not hold: the rules read a
# character only through a literal, a class or a group's text again, so they do to the stand-in
# what they do to the character. A word they cannot hold so is keyed by the reference.

cdef extern from "Python.h":
    bint Py_UNICODE_ISALPHA(Py_UCS4)
    object PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)

cdef enum:
    FK_KNOWN = 0x30000  # code points below this have their ``combining`` kept in a table

# 0 not asked, 1 ``unicodedata.combining`` is not 0 (dropped by the fold), 2 it is 0
cdef uint8_t _combining_known[FK_KNOWN]

#: the rules' text (pattern, flags, replacement of each) -> their ``_ForeignRules`` or None,
#: made once per process
_FOREIGN_RULES = {}


class _ForeignRules:
    """What the stand-ins of a rule set are: the character classes of its rules (compiled
    ``re`` expressions of one character each, as ``_SpellingProgram`` makes them), the
    characters 0-255 no rule names, grouped by how the classes read them (``pools``, per
    ``signatures`` number), and a memo code point -> its signature's number."""

    def __init__(self, exprs, named):
        self.exprs = exprs
        self.signatures = {}
        self.pools = []
        self.signature_of = {}
        for c in range(128, 256):
            if c not in named:
                signature = self.signature(c)
                number = self.signatures.setdefault(signature, len(self.pools))
                if number == len(self.pools):
                    self.pools.append([])
                self.pools[number].append(c)

    def signature(self, letter):
        """Whether each class holds ``letter`` (a character, or its code point)."""
        if not isinstance(letter, str):
            letter = chr(letter)
        return tuple([expr.fullmatch(letter) is not None for expr in self.exprs])

    def number(self, str letter):
        """The signature number of ``letter`` (-1: no stand-in reads as it does), kept."""
        number = self.signature_of[letter] = self.signatures.get(self.signature(letter), -1)
        return number


def _foreign_rules(romanisation):
    """The ``_ForeignRules`` of ``romanisation``'s rules; None when a rule names a character
    past 255 (then no word is keyed here)."""
    import re

    text = tuple((r.pattern.pattern, r.pattern.flags, r.replace) for r in romanisation.rules)
    if text in _FOREIGN_RULES:
        return _FOREIGN_RULES[text]
    parser = _sk_parser()
    sources = {}
    named = set()
    for rule, (_sub, _replace, needed) in zip(romanisation.rules, romanisation._needing):
        program = _SpellingProgram(rule.pattern, parser)
        parsed = parser.parse(rule.pattern.pattern, rule.pattern.flags)
        program.state = parsed.state
        program.items(list(parsed), False, False)
        for source in program.class_numbers:
            sources[source, rule.pattern.flags] = True
        named.update(map(ord, rule.pattern.pattern + rule.replace))
        named.update(_literals(list(parsed), parser))
        if needed is not None:
            named.update(map(ord, needed))
    found = None
    if max(named, default=0) <= 255:
        found = _ForeignRules([re.compile(source, flags) for source, flags in sources], named)
    _FOREIGN_RULES[text] = found
    return found


def _literals(items, parser):
    """Every character a parsed expression names (literals, in classes too, and both ends of
    each range, with what lies between)."""
    found = set()
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and item[0] is parser.LITERAL:
            found.add(item[1])
        elif isinstance(item, tuple) and len(item) == 2 and item[0] is parser.RANGE:
            found.update(range(item[1][0], item[1][1] + 1))
        elif isinstance(item, (tuple, list)) or type(item).__name__ == "SubPattern":
            found.update(_literals(list(item), parser))
    return found


cdef class ForeignKeys:
    """``Romanisation.form_key`` of tokens outside ASCII in C (see the section's comment):
    ``key(token)``, None when not held here."""

    cdef object table, normalize, combining, rules_of
    cdef SpellingRules rules
    cdef dict signature_of  # character -> its signature's number (the process's memo)
    cdef list pools  # per signature number: the stand-ins (ints 128-255) of that signature
    cdef int16_t *numbers  # code point below FK_KNOWN -> its signature number + 1 (0: not asked)
    cdef uint8_t *mapped  # code point below FK_KNOWN -> 1 when the fold's table maps it
    cdef Py_ssize_t longest  # the longest text the table maps a character to

    def __cinit__(self):
        self.numbers = NULL
        self.mapped = NULL

    def __dealloc__(self):
        free(self.numbers)
        free(self.mapped)

    def __init__(self, romanisation, SpellingRules rules):
        import unicodedata

        self.table = romanisation._table
        self.normalize, self.combining = unicodedata.normalize, unicodedata.combining
        self.rules = rules
        self.rules_of = _foreign_rules(romanisation)
        if self.rules_of is not None:
            self.signature_of, self.pools = self.rules_of.signature_of, self.rules_of.pools
        self.mapped = <uint8_t *>calloc(FK_KNOWN, 1)
        if self.mapped == NULL:
            raise MemoryError()
        self.longest = 1
        for number, value in (<dict>self.table).items():
            if not isinstance(value, (str, int)) and value is not None:
                self.rules_of = None  # a table ``str.translate`` reads otherwise: not held
            elif isinstance(value, str) and len(value) > self.longest:
                self.longest = len(value)
            if 0 <= number < FK_KNOWN:
                self.mapped[number] = 1

    def __reduce__(self):
        raise TypeError("ForeignKeys is made afresh, never pickled")

    cdef bint is_combining(self, Py_UCS4 c) except -1:
        if c < FK_KNOWN:
            if _combining_known[c] == 0:
                _combining_known[c] = 1 if self.combining(chr(c)) else 2
            return _combining_known[c] == 1
        return self.combining(chr(c)) != 0

    cdef object fold(self, str token):
        """``Romanisation.fold``."""
        cdef Py_ssize_t n, i, m = 0
        cdef int kind
        cdef void *data
        cdef Py_UCS4 c
        cdef Py_UCS4 *out
        text = self.translated(token.lower())
        if (<str>text).isascii():
            return text
        text = self.normalize("NFKD", text)
        n = len(<str>text)
        kind, data = PyUnicode_KIND(text), PyUnicode_DATA(text)
        out = <Py_UCS4 *>malloc(max(1, n) * sizeof(Py_UCS4))
        if out == NULL:
            raise MemoryError()
        try:
            for i in range(n):
                c = PyUnicode_READ(kind, data, i)
                if c < 128 or not self.is_combining(c):
                    out[m] = c
                    m += 1
            return PyUnicode_FromKindAndData(4, out, m)
        finally:
            free(out)

    cdef object translated(self, str text):
        """``text.translate(self.table)``: a character the table does not map is copied
        (``str.translate`` looks each up in the dict, a raised KeyError each)."""
        cdef Py_ssize_t n = len(text), i, m = 0, j, k
        cdef int kind = PyUnicode_KIND(text)
        cdef void *data = PyUnicode_DATA(text)
        cdef Py_UCS4 c
        cdef Py_UCS4 *out
        cdef bint changed = False
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c >= FK_KNOWN or self.mapped[c]:
                changed = True
                break
        if not changed:
            return text
        out = <Py_UCS4 *>malloc(max(1, n * self.longest) * sizeof(Py_UCS4))
        if out == NULL:
            raise MemoryError()
        try:
            for i in range(n):
                c = PyUnicode_READ(kind, data, i)
                if c < FK_KNOWN and not self.mapped[c]:
                    out[m] = c
                    m += 1
                    continue
                value = (<dict>self.table).get(<long>c, self)  # self: not in the table
                if value is self:
                    out[m] = c
                    m += 1
                elif value is None:
                    pass
                elif isinstance(value, int):
                    out[m] = <Py_UCS4>value
                    m += 1
                else:
                    k = len(<str>value)
                    for j in range(k):
                        out[m] = PyUnicode_READ(PyUnicode_KIND(value), PyUnicode_DATA(value), j)
                        m += 1
            return PyUnicode_FromKindAndData(4, out, m)
        finally:
            free(out)

    def key(self, str token):
        """``Romanisation.form_key(token)``, or None when not held here (a fold that is not
        one word of letters, a word longer than the rules read, more distinct characters
        past 255 of one kind than there are stand-ins)."""
        cdef uint8_t word[SK_WORD_CHARS + 1]
        cdef uint8_t out[SK_WORD_CHARS + 1]
        cdef Py_UCS4 stood[256]  # stand-in -> the character it stands for (0: none)
        cdef Py_UCS4 result[SK_WORD_CHARS + 1]
        cdef uint8_t present[256]
        cdef uint8_t used[128]  # the stand-ins taken, in order
        cdef Py_ssize_t n, i, k, j, n_used = 0, number
        cdef int kind
        cdef void *data
        cdef Py_UCS4 c
        cdef int b
        if self.rules_of is None:
            return None
        if self.numbers == NULL:
            self.numbers = <int16_t *>calloc(FK_KNOWN, sizeof(int16_t))
            if self.numbers == NULL:
                raise MemoryError()
        folded = self.fold(token)
        n = len(<str>folded)
        if n > SK_WORD_CHARS or not (<str>folded).isalpha():
            return None  # ``Romanisation.words`` reads it otherwise
        kind, data = PyUnicode_KIND(folded), PyUnicode_DATA(folded)
        memset(present, 0, sizeof(present))
        memset(stood, 0, sizeof(stood))
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c <= 255:
                present[c] = 1
        for i in range(n):
            c = PyUnicode_READ(kind, data, i)
            if c <= 255:
                word[i] = <uint8_t>c
                continue
            b = -1
            for j in range(n_used):
                if stood[used[j]] == c:
                    b = used[j]
                    break
            if b < 0:
                if c < FK_KNOWN and self.numbers[c] != 0:
                    number = self.numbers[c] - 1
                else:
                    held = self.signature_of.get(c)
                    number = self.rules_of.number(c) if held is None else held
                    if c < FK_KNOWN:
                        self.numbers[c] = <int16_t>(number + 1)
                if number < 0:
                    return None  # no character 128-255 is read as this one is
                for candidate in <list>self.pools[number]:
                    j = <Py_ssize_t>candidate
                    if not present[j] and stood[j] == 0:
                        b = <int>j
                        break
                if b < 0:
                    return None
                stood[b] = c
                used[n_used] = <uint8_t>b
                n_used += 1
            word[i] = <uint8_t>b
        k = self.rules.key_of(word, n, out)
        if k < 0:
            return None
        for i in range(k):
            c = stood[out[i]] if out[i] >= 128 else 0
            result[i] = c if c != 0 else out[i]
        return PyUnicode_FromKindAndData(4, result, k)


cdef inline bint _probed(TokenScreen screen, str key, list made) except -1:
    """Whether ``key`` is in the screen's index (its dict, or its table of every key); with
    ``made`` (the tests), every key is kept there and none is found, so that all are made."""
    if made is not None:
        made.append(key)
        return False
    if screen.index is None:
        return screen.flat.find_chars(NULL, 0, PyUnicode_KIND(key), PyUnicode_DATA(key),
                                      len(key), -1) >= 0
    return PyDict_Contains(screen.index, key) == 1


cdef inline uint64_t _fk_hash(uint64_t h, Py_UCS4 c) noexcept:
    return (h ^ <uint64_t>c) * 1099511628211ULL


cdef uint64_t FK_OFFSET = 14695981039346656037ULL


cdef int _make_key_bits(TokenScreen screen) except -1:
    """A bit per hash (FNV-1a over the code points) of each key of the index with a character
    outside ASCII, about 16 bits a key: a look-up key whose bit is clear is not in the index
    (the look-up keys of a key outside ASCII are mostly outside ASCII too: no string is made
    for them, and the dict, far larger than a cache, is not read)."""
    cdef Py_ssize_t count = 0, bits = 1024, n, i
    cdef uint64_t h
    cdef int kind
    cdef void *data
    for key in screen.index:
        if not (<str>key).isascii():
            count += 1
    while bits < 16 * count:
        bits *= 2
    screen.key_bits = <uint64_t *>calloc(bits // 64, sizeof(uint64_t))
    if screen.key_bits == NULL:
        raise MemoryError()
    screen.key_mask = <uint64_t>(bits - 1)
    for key in screen.index:
        if (<str>key).isascii():
            continue
        kind, data, n = PyUnicode_KIND(key), PyUnicode_DATA(key), len(<str>key)
        h = FK_OFFSET
        for i in range(n):
            h = _fk_hash(h, PyUnicode_READ(kind, data, i))
        h &= screen.key_mask
        screen.key_bits[h >> 6] |= (<uint64_t>1) << (h & 63)
    return 0


cdef bint _probed_without(TokenScreen screen, str prefix, str text, Py_ssize_t skip,
                          list made) except -1:
    """Whether ``prefix + text`` without its character ``skip`` (-1: none) is in the index:
    a key outside ASCII is looked up only when its bit is set."""
    cdef Py_ssize_t n = len(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef uint64_t h = FK_OFFSET
    cdef Py_UCS4 c, most = 0
    if made is None and screen.index is None:  # the table of every key: no string made
        return screen.flat.find_chars(<const char *>PyUnicode_DATA(prefix), len(prefix), kind,
                                      data, n, skip) >= 0
    if made is None:
        for c in prefix:
            h = _fk_hash(h, c)
        for i in range(n):
            if i != skip:
                c = PyUnicode_READ(kind, data, i)
                if c > most:
                    most = c
                h = _fk_hash(h, c)
        h &= screen.key_mask
        if most >= 128 and not (screen.key_bits[h >> 6] >> (h & 63)) & 1:
            return False
    key = prefix + (text if skip < 0 else text[:skip] + text[skip + 1:])
    return _probed(screen, key, made)


cdef bint _ascii_map(dict table, int32_t *into) except -1:
    """``into[c]``: what ``str.translate(table)`` makes of each ASCII character (its code
    point, -1 deleted); False when the table maps a character outside ASCII or to more than
    one character (then ``str.translate`` is called)."""
    cdef int c
    for c in range(128):
        into[c] = c
    for number, value in table.items():
        if not isinstance(number, int) or not 0 <= number < 128:
            return False
        if value is None or value == "":
            into[<int>number] = -1
        elif isinstance(value, str) and len(value) == 1:
            into[<int>number] = ord(value)
        elif isinstance(value, int) and 0 <= value < 0x110000:
            into[<int>number] = <int32_t>value
        else:
            return False
    return True


cdef inline Py_ssize_t _mapped(const int32_t *of, const Py_UCS4 *src, Py_ssize_t n,
                               Py_UCS4 *dst) noexcept:
    """``str.translate`` by a table of ASCII characters (``_ascii_map``)."""
    cdef Py_ssize_t i, m = 0
    cdef int32_t v
    for i in range(n):
        if src[i] < 128:
            v = of[src[i]]
            if v >= 0:
                dst[m] = <Py_UCS4>v
                m += 1
        else:
            dst[m] = src[i]
            m += 1
    return m


cdef bint _probed_codes(TokenScreen screen, uint64_t h, const Py_UCS4 *codes, Py_ssize_t n,
                        Py_ssize_t skip, str prefix, list made) except -1:
    """Whether ``prefix`` + ``codes[:n]`` without the character ``skip`` (-1: none) is in the
    index, ``h`` the hash of ``prefix``: a key outside ASCII is looked up only when its bit
    is set; a string is made only to look it up."""
    cdef Py_ssize_t i, m = 0
    cdef Py_UCS4 most = 0
    cdef Py_UCS4 buffer[2 * RANK_LETTERS + 8]
    if made is None and screen.index is None:  # the table of every key: no string made
        return screen.flat.find_chars(<const char *>PyUnicode_DATA(prefix), len(prefix), 4,
                                      codes, n, skip) >= 0
    if made is None and screen.key_bits != NULL:
        for i in range(n):
            if i != skip:
                if codes[i] > most:
                    most = codes[i]
                h = _fk_hash(h, codes[i])
        h &= screen.key_mask
        if most >= 128 and not (screen.key_bits[h >> 6] >> (h & 63)) & 1:
            return False
    for i in range(n):
        if i != skip:
            buffer[m] = codes[i]
            m += 1
    return _probed(screen, prefix + PyUnicode_FromKindAndData(4, buffer, m), made)


cdef int probe_lookup_keys(TokenScreen screen, str key, list made=None) except -1:
    """Whether any of ``PhoneticMatcher._lookup_keys(key)`` is in the index: the same keys,
    made by the same steps (``Costs.plain``, ``Romanisation.skeleton`` and ``coarse``,
    ``_deletions``, ``_coarse_keys``, ``jellyfish.metaphone``), in C on code points when the
    tables map only ASCII characters (else by ``_probe_lookup_strings``)."""
    cdef Py_ssize_t n = len(key), i, p, k, m
    cdef int kind = PyUnicode_KIND(key)
    cdef void *data = PyUnicode_DATA(key)
    cdef Py_UCS4 source[RANK_LETTERS * 2 + 8]
    cdef Py_UCS4 plain[RANK_LETTERS * 2 + 8]
    cdef Py_UCS4 skeleton[RANK_LETTERS * 2 + 8]
    cdef Py_UCS4 coarse[RANK_LETTERS * 2 + 8]
    cdef uint64_t with_c = _fk_hash(_fk_hash(FK_OFFSET, 99), 58)  # "c:"
    if screen.key_bits == NULL and screen.index is not None:
        # made once the keys probed would have cost about what reading the index costs
        # (a short text, or one with few such tokens, does not pay for it; the table of
        # every key needs none: its probe makes no string and reads no dict)
        screen.foreign_asked += 1
        if screen.foreign_asked * 64 >= len(screen.index):
            _make_key_bits(screen)
    if not screen.tables_held or n > RANK_LETTERS * 2:
        return _probe_lookup_strings(screen, key, made)
    for i in range(n):
        source[i] = PyUnicode_READ(kind, data, i)
    p = _mapped(screen.same_of, source, n, plain)
    k = 0
    if p:
        if plain[0] < 128 and screen.vowel[plain[0]]:
            skeleton[0] = 97  # "a"
            k = 1
        k += _mapped(screen.drop_of, plain, p, skeleton + k)
        if plain[p - 1] < 128 and screen.vowel[plain[p - 1]]:
            skeleton[k] = plain[p - 1]
            k += 1
    if _probed_codes(screen, FK_OFFSET, skeleton, k, -1, "", made):
        return 1
    for i in range(k):
        if _probed_codes(screen, FK_OFFSET, skeleton, k, i, "", made):
            return 1
    m = _mapped(screen.coarse_of, skeleton, k, coarse)
    k = 0
    for i in range(m):  # ``(.)\1+`` -> ``\1``: ``.`` is any character but a newline
        if k and coarse[i] == coarse[k - 1] and coarse[i] != 10:
            continue
        coarse[k] = coarse[i]
        k += 1
    if k >= 3:
        if _probed_codes(screen, with_c, coarse, k, -1, "c:", made):
            return 1
        if k >= 4:
            for i in range(k):
                if _probed_codes(screen, with_c, coarse, k, i, "c:", made):
                    return 1
    metaphone = screen.metaphone(PyUnicode_FromKindAndData(4, plain, p))
    if metaphone and _probed(screen, "m:" + metaphone, made):
        return 1
    return 0


cdef int _probe_lookup_strings(TokenScreen screen, str key, list made=None) except -1:
    """Whether any of ``PhoneticMatcher._lookup_keys(key)`` is in the index: the same keys,
    made by the same steps (``Costs.plain``, ``Romanisation.skeleton`` and ``coarse``,
    ``_deletions``, ``_coarse_keys``, ``jellyfish.metaphone``)."""
    cdef Py_ssize_t n, i, m
    cdef int kind
    cdef void *data
    cdef Py_UCS4 c, last = 0
    cdef Py_UCS4 *out
    if screen.key_bits == NULL and screen.index is not None:
        _make_key_bits(screen)  # (only tables of another shape come here)
    plain = key.translate(screen.same)
    if plain:
        head = "a" if plain[:1] in screen.vowels else ""  # slices: one-character strings
        last_one = plain[len(plain) - 1:]  # (no negative index: wraparound is off here)
        tail = last_one if last_one in screen.vowels else ""
        skeleton = head + (<str>plain).translate(screen.drop_vowels) + tail
    else:
        skeleton = ""
    if _probed_without(screen, "", skeleton, -1, made):
        return 1
    n = len(<str>skeleton)
    for i in range(n):
        if _probed_without(screen, "", skeleton, i, made):
            return 1
    coarse = (<str>skeleton).translate(screen.coarse)
    n = len(<str>coarse)
    kind, data = PyUnicode_KIND(coarse), PyUnicode_DATA(coarse)
    out = <Py_UCS4 *>malloc(max(1, n) * sizeof(Py_UCS4))
    if out == NULL:
        raise MemoryError()
    m = 0
    try:
        for i in range(n):  # ``(.)\1+`` -> ``\1``: ``.`` is any character but a newline
            c = PyUnicode_READ(kind, data, i)
            if m and c == last and c != 10:
                continue
            out[m] = c
            last = c
            m += 1
        coarse = PyUnicode_FromKindAndData(4, out, m)
    finally:
        free(out)
    if m >= 3:
        if _probed_without(screen, "c:", coarse, -1, made):
            return 1
        if m >= 4:
            for i in range(m):
                if _probed_without(screen, "c:", coarse, i, made):
                    return 1
    metaphone = screen.metaphone(plain)
    if metaphone and _probed(screen, "m:" + metaphone, made):
        return 1
    return 0


cdef int foreign_idle(TokenScreen screen, str token) except -2:
    """1 when no decision of either matcher on ``token`` can act (``wanted_in_full`` is False
    whatever the token's English frequency); -1 when not proved here (the caller asks the
    reference)."""
    cdef Py_ssize_t n = len(token), letters = 0, i, k
    cdef int kind = PyUnicode_KIND(token)
    cdef void *data = PyUnicode_DATA(token)
    cdef uint8_t codes[RANK_LETTERS]
    cdef int found
    if n > screen.max_chars:
        return 1  # refused by the gate, and never ranked
    for i in range(n):
        if Py_UNICODE_ISALPHA(PyUnicode_READ(kind, data, i)):
            letters += 1  # ``_letters``: str.isalpha of each character
    if screen.foreign_keys is None:
        screen.foreign_keys = ForeignKeys(screen.romanisation, screen.rules)
    key = (<ForeignKeys>screen.foreign_keys).key(token)
    if key is None:
        key = screen.form_key(token)
    k = len(<str>key)
    if 0 < k and letter_codes(<str>key, codes):
        found = screen.reaches(screen.ranker, <str>key, codes, k, required_of(
            screen.min_score, screen.penalty, screen.short_penalty, screen.short_letters,
            letters, 0.0))
        if found != 0:
            return -1
        if screen.has_rare:
            found = screen.reaches(screen.rare_ranker, <str>key, codes, k, required_of(
                screen.rare_min_score, screen.rare_penalty, screen.short_penalty,
                screen.short_letters, letters, 0.0))
            if found != 0:
                return -1
        return 1
    return -1 if probe_lookup_keys(screen, <str>key) else 1


def foreign_screen_idle(TokenScreen screen, str token):
    """``foreign_idle`` (for the tests): True when proved idle, None when not proved; a
    ValueError for a token of ASCII only (never asked of it)."""
    if token.isascii() or not screen.foreign:
        raise ValueError("an ASCII token, or a screen that does not hold other tokens")
    return True if foreign_idle(screen, token) == 1 else None


def foreign_key(TokenScreen screen, str token):
    """``ForeignKeys.key`` of the screen (for the tests)."""
    if screen.foreign_keys is None:
        screen.foreign_keys = ForeignKeys(screen.romanisation, screen.rules)
    return (<ForeignKeys>screen.foreign_keys).key(token)


def lookup_keys_found(TokenScreen screen, str key):
    """``probe_lookup_keys`` (for the tests)."""
    return probe_lookup_keys(screen, key) == 1


def lookup_keys_made(TokenScreen screen, str key, bint strings=False):
    """Every key ``probe_lookup_keys`` (``strings``: ``_probe_lookup_strings``, its way for
    tables it cannot read as code points) would look up, as a set (for the tests)."""
    cdef list made = []
    if strings:
        _probe_lookup_strings(screen, key, made)
    else:
        probe_lookup_keys(screen, key, made)
    return set(made)


# ---------------------------------------------------------------------------------------------
# The gazetteer's name lines (``normalise.gazetteer``): the regions of the place entries a
# candidate's evidence reads bisect them, thousands of times a text at 100,000 variants.


cdef class NameLines:
    """``Gazetteer._numbers`` in C: the sorted name lines (``folded name<TAB>numbers\\n``)
    bisected by ``memcmp``, without a bytes slice per step. Holds the gazetteer's block and
    its array of line starts (an ``array('I')``, the block's end last)."""

    cdef bytes names
    cdef const uint32_t[::1] starts
    cdef Py_ssize_t lines

    def __init__(self, bytes names, starts):
        self.names = names
        self.starts = starts
        self.lines = self.starts.shape[0] - 1
        if self.lines < 0 or self.starts[self.lines] > len(names):
            raise ValueError("line starts that do not fit the name lines")

    cdef Py_ssize_t tab_after(self, Py_ssize_t start) except -1:
        """Where the first tab at or after ``start`` is (``bytes.index``: ValueError when
        none)."""
        cdef const char *data = PyBytes_AS_STRING(self.names)
        cdef const char *tab = <const char *>memchr(data + start, 9, len(self.names) - start)
        if tab == NULL:
            raise ValueError("subsection not found")
        return tab - data

    def numbers(self, bytes key):
        """The numbers of the cities the folded name ``key`` names (``Gazetteer._numbers``)."""
        cdef const char *data = PyBytes_AS_STRING(self.names)
        cdef const char *wanted = PyBytes_AS_STRING(key)
        cdef Py_ssize_t size = len(key), lo = 0, hi = self.lines, mid, start, tab, length
        cdef int order
        while lo < hi:
            mid = (lo + hi) // 2
            start = self.starts[mid]
            length = self.tab_after(start) - start
            order = memcmp(data + start, wanted, length if length < size else size)
            if order < 0 or (order == 0 and length < size):
                lo = mid + 1
            else:
                hi = mid
        if lo == self.lines:
            return []
        start = self.starts[lo]
        tab = self.tab_after(start)
        if tab - start != size or memcmp(data + start, wanted, size) != 0:
            return []
        return _line_numbers(self.names, tab + 1, <Py_ssize_t>self.starts[lo + 1] - 1)


cdef list _line_numbers(bytes names, Py_ssize_t start, Py_ssize_t end):
    """``[int(n) for n in names[start:end].split(b",")]``, read in C when every number is
    1 to 18 digits; any other field is read by that expression."""
    cdef const char *data = PyBytes_AS_STRING(names)
    cdef list out = []
    cdef Py_ssize_t i, digits = 0
    cdef long long value = 0
    cdef char c
    if start >= end:
        return [int(n) for n in names[start:end].split(b",")]
    for i in range(start, end + 1):
        c = data[i] if i < end else 44
        if 48 <= c <= 57 and digits < 18:
            value = value * 10 + (c - 48)
            digits += 1
        elif c == 44 and digits > 0:
            out.append(value)
            value, digits = 0, 0
        else:
            return [int(n) for n in names[start:end].split(b",")]
    return out


# --- evidence ---
# ``Weighing.mark_evidence`` in C (issues 15 and 17: dense text, thousands of table hits a chunk
# and a few hundred candidates a run): the evidence hits read from the candidates' windows
# (``evidence_spans``) and ``evidence.weigh_evidence``'s fixed point (``weigh_evidence``). The
# Python functions stay the reference (and the Python core's); the same spans, the same codes.

cdef inline bint _before_separator(Py_UCS4 c) noexcept nogil:
    """``[ \\-\\u00a0]`` of ``evidence._WORD_BEFORE``."""
    return c == 0x20 or c == 0x2D or c == 0xA0


cdef inline bint _before_word_char(Reading *r, Py_ssize_t i) except -1:
    """``[\\p{L}\\p{M}'’ʼʻ.]`` of ``evidence._WORD_BEFORE`` (the letters and marks as the
    token finder's classes read them, from the expression engine)."""
    cdef Py_UCS4 c = PyUnicode_READ(r.kind, r.data, i)
    if c == 0x27 or c == 0x2019 or c == 0x2BC or c == 0x2BB or c == 0x2E:
        return True
    return (_class_at(r, i) & NAME_LETTER) != 0


def word_before(str text, Py_ssize_t pos, Py_ssize_t endpos, uint8_t[::1] classes, classify):
    """``_WORD_BEFORE.search(text, pos, endpos).span(1)`` of :mod:`normalise.evidence`
    (``([\\p{L}\\p{M}'’ʼʻ.]+)[ \\-\\u00a0]$``), or None: the word before a space, hyphen or
    no-break space that ends the searched part (``$``: at ``endpos``, or before a newline
    there). The separators are none of the word's characters, so only the run of word
    characters right before the last separator can match, and the leftmost match is its
    first character (not before ``pos``)."""
    cdef Reading r = _reading(text, classes, classify)
    cdef Py_ssize_t n = len(text), last, first
    # the bounds read as the expression engine reads them: as a slice's
    if pos < 0:
        pos = pos + n if pos + n > 0 else 0
    if endpos < 0:
        endpos = endpos + n if endpos + n > 0 else 0
    if endpos > n:
        endpos = n
    if endpos - pos < 2:
        return None
    if _before_separator(PyUnicode_READ(r.kind, r.data, endpos - 1)):
        last = endpos - 1
    elif (PyUnicode_READ(r.kind, r.data, endpos - 1) == 0x0A and endpos - pos >= 3
          and _before_separator(PyUnicode_READ(r.kind, r.data, endpos - 2))):
        last = endpos - 2
    else:
        return None
    first = last
    while first > pos and _before_word_char(&r, first - 1):
        first -= 1
    if first == last:
        return None
    return first, last


cdef inline Py_ssize_t _hit_field(object hits, Py_ssize_t i, int field) except? -1:
    """The start (``field`` 0) or end (1) of hit ``i`` of ``hits``: ``HitRecords`` (read from
    its buffer, no record made) or a list of ``(start, end, entry)`` tuples."""
    if type(hits) is HitRecords:
        return (<HitRecords>hits).buffer.at[3 * i + field]
    return <Py_ssize_t><object>PyTuple_GET_ITEM(<tuple>(<list>hits)[i], field)


cdef Py_ssize_t _first_start_at(object hits, Py_ssize_t low, Py_ssize_t lo,
                                Py_ssize_t hi) except -1:
    """``bisect_left(hits, low, lo, hi, key=start)``."""
    cdef Py_ssize_t mid
    while lo < hi:
        mid = (lo + hi) // 2
        if _hit_field(hits, mid, 0) < low:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef Py_ssize_t _hits_within(object hits, Py_ssize_t low, Py_ssize_t high,
                             Py_ssize_t *first) except -1:
    """``HitWindow.within(low, high)`` of ``hits`` (sorted by start, none overlapping) as the
    range ``[first, returned)`` of their numbers."""
    cdef Py_ssize_t n = len(hits), last
    if type(hits) is not HitRecords and type(hits) is not list:
        raise TypeError("hits must be HitRecords or a list of (start, end, entry) tuples")
    first[0] = _first_start_at(hits, low, 0, n)
    last = _first_start_at(hits, high + 1, first[0], n)
    while last > first[0] and _hit_field(hits, last - 1, 1) > high:
        last -= 1  # ends are sorted: only the last can end past ``high``
    return last


def hits_within(hits, Py_ssize_t low, Py_ssize_t high):
    """``HitWindow.within``: the hits of ``hits`` (``HitRecords`` of ``TableHit`` records, or
    a list of ``(start, end, entry)`` tuples; sorted by start, none overlapping) with
    ``low <= start`` and ``end <= high``, in order; only those are made records."""
    cdef Py_ssize_t first, last
    if type(hits) is HitRecords and (<HitRecords>hits).entries is None:
        raise TypeError("hits_within reads TableHit records, not Span records")
    last = _hits_within(hits, low, high, &first)
    if type(hits) is HitRecords:
        return [(<HitRecords>hits)._record(i) for i in range(first, last)]
    return (<list>hits)[first:last]


def canonicals_within(hits, Py_ssize_t low, Py_ssize_t high):
    """The set of the canonical forms of the entries of ``hits_within(hits, low, high)``,
    read without making the records."""
    cdef Py_ssize_t first, last, i
    cdef set found = set()
    cdef list entries = None
    if type(hits) is HitRecords:
        entries = (<HitRecords>hits).entries
        if entries is None:
            raise TypeError("canonicals_within reads TableHit records, not Span records")
    last = _hits_within(hits, low, high, &first)
    for i in range(first, last):
        if entries is not None:
            entry = entries[(<HitRecords>hits).buffer.at[3 * i + 2]]
        else:
            entry = <object>PyTuple_GET_ITEM(<tuple>(<list>hits)[i], 2)
        found.add(entry.canonical)
    return found


def evidence_spans(hits, list windows, Py_ssize_t shift, kinds, dict regions, region_of):
    """``(start + shift, end + shift, kind, region)`` of each hit of ``hits`` (as
    ``hits_within`` reads them) within one of ``windows`` (disjoint ``(low, high)`` in order,
    ``shift`` added) whose entry's kind is in ``kinds``, in order; the region of a place from
    ``regions`` (by canonical form), else ``region_of(entry)``, None for any other kind: what
    ``Weighing.evidence_spans`` collects."""
    cdef list spans = []
    cdef list entries = None
    cdef Py_ssize_t first, last, i
    if type(hits) is HitRecords:
        entries = (<HitRecords>hits).entries
        if entries is None:
            raise TypeError("evidence_spans reads TableHit records, not Span records")
    for window in windows:
        last = _hits_within(hits, <Py_ssize_t>window[0] - shift, <Py_ssize_t>window[1] - shift,
                            &first)
        for i in range(first, last):
            if entries is not None:
                entry = entries[(<HitRecords>hits).buffer.at[3 * i + 2]]
            else:
                entry = <object>PyTuple_GET_ITEM(<tuple>(<list>hits)[i], 2)
            kind = entry.kind
            if kind not in kinds:
                continue
            if kind != "place":
                region = None
            else:
                region = regions.get(entry.canonical, regions)  # ``regions``: not cached
                if region is regions:
                    region = region_of(entry)
            spans.append((_hit_field(hits, i, 0) + shift, _hit_field(hits, i, 1) + shift, kind,
                          region))
    return spans


cdef struct EvidenceSpan:
    Py_ssize_t start, end
    PyObject *region  # borrowed from the caller's spans or candidates (alive for the call)


cdef int _span_order(const void *a, const void *b) noexcept nogil:
    cdef const EvidenceSpan *x = <const EvidenceSpan *>a
    cdef const EvidenceSpan *y = <const EvidenceSpan *>b
    if x.start != y.start:
        return -1 if x.start < y.start else 1
    if x.end != y.end:
        return -1 if x.end < y.end else 1
    return 0


cdef Py_ssize_t _first_from(EvidenceSpan *spans, Py_ssize_t n, Py_ssize_t low) noexcept nogil:
    """The first of ``spans`` (sorted by start) starting at or after ``low``."""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid].start < low:
            lo = mid + 1
        else:
            hi = mid
    return lo


cdef object _held_code_of(EvidenceSpan *places, Py_ssize_t n_places, EvidenceSpan *others,
                          Py_ssize_t n_others, Py_ssize_t low, Py_ssize_t high, bint place,
                          object region):
    """``evidence._held_code`` of a candidate with the window ``[low, high]`` (``place``: its
    entry's kind is a place; ``region``: its entry's region)."""
    cdef Py_ssize_t j = _first_from(places, n_places, low)
    cdef bint near = False, counts = not place or region is None
    while j < n_places and places[j].start < high:
        if places[j].end <= high:
            near = True
            if not counts:
                counts = places[j].region == NULL or <object>places[j].region is None or (
                    <object>places[j].region == region)
        j += 1
    if near:
        return None if counts else "other-region"
    j = _first_from(others, n_others, low)
    while j < n_others and others[j].start < high:
        if others[j].end <= high:
            return "person-only" if place else None
        j += 1
    return "no-evidence"


def weigh_evidence(list spans, list candidates, list windows, place_kinds, evidence_kinds):
    """``evidence.weigh_evidence(whole, spans, candidates, window, windows)`` with the
    candidates' ``windows`` given: each candidate's ``held`` code, to the same fixed point (a
    candidate applied on evidence is evidence in turn). ``place_kinds``, ``evidence_kinds``:
    ``PLACE_EVIDENCE_KINDS``, ``EVIDENCE_KINDS``. A span is near a window ``[low, high]`` when
    ``low <= start < high`` and ``end <= high``, whatever the order of equal starts."""
    cdef Py_ssize_t n = len(candidates), n_places = 0, n_others = 0, size = len(spans) + n
    cdef Py_ssize_t i, k, n_waiting = n, n_found
    cdef EvidenceSpan *places = <EvidenceSpan *>malloc((size + 1) * sizeof(EvidenceSpan))
    cdef EvidenceSpan *others = <EvidenceSpan *>malloc((size + 1) * sizeof(EvidenceSpan))
    cdef Py_ssize_t *waiting = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t *found = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
    cdef list held = ["no-evidence"] * n
    cdef tuple span, cand, window
    cdef bint changed = True
    if places == NULL or others == NULL or waiting == NULL or found == NULL:
        _free_all(places, others, waiting, found)
        raise MemoryError()
    try:
        for span in spans:
            if <object>PyTuple_GET_ITEM(span, 2) in place_kinds:
                places[n_places].start = <Py_ssize_t><object>PyTuple_GET_ITEM(span, 0)
                places[n_places].end = <Py_ssize_t><object>PyTuple_GET_ITEM(span, 1)
                places[n_places].region = PyTuple_GET_ITEM(span, 3)
                n_places += 1
            else:
                others[n_others].start = <Py_ssize_t><object>PyTuple_GET_ITEM(span, 0)
                others[n_others].end = <Py_ssize_t><object>PyTuple_GET_ITEM(span, 1)
                others[n_others].region = NULL
                n_others += 1
        sort_spans(places, n_places, sizeof(EvidenceSpan), _span_order)
        sort_spans(others, n_others, sizeof(EvidenceSpan), _span_order)
        for i in range(n):
            waiting[i] = i
        while n_waiting and changed:
            n_found = 0
            for k in range(n_waiting):
                i = waiting[k]
                cand = <tuple>candidates[i]
                window = <tuple>windows[i]
                code = _held_code_of(
                    places, n_places, others, n_others, <Py_ssize_t>window[0],
                    <Py_ssize_t>window[1], <object>PyTuple_GET_ITEM(cand, 2) == "place",
                    <object>PyTuple_GET_ITEM(cand, 3))
                held[i] = code
                if code is None:
                    found[n_found] = i
                    n_found += 1
            changed = False
            k = 0
            for i in range(n_waiting):  # the found ones leave, the others keep their order
                if _holds(found, n_found, waiting[i]):
                    continue
                waiting[k] = waiting[i]
                k += 1
            n_waiting = k
            for k in range(n_found):
                cand = <tuple>candidates[found[k]]
                kind = <object>PyTuple_GET_ITEM(cand, 2)
                if kind not in evidence_kinds:
                    continue
                changed = True
                if kind in place_kinds:
                    places[n_places].start = <Py_ssize_t><object>PyTuple_GET_ITEM(cand, 0)
                    places[n_places].end = <Py_ssize_t><object>PyTuple_GET_ITEM(cand, 1)
                    places[n_places].region = (PyTuple_GET_ITEM(cand, 3) if kind == "place"
                                               else NULL)
                    n_places += 1
                else:
                    others[n_others].start = <Py_ssize_t><object>PyTuple_GET_ITEM(cand, 0)
                    others[n_others].end = <Py_ssize_t><object>PyTuple_GET_ITEM(cand, 1)
                    others[n_others].region = NULL
                    n_others += 1
            if changed:
                sort_spans(places, n_places, sizeof(EvidenceSpan), _span_order)
                sort_spans(others, n_others, sizeof(EvidenceSpan), _span_order)
    finally:
        _free_all(places, others, waiting, found)
    return held


cdef inline void _free_all(EvidenceSpan *places, EvidenceSpan *others, Py_ssize_t *waiting,
                           Py_ssize_t *found) noexcept nogil:
    free(places)
    free(others)
    free(waiting)
    free(found)


cdef inline bint _holds(Py_ssize_t *found, Py_ssize_t n, Py_ssize_t i) noexcept nogil:
    """Whether ``i`` is among the ``n`` of ``found`` (in increasing order: a bisection)."""
    cdef Py_ssize_t lo = 0, hi = n, mid
    while lo < hi:
        mid = (lo + hi) // 2
        if found[mid] < i:
            lo = mid + 1
        else:
            hi = mid
    return lo < n and found[lo] == i
