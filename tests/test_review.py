"""``normalise review`` without a browser: the session (decisions, the table file, memory of
earlier reviews, paging) and the server's gates (loopback, token, host, write header)."""

from __future__ import annotations

import http.client
import json
import os

import pytest
import yaml

from normalise import cli
from normalise.check import check_tables
from normalise.review import ReviewError, ReviewServer, Session, build_session, items_from_logs
from normalise.review.session import Item, group_id

TEXTS = {
    "a.txt": "Elders of Zorbakhan met the governor of Qalbora.\n"
    "Traders from Merikhel sold wheat in Dostabad.\n",
    "b.txt": "Fighting was reported near Zurbakhan, close to Qalbora.\n"
    "Merikhil and Dostabad were quiet.\n",
    "c.txt": "In Zorbakhan the market reopened. Merikhel sent flour to Dostabad.\n",
}


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _session(tmp_path, corpus) -> Session:
    return build_session(
        str(tmp_path / "out.yaml"), [str(corpus)], default_table=False, cache=False
    )


def _item(session: Session, form: str) -> Item:
    return next(i for i in session.items if form in {s["form"] for s in i.spellings})


def test_accept_writes_a_table_that_passes_check(tmp_path, corpus):
    session = _session(tmp_path, corpus)
    session.decide(_item(session, "Zorbakhan").id, "accept")
    out = tmp_path / "out.yaml"
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["entries"] == [
        {"canonical": "Zorbakhan", "kind": "other", "variants": ["Zurbakhan"]}
    ]
    assert check_tables([str(out)]) == []
    assert cli.main(["check", str(out)]) == 0


def test_change_canonical_kind_and_ticked_forms(tmp_path, corpus):
    session = _session(tmp_path, corpus)
    item = _item(session, "Merikhel")
    session.decide(item.id, "accept", canonical="Merikhal", kind="place")
    data = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert data["entries"] == [
        {"canonical": "Merikhal", "kind": "place", "variants": ["Merikhel", "Merikhil"]}
    ]
    with pytest.raises(ReviewError):
        session.decide(item.id, "accept", kind="planet")


def test_english_word_variant_is_refused_and_nothing_written(tmp_path):
    out = tmp_path / "out.yaml"
    item = Item(
        group_id(["Zorbakhan", "Garden"]),
        "suggest",
        "new-entry",
        "Zorbakhan",
        [
            {"form": "Zorbakhan", "count": 3, "docs": 2, "score": None},
            {"form": "Garden", "count": 2, "docs": 1, "score": 0.9},
        ],
    )
    session = Session(str(out), [item], default_table=False)
    with pytest.raises(ReviewError, match="english-word"):
        session.decide(item.id, "accept")
    assert not out.exists()
    assert session.decisions == {}
    assert list(os.listdir(tmp_path)) == []  # no temporary file left behind


def test_second_review_shows_only_what_is_new(tmp_path, corpus):
    session = _session(tmp_path, corpus)
    session.decide(_item(session, "Zorbakhan").id, "accept")
    session.decide(_item(session, "Merikhel").id, "reject")
    again = _session(tmp_path, corpus)
    assert [i for i in again.items if i.id not in again.decisions] == []
    assert again.page()["pending"] == 0
    # A new document brings a new group, and only it is shown.
    (corpus / "d.txt").write_text(
        "Dostabad is near Gulbahar. Then Golbahar.\nGulbahar.\n", encoding="utf-8"
    )
    third = _session(tmp_path, corpus)
    assert [i.canonical for i in third.items if i.id not in third.decisions] == ["Gulbahar"]
    # The entries written stay, and the rejection is still remembered.
    third.decide(third.items[-1].id, "accept")
    data = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert [e["canonical"] for e in data["entries"]] == ["Zorbakhan", "Gulbahar"]
    assert "reject" in (tmp_path / "out.yaml").read_text(encoding="utf-8")


def test_undo_removes_the_entry(tmp_path, corpus):
    session = _session(tmp_path, corpus)
    item = _item(session, "Zorbakhan")
    session.decide(item.id, "accept")
    session.decide(item.id, "undo")
    data = yaml.safe_load((tmp_path / "out.yaml").read_text(encoding="utf-8"))
    assert data["entries"] == []
    assert session.status(item) == "pending"


