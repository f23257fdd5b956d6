"""A person entry also matches its surname standing alone, where precision allows."""

from __future__ import annotations

from pathlib import Path

from normalise import Normaliser
from normalise.check import check_tables
from normalise.surnames import surname, surname_entries
from normalise.table import Entry, table_from_entries

PEOPLE = [
    Entry("Zalmay Khalilzad", ("Zalmai Khalilzad", "Zalmay Khalilzaad"), kind="person"),
    Entry("Sebghatullah Selab", ("Sibghatullah Sailab", "Sebghatullah Seylab"), kind="person"),
    Entry("Abu Musab al-Zarqawi", (), kind="person"),
    Entry("Osama bin Laden", ("Usama bin Ladin",), kind="person"),
    Entry("Bashar al-Assad", (), kind="person"),
    Entry("Hafez al-Assad", (), kind="person"),
    Entry("Ashraf Ghani", (), kind="person"),  # Ghani: English text uses it alone
    Entry("Sayed Asadullah Danish", (), kind="person"),  # Danish: an English word
    Entry("Sirajuddin Haqqani", ("Serajuddin Haqani",), kind="person"),
    Entry("Haqqani", ("Haqani",), kind="person"),  # the family: claims the surname
    Entry("Ahmad Massoud", (), kind="person"),
    Entry("Wafa Ahmadzai", ("Wafa Ahmadzay",), kind="person"),
    Entry("Ahmadzai", (), kind="people"),  # another entry claims Ahmadzai: no surname entry
    Entry("Qasem Soleimani", (), kind="person"),
    Entry("Naim Qasem", ("Naim Qassem",), kind="person"),  # Qasem is a given name above
]


def _normaliser(phonetic: str = "off") -> Normaliser:
    return Normaliser(table=table_from_entries(PEOPLE), phonetic=phonetic)


def test_the_surname_is_the_last_word_with_its_particle():
    assert surname("Zalmay Khalilzad") == "Khalilzad"
    assert surname("Osama bin Laden") == "bin Laden"
    assert surname("Abu Musab al-Zarqawi") == "al-Zarqawi"
    assert surname("Haqqani") is None


def test_surnames_and_their_variants_stand_alone():
    n = _normaliser()
    assert n.normalise("Sailab and Seylab met Khalilzaad.").text == (
        "Selab and Selab met Khalilzad."
    )
    assert n.normalise("Later, bin Ladin spoke.").text == "Later, bin Ladin spoke."  # common
    record = n.normalise("Sailab said").substitutions[0]
    assert (record.entry, record.rule) == ("Selab", "table")


def test_what_a_surname_alone_never_becomes():
    n = _normaliser()
    derived = {e.canonical for e in surname_entries(PEOPLE)}
    assert "al-Assad" not in derived  # two persons share it
    assert "Ghani" not in derived and "Danish" not in derived  # English uses them alone
    assert "Haqqani" not in derived and "Ahmadzai" not in derived  # other entries claim them
    assert "Qasem" not in derived  # a given name in the table
    assert n.normalise("the danish pastry").text == "the danish pastry"
    assert n.normalise("Haqani").text == "Haqqani"  # by the family's own entry


def test_the_phonetic_matcher_maps_a_new_spelling_of_a_surname():
    # with evidence: that person named nearby (issue 15: own-person), by full name or given name
    n = _normaliser("apply")
    for named in ("Zalmay Khalilzad", "Zalmay"):
        text = f"{named} met Ashraf Ghani; Khaleelzad arrived."
        assert n.normalise(text).text == text.replace("Khaleelzad", "Khalilzad")
    # beside another person of the table only, it is held
    text = "Ashraf Ghani spoke; Khaleelzad arrived."
    assert n.normalise(text).text == text


def test_full_names_still_win():
    assert _normaliser().normalise("Zalmai Khalilzad and Sibghatullah Sailab").text == (
        "Zalmay Khalilzad and Sebghatullah Selab"
    )


def test_check_reports_surnames_two_persons_share(tmp_path: Path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "entries:\n"
        "  - {canonical: Bashar al-Assad, kind: person, variants: []}\n"
        "  - {canonical: Hafez al-Assad, kind: person, variants: []}\n",
        encoding="utf-8",
    )
    problems = check_tables([str(path)])
    assert [(p.kind, p.line) for p in problems] == [("shared-surname", 2)]
    assert (
        "surname 'al-Assad' of 'Bashar al-Assad' is also the surname of 'Hafez al-Assad'"
        in problems[0].message
    )


def test_the_tables_kept_forms_survive_the_surname_entries(tmp_path):
    table = tmp_path / "t.yaml"
    table.write_text(
        "keep: [Khalilzaad]\nentries:\n  - canonical: Zalmay Khalilzad\n"
        "    kind: person\n    variants: [Zalmai Khalilzad]\n",
        encoding="utf-8",
    )
    n = Normaliser([str(table)], default_table=False, phonetic="off")
    assert [k.form for k in n.table.keep] == ["Khalilzaad"]
    assert n.normalise("Zalmai Khalilzad; Khalilzaad.").text == "Zalmay Khalilzad; Khalilzaad."
