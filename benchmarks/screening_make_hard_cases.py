"""Writes tests/screening/data/name_pairs.csv: labelled hard cases for the name matcher.

The pairs come from the rules of issue 6, applied to hand-written names of many origins
(German, Russian and Ukrainian in Cyrillic with English and German transliterations, Greek,
Arabic in several romanisations, Spanish, Turkish, companies with legal forms, vessels).
Each row says which rule produced it, so the benchmark can report per rule. The output is
committed; run this again only to extend the set (it is deterministic):

    .venv/bin/python benchmarks/screening_make_hard_cases.py
"""

import csv
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "screening" / "data" / "name_pairs.csv"

# (given names, family name) as a person writes them in Germany or abroad.
PERSONS = [
    ("Peter", "Müller"),
    ("Jürgen", "Weißmann"),
    ("Hans-Peter", "Groß"),
    ("Käthe", "Schröder"),
    ("Günther", "Bräuer"),
    ("Anna-Lena", "Köhler"),
    ("Björn", "Jäger"),
    ("Sabine", "Schulze-Löwe"),
    ("Friedrich", "Straßburger"),
    ("Ursula", "Hoffmann"),
    ("Thomas", "Fischer"),
    ("Claudia", "Zimmermann"),
    ("Matthias", "Schäfer"),
    ("Heike", "Krüger"),
    ("Wolfgang", "Neumann"),
    ("Elvis Angus", "Logan Morey"),
    ("Daniel Gonzalo", "Moreno"),
    ("Raúl Lucio", "Hernández Lechuga"),
    ("José María", "García López"),
    ("Ayşe", "Yılmaz"),
    ("Mehmet Ali", "Öztürk"),
    ("Çağla", "Şahin"),
    ("Sok-hwa", "Hwang"),
    ("Abid", "Hammadou"),
    ("Leo", "Manzi"),
    ("Fahd Bin Adballah", "Bin Khalid"),
    ("Ashraf Refaat Nabith", "Henin"),
    ("Mohamed Ben Belkacem", "Aouadi"),
    ("Amor Mohamed", "Ghedeir"),
    ("Siobhán", "O'Sullivan"),
    ("François", "Lefèvre"),
    ("Zoë", "Van der Berg"),
    ("Łukasz", "Wiśniewski"),
    ("Ingrid", "Ødegård"),
    ("Nguyễn Văn", "Thành"),
    ("Wei", "Zhang-Liu"),
    ("Karin", "Lindqvist"),
    ("Giuseppe", "Esposito"),
    ("Marta", "Kowalczyk"),
    ("Pieter", "de Vries"),
]

# Cyrillic and Greek names with their English (ICAO/BGN) and German (Duden) transliterations.
TRANSLITERATED = [
    ("Дмитрий Юрьевич Хорошев", "Dmitry Yuryevich Khoroshev", "Dmitri Jurjewitsch Choroschew"),
    ("Артём Михайлович Лифшиц", "Artem Mikhaylovich Lifshits", "Artjom Michailowitsch Lifschiz"),
    ("Сергей Иванов", "Sergey Ivanov", "Sergej Iwanow"),
    ("Юрий Кузнецов", "Yuriy Kuznetsov", "Juri Kusnezow"),
    ("Николай Смирнов", "Nikolay Smirnov", "Nikolai Smirnow"),
    ("Михаил Ходорковский", "Mikhail Khodorkovsky", "Michail Chodorkowski"),
    ("Евгений Пригожин", "Yevgeny Prigozhin", "Jewgeni Prigoschin"),
    ("Ольга Соколова", "Olga Sokolova", "Olga Sokolowa"),
    ("Татьяна Попова", "Tatyana Popova", "Tatjana Popowa"),
    ("Владимир Чайковский", "Vladimir Chaykovskiy", "Wladimir Tschaikowski"),
    ("Андрей Щербаков", "Andrey Shcherbakov", "Andrei Schtscherbakow"),
    ("Григорий Жуков", "Grigoriy Zhukov", "Grigori Schukow"),
    ("Анастасия Волкова", "Anastasiya Volkova", "Anastassija Wolkowa"),
    ("Ксения Морозова", "Kseniya Morozova", "Xenia Morosowa"),
    ("Илья Зайцев", "Ilya Zaytsev", "Ilja Saizew"),
    ("Юлия Лебедева", "Yuliya Lebedeva", "Julija Lebedewa"),
    ("Вячеслав Воронин", "Vyacheslav Voronin", "Wjatscheslaw Woronin"),
    ("Алексей Фёдоров", "Aleksey Fedorov", "Alexei Fjodorow"),
    ("Олександр Шевченко", "Oleksandr Shevchenko", "Oleksandr Schewtschenko"),
    ("Богдан Ковальчук", "Bohdan Kovalchuk", "Bohdan Kowaltschuk"),
    ("Γεώργιος Παπαδόπουλος", "Georgios Papadopoulos", "Georgios Papadopoulos"),
    ("Δημήτριος Κωνσταντίνου", "Dimitrios Konstantinou", "Dimitrios Konstantinou"),
    ("Νικόλαος Αλεξίου", "Nikolaos Alexiou", "Nikolaos Alexiou"),
    ("Ελένη Γεωργίου", "Eleni Georgiou", "Eleni Georgiou"),
    ("Σπυρίδων Μαυρίδης", "Spyridon Mavridis", "Spyridon Mavridis"),
]

