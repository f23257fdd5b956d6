"""README.md's console examples are run, and their output compared with what the README shows.

Every ```console block of README.md is a transcript: lines starting with ``$ `` are commands,
the lines after each one its output (standard output and standard error together, as a
terminal shows them). Each block runs in a fresh directory holding a copy of the repository's
``seeds/``, with ``normalise`` on the PATH and the tests' cache of built tables; files a block
needs it makes itself (``cat > x <<'EOF'``) or takes from the commands before it.

What the comparison forgives is said here and nowhere else:

* a line ``...`` in the README stands for any number of output lines;
* the volatile parts in :data:`VOLATILE` (the review server's port and token, the block's
  directory) are replaced, in the output and in the README alike, before comparing.

An HTML comment on the line before a block changes how it is run:
``<!-- console: not run: WHY -->`` (a command that needs what no test has, such as a Dask
scheduler at some address: the block is still parsed, and every sub-command must keep at least
one example that runs) and ``<!-- console: server -->`` (the command serves until
interrupted: its output is read until the README's lines have come, then it gets SIGINT).

To bring the README up to date after a change of output, run from the repository root::

    python tests/test_readme_console.py --update

which rewrites the output of every block that no longer matches (a matching block, with its
``...`` lines, is left as written) and says which blocks it changed. Why not cog (which
sqlite-utils uses): cog fills a section from generator code kept in the README; here the
transcript itself is the source, commands and output side by side as a reader sees them, and
the one parser below both checks it and rewrites it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: Seconds one command may take (a Dask cluster or an import of GeoNames' cities included).
TIMEOUT = 300

#: (pattern, what it stands for) of parts of the output that differ from run to run.
VOLATILE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"http://127\.0\.0\.1:\d+/\?token=\S+"), "http://127.0.0.1:40215/?token=Jq3x..."),
]

_FENCE = re.compile(r"^```console\n(.*?)^```\n", re.S | re.M)
_DIRECTIVE = re.compile(r"<!-- console: (not run|server)\b[^>]*-->\n\Z")

#: The sub-commands (``normalise help`` lists them) and the filter itself: each must have an
#: example that runs.
SUBCOMMANDS = (
    "undo",
    "explain",
    "check",
    "suggest",
    "dask",
    "review",
    "report",
    "import",
    "export",
    "help",
)


@dataclass
class Command:
    line: str  # the command as written after "$ "
    output: list[str] = field(default_factory=list)


@dataclass
class Block:
    start: int  # offsets of the block's body in the README
    end: int
    line: int  # README line of the opening fence
    mode: str  # "run", "not run" or "server"
    commands: list[Command]

    @property
    def id(self) -> str:
        return f"README.md:{self.line}"


def parse(text: str) -> list[Block]:
    """Every console block of ``text``, in order."""
    blocks = []
    for match in _FENCE.finditer(text):
        directive = _DIRECTIVE.search(text, 0, match.start())
        mode = directive.group(1) if directive else "run"
        commands: list[Command] = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                commands.append(Command(line[2:]))
            elif commands:
                commands[-1].output.append(line)
            else:
                raise ValueError(
                    f"README.md:{text.count(chr(10), 0, match.start()) + 1}: "
                    "a console block must start with a '$ ' command"
                )
        blocks.append(
            Block(
                match.start(1),
                match.end(1),
                text.count("\n", 0, match.start()) + 1,
                mode,
                commands,
            )
        )
    return blocks


def stable(text: str, directory: str) -> str:
    """``text`` with its volatile parts replaced (:data:`VOLATILE`, the block's directory)."""
    text = text.replace(directory, ".")
    for pattern, stands_for in VOLATILE:
        text = pattern.sub(stands_for, text)
    return text


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the output lines fit the README's, ``...`` standing for any lines."""
    parts = [r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + r"\n" for line in expected]
    return re.fullmatch("".join(parts), "".join(line + "\n" for line in actual)) is not None


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "80"  # help text is wrapped to the terminal's width
    env.pop("CI", None)
    return env


def run_block(block: Block) -> list[list[str]]:
    """Run the block's commands in order in a fresh directory; each one's output lines."""
    directory = tempfile.mkdtemp(prefix="normalise-readme-")
    try:
        shutil.copytree(ROOT / "seeds", Path(directory) / "seeds")
        outputs = []
        for command in block.commands:
            if block.mode == "server":
                text = _serve(command, directory)
            else:
                proc = subprocess.run(
                    ["bash", "-c", command.line],
                    cwd=directory,
                    env=_environment(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    timeout=TIMEOUT,
                    check=False,
                )
                text = proc.stdout.decode("utf-8", "backslashreplace")
            outputs.append(stable(text, directory).splitlines())
        return outputs
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _serve(command: Command, directory: str) -> str:
    """The output of a command that serves until interrupted: read until as many lines as
    the README shows have come, then SIGINT, and the rest of its output."""
    proc = subprocess.Popen(
        ["bash", "-c", "exec " + command.line],
        cwd=directory,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    lines = []
    try:
        while len(lines) < len(command.output):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
    return b"".join([*lines, rest]).decode("utf-8", "backslashreplace")


BLOCKS = parse(README.read_text(encoding="utf-8"))


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.mode != "not run"], ids=lambda b: b.id)
def test_console_example(block):
    outputs = run_block(block)
    for command, output in zip(block.commands, outputs, strict=True):
        assert matches(command.output, output), (
            f"{block.id}: $ {command.line}\n--- README\n"
            + "\n".join(command.output)
            + "\n--- output\n"
            + "\n".join(output)
            + "\n(python tests/test_readme_console.py --update rewrites the README)"
        )


@pytest.mark.parametrize("name", ["filter", *SUBCOMMANDS])
def test_every_subcommand_has_an_example_that_runs(name):
    runs = [c.line for b in BLOCKS if b.mode != "not run" for c in b.commands]
    # the word after "normalise" where it starts a command of the line (the filter: none)
    words = [
        m.group(1) if m.group(1) in SUBCOMMANDS else "filter"
        for line in runs
        for m in re.finditer(r"(?:^|[|;&(]\s*)normalise(?: (\S+)|$)", line)
    ]
    assert name in words, f"no README console example runs normalise {name}"


def test_the_volatile_parts_are_replaced():
    assert stable("see http://127.0.0.1:5/?token=abc in /tmp/x/out", "/tmp/x") == (
        "see http://127.0.0.1:40215/?token=Jq3x... in ./out"
    )
    assert matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert matches(["a", "...", "z"], ["a", "z"])
    assert not matches(["a", "...", "z"], ["a", "b"])
    assert not matches(["a"], ["a", "b"])


def update() -> int:
    """Rewrite the output of every run block whose output no longer matches."""
    text = README.read_text(encoding="utf-8")
    changed = []
    for block in reversed(parse(text)):
        if block.mode == "not run":
            continue
        outputs = run_block(block)
        if all(matches(c.output, o) for c, o in zip(block.commands, outputs, strict=True)):
            continue
        body = "".join(
            "$ " + c.line + "\n" + "".join(line + "\n" for line in o)
            for c, o in zip(block.commands, outputs, strict=True)
        )
        text = text[: block.start] + body + text[block.end :]
        changed.append(block.id)
    README.write_text(text, encoding="utf-8")
    for name in reversed(changed):
        print(f"updated the block at {name}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_readme_console.py --update")
    sys.exit(update())
