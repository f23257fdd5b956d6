"""The garbage collector paused while the package is imported (imported first by
``normalise/__init__.py``, which calls :func:`done` after its imports).

Why: importing the package makes tens of thousands of objects (modules, functions, classes,
compiled patterns) that all stay reachable, so the collections they trigger free nothing;
they were 3 ms of the 50 ms that ``import normalise`` takes, paid by every command.
"""

import gc

_collecting = gc.isenabled()
gc.disable()


def done() -> None:
    """Let the collector run again (if it ran before the import)."""
    if _collecting:
        gc.enable()