# Arabic names in romanisations that differ in vowels, articles and spacing: same person.
ARABIC_VARIANTS = [
    ("Abdelhamid Abou Zeid", "Abd al-Hamid Abu Zaid"),
    ("Youssef Adel", "Yusuf Adil"),
    ("Khaled Al-Hassan", "Khalid Alhassan"),
    ("Mohamed Ben Belkacem Aouadi", "Muhammad bin Belqasim Awadi"),
    ("Abdallah Ezzat", "Abdullah Izzat"),
    ("Osama Bin Laden", "Usama bin Ladin"),
    ("Ayman al-Zawahiri", "Aiman Al Zawahry"),
    ("Hassan Nasrallah", "Hasan Nasrallah"),
    ("Qassem Soleimani", "Qasem Suleimani"),
    ("Abu Bakr al-Baghdadi", "Abubakr Al-Baghdady"),
    ("Saif al-Adel", "Sayf al Adl"),
    ("Mokhtar Belmokhtar", "Mukhtar Bilmukhtar"),
]

# Different people whose names look alike: same family name, different given name, etc.
LOOKALIKE_NEGATIVES = [
    ("Peter Hansen", "Peter Jansen"),
    ("Maria Schmidt", "Mario Schmidt"),
    ("Daniel Moreno", "Daniela Moreno"),
    ("Sergey Ivanov", "Sergey Ivanova"),
    ("Ivan Petrov", "Ivana Petrova"),
    ("Jan Kowalski", "Jana Kowalska"),
    ("Thomas Berger", "Thomas Burger"),
    ("Anna Meier", "Anna Maier-Brandt"),
    ("Klaus Wagner", "Klaus Wegner"),
    ("Stefan Richter", "Stefan Reichert"),
    ("Michael Lange", "Michael Lang"),
    ("Andreas Koch", "Andreas Kirch"),
    ("Paul Weber", "Paula Weber"),
    ("Markus Braun", "Marcus Brown"),
    ("Julia Roth", "Julian Roth"),
    ("Christian Wolf", "Christina Wolff"),
    ("Frank Becker", "Frank Bäcker"),
    ("Mohammed Ali", "Ali Mohammed Rahimi"),
    ("Ahmed Hassan", "Hassan Ahmed Karimi"),
    ("John Smith", "John Smithers"),
    ("Abu Bakr", "Abu Hamza"),
    ("Ali Hassan", "Ali Hussein"),
    ("Kim Jong", "Kim Jong Un"),
    ("Carlos Garcia", "Carla Garcia"),
    ("Hans Vogel", "Hanna Vogel"),
    ("Leo Manzi", "Leon Manzini"),
    ("Omar Farouk", "Omar Farouq Hamid Qasimi"),
    ("Wei Zhang", "Wei Zhao"),
    ("Sok-hwa Hwang", "Sok-hwa Hwangbo"),
    ("Abid Hammad", "Abid Hammadou"),
]

# Companies: (core name, transliterated or other-script form of the core or "").
COMPANIES = [
    ("Rosneft", ""),
    ("Romashka", "Ромашка"),
    ("Bel-Kap-Steel", ""),
    ("Gazprom Neft", "Газпром нефть"),
    ("Nordstern Logistik", ""),
    ("Suex OTC", ""),
    ("Havapeyma Sazi Iran", ""),
    ("Tasca Maritime", ""),
    ("Kavian Petrochemical", ""),
    ("Brecalin Hong Kong", ""),
    ("Elemento Oil and Gas", ""),
    ("Mahan Air", ""),
    ("Sovcomflot", "Совкомфлот"),
    ("Almaz-Antey", "Алмаз-Антей"),
    ("Uralkali", "Уралкалий"),
    ("Müller Maschinenbau", ""),
    ("Schröder & Söhne", ""),
    ("Weißbräu Handels", ""),
    ("Ahrensburger Datentechnik", ""),
    ("Petropavlovsk Mining", ""),
    ("Dialog Regions", ""),
    ("Iran Aircraft Manufacturing", ""),
    ("Tehran Gostar Engineering", ""),
    ("Kalashnikov Concern", "Концерн Калашников"),
    ("Transneft", "Транснефть"),
]

