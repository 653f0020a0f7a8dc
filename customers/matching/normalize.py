"""Reduce what people type to comparable keys: names, companies, emails, phones, addresses, postal codes.

Pure functions, cached where the same value repeats a lot (first and last names, street words), so
preparing a hundred thousand customers takes a second or two.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from customers.matching.nicknames import NICKNAME_TO_FORMAL
from customers.matching.records import CustomerRecord, Prepared

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev", "sir", "madam", "mme"})
SUFFIXES = {"jr": "jr", "junior": "jr", "sr": "sr", "senior": "sr", "ii": "ii", "iii": "iii", "iv": "iv"}
DEGREES = frozenset({"md", "phd", "dds", "esq", "cpa", "rn", "dvm"})
NAME_PARTICLES = frozenset(
    {"van", "von", "de", "del", "della", "der", "den", "di", "da", "du", "la", "le", "st"}
)
LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "co",
        "corp",
        "corporation",
        "company",
        "plc",
        "lp",
        "llp",
        "pllc",
        "pc",
        "gmbh",
        "sa",
        "srl",
        "bv",
        "pty",
    }
)
# USPS street suffixes and directionals (Publication 28), the long form and common misspellings
# mapped to the standard abbreviation.
# fmt: off
STREET_WORDS = {
    "street": "st", "str": "st", "st": "st", "avenue": "ave", "av": "ave", "aven": "ave", "avn": "ave",
    "ave": "ave", "road": "rd", "rd": "rd", "boulevard": "blvd", "boul": "blvd", "blv": "blvd",
    "blvd": "blvd", "drive": "dr", "drv": "dr", "dr": "dr", "lane": "ln", "ln": "ln", "court": "ct",
    "crt": "ct", "ct": "ct", "place": "pl", "pl": "pl", "terrace": "ter", "terr": "ter", "ter": "ter",
    "circle": "cir", "circ": "cir", "cir": "cir", "highway": "hwy", "hiway": "hwy", "hwy": "hwy",
    "parkway": "pkwy", "pky": "pkwy", "pkwy": "pkwy", "square": "sq", "sq": "sq", "trail": "trl",
    "trl": "trl", "crossing": "xing", "xing": "xing", "expressway": "expy", "freeway": "fwy",
    "plaza": "plz", "plz": "plz", "point": "pt", "pt": "pt", "ridge": "rdg", "heights": "hts",
    "hill": "hl", "hills": "hls", "mount": "mt", "mountain": "mtn", "junction": "jct", "center": "ctr",
    "centre": "ctr", "crescent": "cres", "alley": "aly", "route": "rte", "turnpike": "tpke",
    "estates": "est", "gardens": "gdns", "garden": "gdn", "grove": "grv", "harbor": "hbr",
    "island": "is", "lake": "lk", "lakes": "lks", "meadows": "mdws", "ranch": "rnch", "valley": "vly",
    "view": "vw", "village": "vlg", "station": "sta", "fort": "ft", "creek": "crk", "ferry": "fry",
    "field": "fld", "fields": "flds", "forest": "frst", "glen": "gln", "green": "grn", "haven": "hvn",
    "hollow": "holw", "landing": "lndg", "manor": "mnr", "mill": "ml", "mills": "mls", "port": "prt",
    "shore": "shr", "shores": "shrs", "spring": "spg", "springs": "spgs", "summit": "smt",
    "bridge": "brg", "brook": "brk", "canyon": "cyn", "causeway": "cswy", "corner": "cor",
    "corners": "cors", "cove": "cv", "extension": "ext", "falls": "fls", "ford": "frd", "fork": "frk",
    "gateway": "gtwy", "knoll": "knl", "lodge": "ldg", "orchard": "orch", "stream": "strm",
    "tunnel": "tunl", "vista": "vis", "ville": "vl", "north": "n", "south": "s", "east": "e",
    "west": "w", "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th",
    "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
}
# fmt: on
UNIT_WORDS = frozenset(
    {"apartment", "apt", "suite", "ste", "unit", "room", "rm", "#", "no", "flat", "lot", "space", "spc"}
)

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NOT_ADDRESS = re.compile(r"[^0-9a-z#]+")
_PHONE_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)
_NON_DIGIT = re.compile(r"\D")
_NON_POSTAL = re.compile(r"[^0-9A-Z]")
_GMAIL = frozenset({"gmail.com", "googlemail.com"})


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, apostrophes closed up: "O'Brien-Díaz" -> "obrien diaz"."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("\u2019", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


@lru_cache(maxsize=1 << 14)
def first_name_forms(first: str) -> frozenset[str]:
    """The first name plus every formal name it is a nickname of: "bob" -> {"bob", "robert"}."""
    return frozenset({first, *NICKNAME_TO_FORMAL.get(first, ())}) if first else frozenset()


def _join_last(tokens: list[str]) -> str:
    # "De La Cruz", "de la cruz" and "DeLaCruz" compare equal; so do "Smith-Jones" and "Smith Jones".
    return "".join(tokens)


def _strip_words(tokens: list[str]) -> tuple[list[str], str]:
    """Drop titles and degrees; return the rest and the generational suffix if there is one."""
    kept: list[str] = []
    suffix = ""
    for position, token in enumerate(tokens):
        if token in TITLES and position == 0:
            continue
        if token in DEGREES:
            continue
        if token in SUFFIXES and position > 0:
            suffix = SUFFIXES[token]
            continue
        kept.append(token)
    return kept, suffix


def split_display_name(display: str) -> tuple[str, str, str, str]:
    """(first, middle initial, last, suffix) from one box: "Smith, John A." or "Dr. John A. Smith Jr"."""
    head, comma, tail = display.partition(",")
    tail_tokens = fold(tail).split()
    if comma and tail_tokens and not all(t in SUFFIXES or t in DEGREES for t in tail_tokens):
        # "Last, First Middle": the part before the comma is the family name.
        last_tokens, suffix_a = _strip_words(["_", *fold(head).split()])
        given_tokens, suffix_b = _strip_words(tail_tokens)
        last_tokens = last_tokens[1:]
        first = given_tokens[0] if given_tokens else ""
        middle = given_tokens[1][:1] if len(given_tokens) > 1 else ""
        return first, middle, _join_last(last_tokens), suffix_a or suffix_b
    tokens, suffix = _strip_words(fold(display).split())
    if not tokens:
        return "", "", "", suffix
    if len(tokens) == 1:
        return "", "", tokens[0], suffix
    # Family-name particles ("van", "de la") belong with the last word.
    cut = len(tokens) - 1
    while cut > 1 and tokens[cut - 1] in NAME_PARTICLES:
        cut -= 1
    middle = tokens[1][:1] if cut > 1 else ""
    return tokens[0], middle, _join_last(tokens[cut:]), suffix


def person_name(record: CustomerRecord) -> tuple[str, str, str, str]:
    """(first, middle initial, last, suffix) from the name boxes, or from the display name when empty."""
    given = fold(record.given_name).split()
    family = fold(record.family_name).split()
    if given or family:
        middle = fold(record.middle_name)[:1] or (given[1][:1] if len(given) > 1 else "")
        family, suffix_in_family = _strip_words(["_", *family])
        suffix = SUFFIXES.get(fold(record.suffix).replace(" ", ""), "") or suffix_in_family
        return (given[0] if given else ""), middle, _join_last(family[1:]), suffix
    display = record.display_name
    if not display or (record.company_name and fold(display) == fold(record.company_name)):
        return "", "", "", ""
    return split_display_name(display)


@lru_cache(maxsize=1 << 14)
def normalize_company(text: str) -> str:
    """ "The Acme Co., Inc." -> "acme"; "Smith & Sons LLC" -> "smith and sons"."""
    tokens = fold(text.replace(".", "").replace("&", " and ")).split()
    while tokens and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


def normalize_email(text: str) -> str:
    """Case ignored, "+tag" dropped, Gmail dots ignored: "J.Smith+shop@GMail.com" -> "jsmith@gmail.com"."""
    text = text.strip().lower()
    if text.startswith("mailto:"):
        text = text[7:]
    local, at, domain = text.rpartition("@")
    if not at or not local or "." not in domain:
        return ""
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else ""


def normalize_phone(text: str, default_country: str = "1") -> str:
    """Digits with the country code, extension dropped: "(555) 123-4567 x12" -> "15551234567".

    Numbers without a "+" get ``default_country`` (a leading trunk "0" is dropped first, as in
    "020 7946 0018"); a 7-digit local number is kept as typed so it can still match the last seven
    digits of a full number.
    """
    if not text:
        return ""
    text = _PHONE_EXTENSION.sub("", text.strip())
    international = text.startswith(("+", "00"))
    digits = _NON_DIGIT.sub("", text)
    if text.startswith("00"):
        digits = digits[2:]
    if international or len(digits) < 8:
        return digits
    if digits.startswith(default_country) and len(digits) == len(default_country) + 10:
        return digits
    if digits.startswith("0"):
        digits = digits[1:]
    return default_country + digits


@lru_cache(maxsize=1 << 10)
def _street_word(token: str) -> str:
    return STREET_WORDS.get(token, token)


def normalize_address(line1: str, line2: str = "") -> tuple[str, str]:
    """(street, unit): "123 North Main Street, Apt. #4B" -> ("123 n main st", "4b")."""
    text = unicodedata.normalize("NFKD", f"{line1} {line2}").lower().replace("#", " # ")
    tokens = _NOT_ADDRESS.sub(" ", text).split()
    street: list[str] = []
    unit = ""
    position = 0
    while position < len(tokens):
        token = tokens[position]
        if token in UNIT_WORDS:
            position += 1
            while position < len(tokens) and tokens[position] in UNIT_WORDS:
                position += 1
            if position < len(tokens):
                unit = tokens[position]
            position += 1
            continue
        street.append(_street_word(token))
        position += 1
    # "123 Main St 4B": a trailing number-like token after the street suffix is a unit.
    if not unit and len(street) > 2 and any(ch.isdigit() for ch in street[-1]) and street[0][:1].isdigit():
        unit = street.pop()
    return " ".join(street), (unit.lstrip("0") or unit)


def normalize_postal(text: str) -> str:
    """ "12345-6789" -> "12345"; "k1a 0b1" -> "K1A0B1"; a ZIP that lost its leading zero gets it back."""
    code = _NON_POSTAL.sub("", text.upper())
    if code.isdigit():
        if len(code) == 9:
            return code[:5]
        if len(code) == 4:
            return "0" + code
    return code


def prepare(record: CustomerRecord, default_country: str = "1") -> Prepared:
    """Everything the scorer compares, computed once per customer."""
    first, middle, last, suffix = person_name(record)
    phones = tuple(
        dict.fromkeys(
            p
            for p in (
                normalize_phone(record.phone, default_country),
                normalize_phone(record.mobile, default_country),
            )
            if p
        )
    )
    street, unit = normalize_address(record.line1, record.line2)
    label = record.display_name or " ".join(p for p in (record.given_name, record.family_name) if p)
    return Prepared(
        id=record.id,
        label=label or record.company_name,
        first=first,
        first_forms=first_name_forms(first),
        middle=middle,
        last=last,
        suffix=suffix,
        company=normalize_company(record.company_name) if record.company_name else "",
        email=normalize_email(record.email) if record.email else "",
        phones=phones,
        street=street,
        unit=unit,
        postal=normalize_postal(record.postal_code) if record.postal_code else "",
    )
