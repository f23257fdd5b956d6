"""The King James Bible, read from Debian's bible-kjv (the `bible` program): the text of the
dense workload (bench.py) and a source of old proper names (precision.py)."""

from __future__ import annotations

import shutil
import subprocess


def kjv_verses(script: str, without: str) -> list[str]:
    """The verses, without their references (Ge1:1); ``script`` and ``without`` name the
    caller and how to run it without the Bible in the message when `bible` is missing."""
    bible = shutil.which("bible")
    if bible is None:
        raise SystemExit(
            f"{script}: needs the `bible` program: apt-get install bible-kjv ({without})"
        )
    text = subprocess.run(
        [bible, "-f", "gen1:1-rev22:21"], capture_output=True, text=True, check=True
    ).stdout
    return [line.split(" ", 1)[1] for line in text.splitlines() if " " in line]