LLC_FORMS = ["GmbH", "LLC", "OOO", "Ltd.", "Limited", "S.R.O.", "SARL", "Limited Liability Company"]
JSC_FORMS = ["AG", "JSC", "Aktiengesellschaft", "S.A.", "PJSC", "Joint Stock Company", "OAO"]

# Companies that share only generic words or a legal form.
COMPANY_NEGATIVES = [
    ("International Trading GmbH", "Global Trading International S.A."),
    ("Nordic Shipping Ltd", "Baltic Shipping Ltd"),
    ("Alpha Energy Holding AG", "Omega Energy Holding JSC"),
    ("Müller GmbH", "Schmidt GmbH"),
    ("Siemens AG", "Siemens Energy Services Brasil"),
    ("Rosneft Oil Company", "Rosatom Company"),
    ("Gazprom Neft", "Gazprom Germania Trading"),
    ("TNK Trading International S.A.", "TNT Trading International S.A."),
    ("Iran Air", "Iran Aircraft Manufacturing Industrial Company"),
    ("Mahan Air", "Mahan Travel Services LLC"),
    ("Dialog Regions ANO", "Regions Development Bank"),
    ("Tasca Maritime", "Maritime Tasks Ltd"),
    ("First National Bank", "National Commercial Bank"),
    ("Petro Industries LLC", "Petroleum Industries LLC"),
    ("Sovcomflot", "Sovcombank"),
    ("Uralkali", "Uralsib"),
    ("Transneft", "Transoil"),
    ("Kalashnikov Concern", "Kalinin Machine Plant"),
    ("Almaz-Antey", "Almaz Capital Partners"),
    ("ABC Handels GmbH", "XYZ Handels GmbH"),
    ("Bel-Kap-Steel LLC", "Belarusian Steel Works"),
    ("Elemento Oil and Gas Ltd", "Oil and Gas Development Company"),
    ("Weißbräu GmbH", "Weißenburg GmbH"),
    ("Schröder & Söhne KG", "Schneider & Söhne KG"),
    ("Nordstern Logistik GmbH", "Südstern Logistik GmbH"),
]

VESSELS = [
    ("IRIS MAKRAN", "Iris Makran", 1),
    ("NS LEADER", "N.S. Leader", 1),
    ("FRUNZE", "Frunze", 1),
    ("TASCA", "Tasca", 1),
    ("NS LEADER", "NS Champion", 0),
    ("FRUNZE", "Frunze Star", 0),
    ("IRIS MAKRAN", "Iris Shahrekord", 0),
    ("TASCA", "Tosca", 0),
]


def strip_marks(text: str) -> str:
    import unicodedata

    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("ı", "i")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def umlauts_spelt(text: str) -> str:
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        text = text.replace(a, b)
    return text


def typo(word: str, rng: random.Random) -> str:
    """One letter replaced, never the first (typing errors, OCR)."""
    letters = [i for i, c in enumerate(word) if c.isalpha() and i > 0]
    i = rng.choice(letters)
    replacement = rng.choice([c for c in "aeiounrst" if c != word[i].lower()])
    return word[:i] + replacement + word[i + 1 :]


