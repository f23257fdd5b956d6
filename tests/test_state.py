"""Plain-data records, pickling that neither grows nor depends on the process, the datasets
fingerprint, and the batch path of normalise_many (issue 18)."""

from __future__ import annotations

import itertools
import os
import pickle
import subprocess
import sys

import pytest

from normalise import LogError, Normaliser, Result, Substitution, undo
from normalise.state import dumps

TEXT = (
    "Taleban commanders met in Taliqan on Monday; the road from Qunduz to Mazar-e-Sharif "
    "was shut.\nKondooz elders said Shebarghan was calm. Paris and the U.S. sent envoys.\n"
)


@pytest.fixture(scope="module")
def n() -> Normaliser:
    return Normaliser()


def test_result_to_dict_is_plain_data_and_round_trips(n):
    suggest = Normaliser(phonetic="suggest")
    for result in (n.normalise(TEXT), suggest.normalise(TEXT), n.normalise("nothing")):
        record = result.to_dict()
        assert set(record) == {"text", "substitutions"}
        for sub in record["substitutions"]:
            assert all(isinstance(v, (str, int, float)) for v in sub.values())
        again = Result.from_dict(record)
        assert again == result
        assert again.changed == result.changed
        assert again.original_span(0, len(again.text)) == (
            0,
            len(TEXT) if result.changed else len(result.text),
        )
    assert any(s.rule == "phonetic-suggest" for s in suggest.normalise(TEXT).substitutions)


def test_result_from_dict_rejects_a_bad_record(n):
    record = n.normalise(TEXT).to_dict()
    del record["substitutions"][0]["start"]
    with pytest.raises(LogError, match="missing a field"):
        Result.from_dict(record)


def test_substitution_dict_keeps_the_note_only_when_there_is_one():
    sub = Substitution("US.", "U.S.", 0, 3, 0, 4, "table", "U.S.", 1.0)
    assert "note" not in sub.to_dict()
    noted = sub._replace(note="why")
    assert Substitution.from_dict(noted.to_dict()) == noted


def test_pickle_is_the_same_before_and_after_use():
    fresh = Normaliser()
    before = pickle.dumps(fresh)
    for i in range(300):  # phonetic decisions, cost memos and scanner caches all get used
        fresh.normalise(TEXT.replace("Kondooz", f"Kondooz{i % 7}") + f" Talukan{i}\n")
    after = pickle.dumps(fresh)
    assert after == before
    copy = pickle.loads(after)
    assert copy.normalise(TEXT) == fresh.normalise(TEXT)
    assert pickle.dumps(copy) == before


_HASH = (
    "import pickle, hashlib; from normalise import Normaliser; "
    "print(hashlib.sha256(pickle.dumps(Normaliser.cached())).hexdigest())"
)


def test_pickle_bytes_do_not_depend_on_the_hash_seed():
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        digests.add(
            subprocess.run(
                [sys.executable, "-c", _HASH], env=env, check=True, capture_output=True, text=True
            ).stdout
        )
    assert len(digests) == 1


def test_canonical_dumps_sorts_sets_and_dicts():
    assert dumps({"b": frozenset({"y", "x"}), "a": {2, 1}}) == dumps(
        {"a": {1, 2}, "b": frozenset({"x", "y"})}
    )
    assert dumps({3: None, 1: None}) == dumps({1: None, 3: None})


def test_datasets_fingerprint_is_stable_and_map_hits_its_cache(tmp_path):
    import datasets  # in the test extra (slow to import: only here)
    from datasets.fingerprint import Hasher

    n = Normaliser()
    first = Hasher.hash(n)
    n.normalise(TEXT)
    assert Hasher.hash(n) == first

    def normalise_batch(batch):
        return {"text": [n.normalise(t).text for t in batch["text"]]}

    path = tmp_path / "data"
    datasets.Dataset.from_dict({"text": [TEXT, "Qunduz", "plain"]}).save_to_disk(str(path))
    ds = datasets.load_from_disk(str(path))  # on disk, so .map writes and reads a cache
    one = ds.map(normalise_batch, batched=True)
    two = ds.map(normalise_batch, batched=True)
    assert one._fingerprint == two._fingerprint
    assert one.cache_files == two.cache_files
    assert two["text"][1] == "Kunduz"


def test_normalise_many_in_processes_keeps_order_and_results(n):
    texts = [f"{i}: " + TEXT if i % 3 else f"line {i} Qunduz" for i in range(150)]
    texts[5] = ""
    serial = list(n.normalise_many(texts))
    batched = list(n.normalise_many(texts, jobs=2, batch_size=16))
    assert batched == serial
    assert all(undo(r.text, r.substitutions) == t for r, t in zip(batched, texts, strict=False))


def test_normalise_many_in_processes_is_lazy_and_names_a_bad_value(n):
    endless = (f"Qunduz {i}" for i in itertools.count())  # never ends: read as needed
    many = n.normalise_many(endless, jobs=2, batch_size=4)
    assert [next(many).text for _ in range(3)] == ["Kunduz 0", "Kunduz 1", "Kunduz 2"]
    many.close()
    with pytest.raises(TypeError, match="NoneType"):
        list(n.normalise_many(["Qunduz", None], jobs=2))  # type: ignore[list-item]
