"""Dask (issue 18): a corpus on a real LocalCluster of two workers gives the outputs and the
log of the command, byte for byte; bags and DataFrame columns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dask.bag as db
import dask.dataframe as dd
import distributed  # in the test extra: CI runs these tests, none skipped
import pandas as pd
import pytest

from normalise import Normaliser
from normalise.cli import main
from normalise.dask import expand, normalise_bag, normalise_column, run_corpus
from normalise.errors import InputError

FILES = {
    "a.txt": "Taleban fighters reached Taliqan.\nThe road to Qunduz was shut.\n",
    "b.txt": "Elders in Mazar-e-Sharif met.\r\nKondooz was quiet; Paris was not.\r\n",
    "sub/c.txt": "no final newline, Maymana",
    "sub/d.txt": "bad byte \xff here, then Taleban".encode("latin-1").decode("utf-8", "replace"),
    "empty.txt": "",
    "skip.md": "Taleban (not read: not *.txt)",
}


@pytest.fixture(scope="session")
def client():
    """One LocalCluster of two worker processes per test process (pytest-xdist may run these
    tests in two processes: then each starts its own)."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    (root / "sub" / "d.txt").write_bytes(b"bad byte \xff here, then Taleban\n")
    for i in range(12):  # enough files for several tasks
        (root / f"more{i:02d}.txt").write_text(f"Line {i}: Taleban and Qunduz.\n" * (i + 1))
    return root


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "normalise", *args], cwd=cwd, capture_output=True, check=False
    )


def _main(capsys, *args: str) -> tuple[int, bytes, str]:
    """The command in this process (much faster than a new one): status, stdout, stderr."""
    status = main(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_outputs_and_log_are_the_commands(client, corpus, tmp_path, monkeypatch, capsysbinary):
    n = Normaliser.cached()
    monkeypatch.chdir(tmp_path)  # relative paths, as given: the workers' own cwd is elsewhere
    result = run_corpus(["corpus"], "out", n, client=client)
    names = [job.source for job in result.jobs]
    assert names == sorted(names) and "corpus/skip.md" not in names and len(names) == 17
    assert _main(capsysbinary, *names, "--log", "cli.jsonl")[0] == 0
    assert result.log == (tmp_path / "cli.jsonl").read_bytes()
    assert b'"file": "corpus/sub/d.txt"' in result.log
    # The command writes the files one after the other: the outputs, in order, are its bytes.
    everything = _main(capsysbinary, *names)[1]
    assert b"".join(Path(job.target).read_bytes() for job in result.jobs) == everything
    for name in ("corpus/b.txt", "corpus/sub/d.txt"):  # CRLF; an undecodable byte
        target = tmp_path / "out" / Path(name).relative_to("corpus")
        assert target.read_bytes() == _main(capsysbinary, name)[1]
    assert result.invalid == {"corpus/sub/d.txt": 9}
    assert result.counts["Taliban"] == 1 + 1 + sum(range(1, 13))
    assert not list(tmp_path.glob("out/**/.*.tmp"))  # temporary files renamed or removed


def test_the_command_on_a_scheduler_address(client, corpus, tmp_path):
    address = client.scheduler.address
    run = _cli(
        "dask",
        "corpus",
        "-O",
        "out",
        "--log",
        "d.jsonl",
        "--scheduler",
        address,
        "--stats",
        "--glob",
        "*.txt",
        "--progress",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert b"100% Completed" in run.stderr and not run.stdout  # Dask's bar, on stderr
    assert b"corpus/sub/d.txt: invalid utf-8 at byte 9" in run.stderr
    assert b"Taliban" in run.stderr and b"total" in run.stderr
    names = sorted(str(p.relative_to(tmp_path)) for p in corpus.rglob("*.txt"))
    _cli(*names, "--log", "cli.jsonl", cwd=tmp_path)
    assert (tmp_path / "d.jsonl").read_bytes() == (tmp_path / "cli.jsonl").read_bytes()
    assert (tmp_path / "out" / "sub" / "c.txt").read_bytes() == b"no final newline, Maimana"


def test_the_command_errors_are_one_line(corpus, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert _main(capsys, "dask", "nowhere/", "-O", "out") == (
        2,
        "",
        "normalise: nowhere/: no such file\n",
    )
    status, _, err = _main(
        capsys, "dask", "corpus/a.txt", "corpus/more00.txt", "corpus/sub/../a.txt", "-O", "out"
    )
    assert status == 2 and err.count("\n") == 1 and "would be written to out/a.txt" in err
    status, _, err = _main(capsys, "dask", "corpus/*.csv", "-O", "out")
    assert status == 2 and "no file matches" in err
    status, _, err = _main(capsys, "dask", "corpus")
    assert status == 2 and "--out-dir" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_expand_globs_and_files(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    jobs = expand(["corpus/more0*.txt", "corpus/sub/c.txt"], "o")
    assert [j.target for j in jobs] == [f"o/more0{i}.txt" for i in range(10)] + ["o/c.txt"]
    with pytest.raises(InputError, match="overwrite the input"):
        expand(["corpus/a.txt"], "corpus")


def test_bag_and_dataframe_column(client):
    n = Normaliser()
    texts = ["Taleban in Taliqan", "plain", "Qunduz", ""] * 5
    bag = db.from_sequence(texts, npartitions=3)
    assert normalise_bag(bag, n).compute() == [n.normalise(t).text for t in texts]
    records = normalise_bag(bag, n, records=True).compute()
    assert records[0]["substitutions"][0]["original"] == "Taleban"
    frame = pd.DataFrame(
        {"body": ["Taleban", None, "Qunduz", "plain"] * 3, "k": range(12)},
        index=pd.Index(range(100, 112), name="doc"),
    )
    ddf = dd.from_pandas(frame, npartitions=3)
    out = normalise_column(ddf, "body", n).compute()
    assert out.index.equals(frame.index)
    assert out.iloc[0] == "Taliban" and pd.isna(out.iloc[1]) and out.iloc[2] == "Kunduz"
    log = normalise_column(ddf, "body", n, records=True).compute()
    assert list(log.columns)[:2] == ["doc", "original"]
    assert log["doc"].tolist() == [100, 102, 104, 106, 108, 110]


def test_a_file_the_workers_cannot_write_is_one_line(client, corpus, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    address = client.scheduler.address
    # Bytes that are no UTF-16 text (no BOM, odd length) pass through as the filter passes them.
    status, _, err = _main(
        capsys,
        "dask",
        "corpus/a.txt",
        "-O",
        "out",
        "--encoding",
        "utf-16",
        "--scheduler",
        address,
        "--log",
        "l.jsonl",
    )
    assert status == 0
    assert (tmp_path / "out" / "a.txt").read_bytes() == (tmp_path / "corpus" / "a.txt").read_bytes()
    status, _, err = _main(
        capsys, "corpus/a.txt", "--encoding", "utf-16", "--log", "f.jsonl", "-o", "f.txt"
    )
    assert status == 0
    assert (tmp_path / "l.jsonl").read_bytes() == (tmp_path / "f.jsonl").read_bytes()
    (tmp_path / "taken").write_text("a file, not a directory")
    status, _, err = _main(capsys, "dask", "corpus/a.txt", "-O", "taken", "--scheduler", address)
    assert status == 2 and err.startswith("normalise: taken/a.txt: cannot write: ")
