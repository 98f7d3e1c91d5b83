"""Names reduced to comparable tokens: script, case, diacritics, honorifics, legal forms.

Everything here is pure and deterministic: the list import stores what `blocking_keys`
returns, and the matcher compares what `prepare` returns, so both must agree forever
(changing a rule means re-importing the lists, which `sanctions_import` does anyway).
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from anyascii import anyascii

PERSON = "Person"
COMPANY = "Company"
ORGANIZATION = "Organization"
LEGAL_ENTITY = "LegalEntity"
VESSEL = "Vessel"
AIRPLANE = "Airplane"
SCHEMAS = (PERSON, COMPANY, ORGANIZATION, LEGAL_ENTITY, VESSEL, AIRPLANE)
# Parties whose names carry legal forms and generic business words.
BODY_SCHEMAS = frozenset({COMPANY, ORGANIZATION, LEGAL_ENTITY})

# Titles and honorifics say nothing about who someone is; generational suffixes neither.
HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "herr",
        "frau",
        "fr",
        "hr",
        "sir",
        "lord",
        "lady",
        "dame",
        "madam",
        "madame",
        "mme",
        "mlle",
        "monsieur",
        "sheikh",
        "shaikh",
        "sheik",
        "shaykh",
        "haji",
        "hajji",
        "hadji",
        "mullah",
        "maulana",
        "maulvi",
        "imam",
        "sayed",
        "sayyid",
        "syed",
        "general",
        "gen",
        "col",
        "colonel",
        "maj",
        "major",
        "capt",
        "captain",
        "lt",
        "lieutenant",
        "admiral",
        "adm",
        "brig",
        "brigadier",
        "sgt",
        "dipl",
        "ing",
        "mag",
        "med",
        "rer",
        "nat",
        "phil",
        "jur",
        "dott",
        "sig",
        "sra",
        "sr",
        "jr",
        "junior",
        "senior",
        "ii",
        "iii",
        "iv",
        "md",
        "phd",
        "mba",
        "msc",
        "bsc",
        "eng",
    ]
)

# Name particles: kept, but they weigh little and may go unmatched.
PARTICLES = frozenset(
    [
        "al",
        "el",
        "bin",
        "ben",
        "ibn",
        "bint",
        "abu",
        "abou",
        "von",
        "van",
        "vom",
        "zu",
        "de",
        "der",
        "den",
        "da",
        "di",
        "du",
        "la",
        "le",
        "del",
        "dos",
        "das",
        "ter",
    ]
)

# First names so frequent that sharing one (or two of them) says little.
COMMON_GIVEN = frozenset(
    [
        "mohammed",
        "mohammad",
        "mohamed",
        "mohamad",
        "muhammad",
        "muhammed",
        "mohammad",
        "mehmet",
        "ahmed",
        "ahmad",
        "ali",
        "hassan",
        "hasan",
        "hussein",
        "husein",
        "abdul",
        "abdel",
        "abdullah",
        "abdallah",
        "omar",
        "umar",
        "ibrahim",
        "youssef",
        "yusuf",
        "mustafa",
        "john",
        "james",
        "michael",
        "david",
        "robert",
        "william",
        "richard",
        "joseph",
        "thomas",
        "daniel",
        "paul",
        "mark",
        "peter",
        "george",
        "maria",
        "mary",
        "anna",
        "ana",
        "elena",
        "olga",
        "natalia",
        "irina",
        "tatiana",
        "svetlana",
        "ekaterina",
        "alexander",
        "aleksandr",
        "alexandr",
        "sergey",
        "sergei",
        "andrey",
        "andrei",
        "dmitry",
        "dmitri",
        "vladimir",
        "ivan",
        "nikolai",
        "hans",
        "klaus",
        "wolfgang",
        "stefan",
        "michael",
        "andreas",
        "christian",
        "martin",
        "juergen",
        "jurgen",
        "frank",
        "jose",
        "juan",
        "carlos",
        "luis",
        "antonio",
        "manuel",
        "francisco",
    ]
)

# Legal forms by class: a GmbH is what an LLC or an OOO is, an AG what a JSC is.
_LEGAL_FORMS: dict[str, tuple[str, ...]] = {
    "llc": (
        "gmbh",
        "llc",
        "ooo",
        "ltd",
        "limited",
        "limited liability company",
        "gesellschaft mit beschrankter haftung",
        "obshchestvo s ogranichennoy otvetstvennostyu",
        "obshchestvo s ogranichennoi otvetstvennostiu",
        "sro",
        "spol s r o",
        "sarl",
        "srl",
        "sl",
        "bv",
        "sp z o o",
        "spzoo",
        "tov",
        "pty ltd",
        "pte ltd",
        "ug",
        "ug haftungsbeschrankt",
        "private limited company",
        "fze",
        "fzco",
        "fzc",
    ),
    "jsc": (
        "ag",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "oao",
        "zao",
        "pao",
        "ao",
        "aktiengesellschaft",
        "joint stock company",
        "open joint stock company",
        "closed joint stock company",
        "public joint stock company",
        "private joint stock company",
        "aktsionernoe obshchestvo",
        "aktsionernoye obshchestvo",
        "sa",
        "sociedad anonima",
        "societe anonyme",
        "spa",
        "nv",
        "plc",
        "public limited company",
        "as",
        "ab",
        "oyj",
        "kgaa",
        "se",
    ),
    "corp": ("inc", "incorporated", "corp", "corporation"),
    "partnership": ("kg", "ohg", "gbr", "lp", "llp", "partnership", "gmbh co kg", "co kg", "partg"),
    "coop": ("eg", "cooperative", "coop"),
    "foundation": ("ev", "stiftung", "foundation"),
}
LEGAL_FORM_CLASS: dict[tuple[str, ...], str] = {
    tuple(form.split()): cls for cls, forms in _LEGAL_FORMS.items() for form in forms
}
_LONGEST_FORM = max(len(k) for k in LEGAL_FORM_CLASS)

# Words many organisations share; they may not carry a match on their own.
GENERIC_BODY_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "for",
        "und",
        "der",
        "die",
        "das",
        "et",
        "de",
        "la",
        "le",
        "del",
        "y",
        "i",
        "company",
        "co",
        "companies",
        "group",
        "gruppe",
        "holding",
        "holdings",
        "international",
        "intl",
        "trading",
        "trade",
        "handel",
        "handels",
        "services",
        "service",
        "industries",
        "industry",
        "industrial",
        "general",
        "global",
        "national",
        "enterprise",
        "enterprises",
        "management",
        "investment",
        "investments",
        "capital",
        "bank",
        "oil",
        "gas",
        "energy",
        "shipping",
        "logistics",
        "technology",
        "technologies",
        "systems",
        "solutions",
        "consulting",
        "development",
        "products",
        "product",
        "manufacturing",
        "construction",
        "import",
        "export",
        "partners",
    ]
)

# Greek diphthongs that anyascii spells letter by letter ("ου" as "oy"); common usage differs.
_GREEK_DIGRAPHS = (("ου", "ou"), ("αυ", "av"), ("ευ", "ev"))
_PUNCT = re.compile(r"[^\w\s]|_")
_DOTS_APOSTROPHES = re.compile(r"[.'’`´ʼ‘]")
_GERMAN_DIGRAPH = re.compile(r"(?<![qg])ue|ae|oe")
_SPLIT = re.compile(r"\s+")

# Spelling rules that bring transliterations from German, English and French conventions
# together (Chruschtschow / Khrushchev, Jurjewitsch / Yuryevich, Papadopoulos / Papadopoylos).
_SKELETON_RULES = (
    ("schtsch", "sh"),
    ("shch", "sh"),
    ("tsch", "ch"),
    ("sch", "sh"),
    ("dzh", "j"),
    ("dj", "j"),
    # German writes both Zh and Sh as "sch" (Schukow / Zhukov).
    ("zh", "sh"),
    ("kh", "h"),
    ("ck", "k"),
    ("ph", "f"),
    ("th", "t"),
    ("tz", "s"),
    ("ts", "s"),
    ("cz", "ch"),
    ("ks", "x"),
    ("w", "v"),
    ("q", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("y", "i"),
    ("j", "i"),
    ("z", "s"),
)
_C_HARD = re.compile(r"c(?=[aoukrlt]|$)")
_C_SOFT = re.compile(r"c(?=[ei])")
# Russian yo written "jo", "yo" or "e" (Fjodor / Fyodor / Fedor, Artjom / Artem).
_YO = re.compile(r"(?<=[^aeiou])io(?=[^aeiou])")
_DOUBLE = re.compile(r"(.)\1+")
_VOWELS = re.compile(r"[aeiou]")


def fold(text: str) -> str:
    """Lower-case ASCII with German umlaut spellings unified (Müller, Mueller, Muller: "muller")."""
    text = text.lower()
    for greek, latin in _GREEK_DIGRAPHS:
        text = text.replace(greek, latin)
    ascii_text = anyascii(text).lower()
    return _GERMAN_DIGRAPH.sub(lambda m: m.group(0)[0], ascii_text)


def tokenize(text: str) -> list[str]:
    """Folded words; dots and apostrophes join ("S.A." is "sa", "O'Brien" is "obrien"), other punctuation splits."""
    text = _DOTS_APOSTROPHES.sub("", fold(text))
    text = _PUNCT.sub(" ", text)
    return [t for t in _SPLIT.split(text) if t]


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """A spelling-insensitive form of one folded token (Jurij and Yuriy both become "iuri")."""
    for old, new in _SKELETON_RULES:
        token = token.replace(old, new)
    # German transliteration writes Russian Kh as Ch (Chodorkowski, Chruschtschow).
    if token.startswith("chr") or (token.startswith("ch") and token[2:3] in ("a", "e", "i", "o", "u")):
        token = token[1:]
    token = _C_HARD.sub("k", token)
    token = _C_SOFT.sub("s", token)
    token = _YO.sub("e", token)
    return _DOUBLE.sub(r"\1", token)


def consonants(token: str) -> str:
    """The consonant frame (vowels vary most between transliterations of Arabic names)."""
    return _VOWELS.sub("", skeleton(token))


def strip_legal_forms(tokens: list[str]) -> tuple[list[str], set[str]]:
    """Removes legal forms anywhere in the name; returns the remaining tokens and the classes found."""
    core: list[str] = []
    classes: set[str] = set()
    i = 0
    while i < len(tokens):
        for size in range(min(_LONGEST_FORM, len(tokens) - i), 0, -1):
            cls = LEGAL_FORM_CLASS.get(tuple(tokens[i : i + size]))
            # Two-letter forms ("as", "sa", "ag") only count after the name ("AS Holding" is a
            # name), except the Russian "AO", which leads.
            if cls and (size > 1 or len(tokens[i]) > 2 or i > 0 or tokens[i] == "ao"):
                classes.add(cls)
                i += size
                break
        else:
            core.append(tokens[i])
            i += 1
    return core, classes


@dataclass(frozen=True)
class Token:
    text: str
    skeleton: str
    consonants: str
    weight: float
    is_initial: bool = False
    is_generic: bool = False


@dataclass(frozen=True)
class PreparedName:
    """A name ready for comparison: its tokens with weights, legal form classes, joined form."""

    schema: str
    tokens: tuple[Token, ...]
    legal_forms: frozenset[str]
    joined: str

    @property
    def informative(self) -> tuple[Token, ...]:
        return tuple(t for t in self.tokens if not t.is_generic and not t.is_initial)


def _person_weight(token: str) -> tuple[float, bool]:
    if len(token) == 1:
        return 0.35, False
    if token in PARTICLES:
        return 0.2, True
    if token in COMMON_GIVEN:
        return 0.6, True
    return 1.0, False


def _body_weight(token: str) -> tuple[float, bool]:
    if token in GENERIC_BODY_WORDS or len(token) == 1:
        return 0.3, True
    return 1.0, False


@lru_cache(maxsize=65536)
def prepare(name: str, schema: str = PERSON) -> PreparedName:
    """Tokens of `name` as the matcher compares them (cached: list names are prepared once)."""
    words = tokenize(name)
    forms: set[str] = set()
    if schema in BODY_SCHEMAS:
        words, forms = strip_legal_forms(words)
        weigh = _body_weight
    else:
        words = [w for w in words if w not in HONORIFICS] or words
        weigh = _person_weight
    tokens = []
    for word in words:
        weight, generic = weigh(word)
        tokens.append(
            Token(
                text=word,
                skeleton=skeleton(word),
                consonants=consonants(word),
                weight=weight,
                is_initial=len(word) == 1,
                is_generic=generic,
            )
        )
    return PreparedName(
        schema=schema,
        tokens=tuple(tokens),
        legal_forms=frozenset(forms),
        joined="".join(skeleton(w) for w in words),
    )


def token_keys(token: Token) -> set[str]:
    """Blocking keys of one token: its skeleton and a phonetic code, so that spelling variants meet."""
    if token.is_initial or token.is_generic or len(token.text) < 2:
        return set()
    keys = {"s:" + token.skeleton}
    code = jellyfish.metaphone(token.skeleton)
    if len(code) >= 2:
        keys.add("m:" + code)
    return keys


def blocking_keys(name: str, schema: str = PERSON) -> set[str]:
    """Keys under which a list name is indexed; a query looks up the same keys of its own tokens."""
    prepared = prepare(name, schema)
    keys: set[str] = set()
    for token in prepared.tokens:
        keys |= token_keys(token)
    # Hyphenated or run-together names ("Al-Hassan" / "Alhassan") also meet on their joined form.
    if len(prepared.tokens) > 1 and len(prepared.joined) >= 6:
        keys.add("s:" + prepared.joined)
    return keys