def test_split_is_remembered(tmp_path, corpus):
    session = _session(tmp_path, corpus)
    item = _item(session, "Merikhel")
    parts = session.split(item.id, ["Merikhil"])
    assert [[s["form"] for s in p.spellings] for p in parts] == [["Merikhel"], ["Merikhil"]]
    with pytest.raises(ReviewError):
        session.split(parts[0].id, ["Merikhel"])  # all of it
    again = _session(tmp_path, corpus)
    assert sorted(len(i.spellings) for i in again.items) == [1, 1, 2]


def test_existing_table_content_is_kept(tmp_path, corpus):
    out = tmp_path / "out.yaml"
    out.write_text(
        "table: mine\nentries:\n  - canonical: Dostabad\n    kind: place\n"
        "    variants: [Dostobad]\nkeep: [Qalbura]\n",
        encoding="utf-8",
    )
    session = _session(tmp_path, corpus)
    session.decide(_item(session, "Zorbakhan").id, "accept")
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["table"] == "mine"
    assert [e["canonical"] for e in data["entries"]] == ["Dostabad", "Zorbakhan"]
    assert data["keep"] == ["Qalbura"]


def test_log_records_grouped_with_contexts(tmp_path):
    text = "Refugees reached Kondooz.\nOthers left Kondooz and Taleqan.\n"
    source = tmp_path / "in.txt"
    source.write_text(text, encoding="utf-8")
    log = tmp_path / "run.jsonl"
    assert cli.main(["--log", str(log), "-o", str(tmp_path / "out.txt"), str(source)]) == 0
    items = items_from_logs([str(log)])
    kondooz = next(i for i in items if i.spellings[0]["form"] == "Kondooz")
    assert kondooz.canonical == "Kunduz" and kondooz.rule == "phonetic"
    assert kondooz.count == 2 and kondooz.score is not None
    assert [c["word"] for c in kondooz.contexts] == ["Kondooz", "Kondooz"]
    assert kondooz.contexts[0]["before"] == "Refugees reached "


