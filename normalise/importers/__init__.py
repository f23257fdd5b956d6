"""``normalise import SOURCE``: variant tables built from published data (GeoNames)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

SOURCES = ("geonames",)


def run_import(argv: Sequence[str]) -> int:
    """Dispatch ``normalise import SOURCE ...`` to the importer of SOURCE."""
    from ..cliargs import EXIT_OK, UsageError

    if not argv:
        raise UsageError("import: name a source: " + ", ".join(SOURCES))
    if argv[0] in ("-h", "--help"):
        print(
            "usage: normalise import SOURCE [OPTIONS]\n\nsources: "
            + ", ".join(SOURCES)
            + " (normalise import SOURCE --help)"
        )
        return EXIT_OK
    if argv[0] != "geonames":
        raise UsageError(f"import: unknown source {argv[0]!r} (sources: {', '.join(SOURCES)})")
    from .command import run_geonames

    return run_geonames(argv[1:], sys.stdout, sys.stderr)
