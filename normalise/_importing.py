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
    """Let the collector run again (if it ran before the import)."""
    if _collecting:
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
