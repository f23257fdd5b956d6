"""Write the public-domain corpora that ``normalise suggest`` proposals were judged on.

    apt-get install bible-kjv sword-comm-mhcc sword-comm-scofield sword-comm-tdavid \
        sword-text-web diatheke
    python benchmarks/suggest_corpora.py DIR

DIR/kjv (King James Bible, one file per book), DIR/mhcc (Matthew Henry's Concise Commentary),
DIR/scofield (Scofield Reference Notes, 1917), DIR/tdavid (Spurgeon's Treasury of David, one
file per psalm), DIR/web (World English Bible: diatheke stops after Psalms) and DIR/web2 (its
Proverbs to the deuterocanonical books, read from Proverbs on). SWORD modules are read with ``diatheke``;
markup is removed and a commentary's text, repeated for each verse it covers, is kept once.
Then, for each: ``normalise suggest --no-default-table --limit 50 DIR/NAME``.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

_VERSE = re.compile(r"^((?:\d )?[A-Za-z ]+?) (\d+):(\d+): (.*)$")
_SECTION = re.compile(r"(?=Verses? \d+(?:-\d+)? )|(?=Chapter \d+ Chapter Outline)")
SWORD = {
    "mhcc": ("MHCC", "Genesis 1:1-Revelation 22:21", False),
    "scofield": ("Scofield", "Genesis 1:1-Revelation 22:21", False),
    "tdavid": ("TDavid", "Psalms 1:1-150:6", True),
    "web": ("engWEB2015eb", "Genesis 1:1-Revelation 22:21", False),
    "web2": ("engWEB2015eb", "Proverbs 1:1-Revelation 22:21", False),
}


def kjv(folder: Path) -> None:
    text = subprocess.run(
        ["bible", "-l0", "gen1:1-rev22:21"], capture_output=True, text=True, check=True
    ).stdout
    book, out = None, None
    count = 0
    for line in text.splitlines(keepends=True):
        heading = re.match(r"^(\S.*?) (\d+)$", line.rstrip("\n"))
        if heading and heading.group(1) != book:
            book = heading.group(1)
            if out:
                out.close()
            out = open(  # noqa: SIM115 (one file per book, closed at the next heading)
                folder / f"{count:02d}_{book.replace(' ', '_')}.txt",
                "w",
                encoding="utf-8",
            )
            count += 1
        if out:
            out.write(line)
    if out:
        out.close()


def sword(folder: Path, module: str, keys: str, by_chapter: bool) -> None:
    raw = subprocess.run(
        ["diatheke", "-b", module, "-k", keys], capture_output=True, check=False
    ).stdout.decode("utf-8", "replace")
    seen: set[str] = set()
    parts: dict[str, list[str]] = {}
    for line in raw.splitlines():
        verse = _VERSE.match(line)
        if not verse:
            continue
        text = re.sub(r"[ \t]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", verse.group(4))))
        name = f"psalm{int(verse.group(2)):03d}" if by_chapter else verse.group(1)
        for section in _SECTION.split(text.strip()):
            section = section.strip()
            if len(section) >= 20 and section not in seen:
                seen.add(section)
                parts.setdefault(name, []).append(section)
    for number, (name, sections) in enumerate(parts.items()):
        label = name if by_chapter else f"{number:02d}_{name.replace(' ', '_')}"
        (folder / f"{label}.txt").write_text("\n".join(sections) + "\n", encoding="utf-8")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(sys.argv[1])
    for name in ("kjv", *SWORD):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        if name == "kjv":
            kjv(folder)
        else:
            sword(folder, *SWORD[name])
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"{name}: {len(list(folder.iterdir()))} files, {size:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