def test_accepting_a_phonetic_record_takes_the_entry_over(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("Refugees reached Kondooz.\n", encoding="utf-8")
    log = tmp_path / "run.jsonl"
    assert cli.main(["--log", str(log), "-o", str(tmp_path / "o.txt"), str(source)]) == 0
    out = tmp_path / "table.yaml"
    session = build_session(str(out), logs=[str(log)])
    session.decide(session.items[0].id, "accept")
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    (entry,) = data["entries"]
    assert entry["canonical"] == "Kunduz" and entry["override"] is True
    assert "Kondooz" in entry["variants"] and "Qunduz" in entry["variants"]
    assert cli.main(["check", str(out)]) == 0


def test_bad_log_names_file_and_line(tmp_path, capsys):
    log = tmp_path / "bad.jsonl"
    log.write_text('{"rule": "table"}\n', encoding="utf-8")
    status = cli.main(["review", "--log", str(log), "-o", str(tmp_path / "t.yaml")])
    err = capsys.readouterr().err
    assert status == 2 and f"{log}:1:" in err and "Traceback" not in err


def test_review_needs_an_input_and_an_output(tmp_path, capsys):
    assert cli.main(["review", "-o", str(tmp_path / "t.yaml")]) == 2
    assert cli.main(["review", str(tmp_path)]) == 2
    bad = tmp_path / "t.yaml"
    bad.write_text("entries: [\n", encoding="utf-8")
    (tmp_path / "x.txt").write_text("Zorbakhan.\n", encoding="utf-8")
    assert cli.main(["review", "-o", str(bad), str(tmp_path / "x.txt")]) == 2
    assert str(bad) in capsys.readouterr().err


def test_ten_thousand_records_are_paged(tmp_path):
    originals = [f"Zorbakh{chr(97 + n % 26)}n{n}" for n in range(10_000)]
    lines = [
        json.dumps(
            {
                "file": "gone.txt",
                "line": n + 1,
                "column": 0,
                "original": original,
                "replacement": "Zorbakhan",
                "start": 0,
                "end": len(original),
                "out_start": 0,
                "out_end": 9,
                "rule": "phonetic",
                "entry": "Zorbakhan",
                "score": 0.9,
            }
        )
        for n, original in enumerate(originals)
    ]
    log = tmp_path / "big.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    session = Session(str(tmp_path / "t.yaml"), items_from_logs([str(log)]), default_table=False)
    page = session.page(offset=9_950, limit=50)
    assert page["total"] == 10_000 and len(page["items"]) == 50
    assert len(json.dumps(page)) < 100_000  # one page, not the whole review, is sent
    expected = sum(1 for n in range(10_000) if n % 26 == 1 and str(n).startswith("1"))
    assert session.page(query="zorbakhbn1")["total"] == expected


# ---------------------------------------------------------------- the server's gates


@pytest.fixture
def server(tmp_path, corpus):
    server = ReviewServer(_session(tmp_path, corpus))
    server.start()
    yield server
    server.shutdown()
    server.server_close()


def _request(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def test_listens_on_loopback_only_with_a_long_token(server):
    assert server.server_address[0] == "127.0.0.1"
    assert len(server.token) >= 32 and server.url.startswith("http://127.0.0.1:")


def test_token_is_required(server):
    assert _request(server, "GET", "/")[0] == 403
    assert _request(server, "GET", "/?token=wrong")[0] == 403
    status, page = _request(server, "GET", f"/?token={server.token}")
    assert status == 200 and b"normalise review" in page
    assert _request(server, "GET", "/api/items")[0] == 403
    status, data = _request(server, "GET", f"/api/items?token={server.token}")
    assert status == 200 and json.loads(data)["total"] == 2


def test_other_host_names_are_refused(server):
    status, _ = _request(
        server, "GET", f"/?token={server.token}", headers={"Host": "evil.example:80"}
    )
    assert status == 403


def test_writes_need_the_token_header(server, tmp_path):
    item = server.session.items[0].id
    body = json.dumps({"id": item, "action": "accept"})
    status, _ = _request(
        server,
        "POST",
        f"/api/decide?token={server.token}",
        body,
        {"Content-Type": "application/json"},
    )
    assert status == 403 and not (tmp_path / "out.yaml").exists()
    status, data = _request(
        server,
        "POST",
        "/api/decide",
        body,
        {"Content-Type": "application/json", "X-Review-Token": server.token},
    )
    assert status == 200 and json.loads(data)["decision"]["action"] == "accept"
    assert (tmp_path / "out.yaml").exists()
    status, data = _request(
        server, "POST", "/api/decide", "not json", {"X-Review-Token": server.token}
    )
    assert status == 400
    status, data = _request(
        server,
        "POST",
        "/api/decide",
        json.dumps({"id": "nothing", "action": "accept"}),
        {"X-Review-Token": server.token},
    )
    assert status == 409 and "no item" in json.loads(data)["error"]


def test_new_variants_of_an_entry_of_this_table_join_it(tmp_path, corpus):
    session = _session(tmp_path, corpus)
    session.decide(_item(session, "Zorbakhan").id, "accept")
    out = tmp_path / "out.yaml"
    text = tmp_path / "run.txt"
    text.write_text("Refugees reached Zorbakhen by night.\n", encoding="utf-8")
    log = tmp_path / "run.jsonl"
    assert (
        cli.main(
            [
                "--no-default-table",
                "-t",
                str(out),
                "--log",
                str(log),
                "-o",
                str(tmp_path / "run.out"),
                str(text),
            ]
        )
        == 0
    )
    again = build_session(str(out), logs=[str(log)], default_table=False, cache=False)
    (item,) = [i for i in again.items if i.source == "log"]
    again.decide(item.id, "accept")
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["entries"] == [
        {"canonical": "Zorbakhan", "kind": "other", "variants": ["Zurbakhan", "Zorbakhen"]}
    ]
    assert check_tables([str(out)]) == []


def test_items_carry_the_evidence_of_the_ranking(tmp_path, corpus):
    # Merikhel / Merikhil keep the same company (Dostabad) and share no document: supported;
    # every group gets its evidence, and a weak one says so (the page shows a badge).
    session = _session(tmp_path, corpus)
    rows = {tuple(sorted(s["form"] for s in i.spellings)): i.to_dict() for i in session.items}
    assert rows, "the corpus gives groups"
    for row in rows.values():
        assert isinstance(row["evidence"], float)
        assert row["weak"] == (row["evidence"] < 1.0)
    assert rows[("Merikhel", "Merikhil")]["weak"] is False
