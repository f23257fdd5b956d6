"""The garbage collector paused while the package is imported (imported first by
``normalise/__init__.py``, which calls :func:`done` after its imports), and modules loaded
only when first used (:func:`lazy`).

Why: importing the package makes tens of thousands of objects (modules, functions, classes,
compiled patterns) that all stay reachable, so the collections they trigger free nothing;
they were 3 ms of the 50 ms that ``import normalise`` takes, paid by every command.
"""

import gc
import importlib.util
import sys
from types import ModuleType

_collecting = gc.isenabled()
gc.disable()


def done() -> None:
    """Let the collector run again (if it ran before the import), without the collection
    that the import's objects would set off at once.

    Why: the collector counts the allocations made while it is paused, so the first one
    after :func:`gc.enable` starts a collection that walks every object the import made
    (1.6 ms of each start, and all of them stay). Frozen and unfrozen, they go straight to
    the oldest generation with the count reset, as if they had survived the collections
    they skipped; so do the caller's young objects, whose garbage waits for the next full
    collection. Where the caller froze objects (``gc.freeze`` before a fork), unfreezing
    would undo that: the collection runs as it would."""
    if _collecting:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def lazy(name: str) -> ModuleType:
    """Module ``name``, executed at the first use of one of its attributes (the standard
    library's :class:`importlib.util.LazyLoader`); already imported, the module itself.

    Why: PyYAML is read only where a table is built, not where the built table comes from
    the cache (each command's usual start), and importing it costs about 8 ms there."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return importlib.import_module(name)  # raises the usual ImportError
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