def person_rows(rng: random.Random):
    rows = []
    for given, family in PERSONS:
        full = f"{given} {family}"
        first = given.split()[0].split("-")[0]
        rows.append((full.upper(), full, "Person", 1, "case"))
        if strip_marks(full) != full:
            rows.append((strip_marks(full), full, "Person", 1, "diacritics"))
        if umlauts_spelt(full) != full:
            rows.append((umlauts_spelt(full), full, "Person", 1, "german-spelling"))
        rows.append((f"{family.upper()}, {given}", full, "Person", 1, "token-order"))
        honorific = rng.choice(["Dr.", "Herr", "Frau", "Mr.", "Mrs.", "Prof. Dr.", "Sheikh", "Dipl.-Ing."])
        rows.append((f"{honorific} {full}", full, "Person", 1, "honorific"))
        rows.append((f"{first[0]}. {family}", full, "Person", 1, "initial"))
        if "-" in full:
            rows.append((full.replace("-", " "), full, "Person", 1, "hyphen"))
            rows.append((full.replace("-", ""), full, "Person", 1, "hyphen"))
        if len(family.replace(" ", "")) >= 6:
            rows.append((f"{given} {typo(family, rng)}", full, "Person", 1, "typo"))
        if " " in given:
            rows.append((f"{first} {family}", full, "Person", 1, "missing-middle-name"))
        # Negatives from the same names. A family name of two words ("Logan Morey") could
        # be a whole name, so only one-word family names make a "family name only" case.
        if " " not in family and "-" not in family:
            rows.append((family, full, "Person", 0, "family-name-only"))
        other_given = rng.choice(
            [g for g, _ in PERSONS if g.split()[0][0] != given[0] and g.split()[0][:3] != given[:3]]
        )
        rows.append((f"{other_given} {family}", full, "Person", 0, "same-family-other-given"))
        other_family = rng.choice([f for _, f in PERSONS if f[0] != family[0]])
        rows.append((f"{given} {other_family}", full, "Person", 0, "same-given-other-family"))
    return rows


def transliteration_rows(rng: random.Random):
    rows = []
    for native, english, german in TRANSLITERATED:
        rows.append((native, english, "Person", 1, "transliteration"))
        if german != english:
            rows.append((german, english, "Person", 1, "transliteration-german"))
            rows.append((native, german, "Person", 1, "transliteration-german"))
        parts = english.split()
        rows.append((f"{parts[-1].upper()}, {parts[0]}", english, "Person", 1, "token-order"))
        if len(parts) == 3:
            rows.append((f"{parts[0]} {parts[2]}", english, "Person", 1, "missing-patronymic"))
        others = [e for _, e, _ in TRANSLITERATED if e.split()[-1][0] != parts[-1][0]]
        other = rng.choice(others).split()
        rows.append((f"{parts[0]} {other[-1]}", english, "Person", 0, "same-given-other-family"))
        rows.append((native.split()[-1], english, "Person", 0, "family-name-only"))
    for a, b in ARABIC_VARIANTS:
        rows.append((a, b, "Person", 1, "romanisation"))
        rows.append((b.upper(), a, "Person", 1, "romanisation"))
    return rows


def company_rows(rng: random.Random):
    rows = []
    for core, native in COMPANIES:
        llc_a, llc_b = rng.sample(LLC_FORMS, 2)
        jsc_a, jsc_b = rng.sample(JSC_FORMS, 2)
        rows.append((f"{core} {llc_a}", f"{core.upper()} {llc_b.upper()}", "Company", 1, "legal-form-llc"))
        rows.append((f"{core} {jsc_a}", f"{core} {jsc_b}", "Company", 1, "legal-form-jsc"))
        rows.append((f"{core} {llc_a}", f"{llc_b} {core}", "Company", 1, "legal-form-position"))
        rows.append((core.replace("-", " "), f"{core} {jsc_b}", "Company", 1, "punctuation"))
        if strip_marks(core) != core:
            rows.append((f"{umlauts_spelt(core)} GmbH", f"{strip_marks(core)} LLC", "Company", 1, "german-spelling"))
        if native:
            rows.append((f"ООО {native}", f"{core} LLC", "Company", 1, "transliteration"))
            rows.append((f"АО {native}", f"{core} JSC", "Company", 1, "transliteration"))
        other = rng.choice([c for c, _ in COMPANIES if c[0] != core[0]])
        rows.append((f"{core} {llc_a}", f"{other} {llc_a}", "Company", 0, "same-legal-form-other-name"))
    for a, b in COMPANY_NEGATIVES:
        rows.append((a, b, "Company", 0, "generic-words"))
    for a, b, label in VESSELS:
        rows.append((a, b, "Vessel", label, "vessel"))
    return rows


def main() -> int:
    rng = random.Random(20261125)
    rows = person_rows(rng) + transliteration_rows(rng) + company_rows(rng)
    rows += [(a, b, "Person", 0, "lookalike") for a, b in LOOKALIKE_NEGATIVES]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["query", "candidate", "schema", "label", "rule"])
        writer.writerows(rows)
    positives = sum(r[3] for r in rows)
    print(f"{len(rows)} pairs ({positives} positive, {len(rows) - positives} negative) -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
