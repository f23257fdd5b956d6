"""normalise: map variant spellings of names and words to one canonical form, and say exactly
what changed, where and why.

    >>> from normalise import Normaliser, undo
    >>> n = Normaliser()
    >>> r = n.normalise("Taleban fighters entered Taliqan.")
    >>> r.text
    'Taliban fighters entered Taloqan.'
    >>> undo(r.text, r.substitutions)
    'Taleban fighters entered Taliqan.'
"""

from . import _importing  # first: the collector paused while the package is imported

try:
    from .errors import InputError, LogError, NormaliseError, TableError
    from .log import Substitution, undo
    from .options import Options
    from .rewrite import PHONETIC_MODES, Explanation, Normaliser, Result
    from .table import Entry, Problem, Table, bundled_tables, load_table, table_problems
finally:  # an import that fails must not leave the caller's process without a collector
    _importing.done()

__version__ = "0.1.0"

__all__ = [
    "PHONETIC_MODES",
    "Entry",
    "Explanation",
    "InputError",
    "LogError",
    "NormaliseError",
    "Normaliser",
    "Options",
    "Problem",
    "Result",
    "Substitution",
    "Table",
    "TableError",
    "__version__",
    "bundled_tables",
    "load_table",
    "table_problems",
    "undo",
]
