"""Field generators and the data they draw from (names by US frequency, local ZIPs, email domains)."""

from __future__ import annotations

import itertools
import random
import string

from faker.providers.person.en_US import Provider as People

from customers.matching.nicknames import FORMAL_TO_NICKNAMES

LAST_NAMES = list(People.last_names)
LAST_WEIGHTS = list(itertools.accumulate(People.last_names.values()))  # cumulative, for fast choices()
MALE = list(People.first_names_male)
MALE_WEIGHTS = list(itertools.accumulate(People.first_names_male.values()))
FEMALE = list(People.first_names_female)
FEMALE_WEIGHTS = list(itertools.accumulate(People.first_names_female.values()))
# fmt: off
_HEADS = ["Bal", "Ber", "Bran", "Cal", "Car", "Dal", "Dor", "Elm", "Fair", "Fen", "Gal", "Gar", "Hal", "Hart",
          "Kel", "Kin", "Lan", "Lind", "Mar", "Mel", "Nor", "Oak", "Pen", "Ral", "Ros", "Sal", "Sel", "Stan",
          "Tal", "Thorn", "Ver", "Wal", "Wes", "Whit", "Win", "Yar", "Zel", "Ash", "Bright", "Cole"]
_MIDS = ["", "a", "e", "i", "o", "en", "er", "in", "is", "ol", "ar", "us"]
_TAILS = ["berg", "bourne", "by", "combe", "den", "dell", "field", "ford", "gate", "ham", "hurst", "ington",
          "ley", "low", "man", "mont", "more", "ner", "ridge", "ski", "sby", "shaw", "stein", "ston", "ton",
          "vich", "wald", "ward", "well", "wick", "wood", "worth", "ova", "enko", "escu", "ides", "elli"]
STREETS = [*LAST_NAMES[:150], "Oak", "Maple", "Pine", "Cedar", "Elm", "Walnut", "Willow", "Birch", "Lake",
           "Hill", "Park", "River", "Spring", "Sunset", "Meadow", "Forest", "Highland", "Church", "Mill"]
SUFFIXES = [("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"),
            ("Court", "Ct"), ("Boulevard", "Blvd"), ("Place", "Pl"), ("Way", "Way"), ("Circle", "Cir")]
DIRECTIONS = [("North", "N"), ("South", "S"), ("East", "E"), ("West", "W")]
# A store's customers are local: three in four live in a dozen ZIP codes.
LOCAL_ZIPS = ["97201", "97202", "97205", "97209", "97210", "97211", "97212", "97214", "97215", "97217",
              "97219", "97227"]
DOMAINS = (["gmail.com"] * 35 + ["yahoo.com"] * 15 + ["hotmail.com"] * 10 + ["outlook.com"] * 8
           + ["icloud.com"] * 5 + ["aol.com"] * 4 + ["comcast.net"] * 5 + ["msn.com"] * 3 + ["proton.me"] * 2
           + ["example.org"] * 13)
COMPANY_WORDS = ["Plumbing", "Electric", "Bakery", "Dental", "Roofing", "Landscaping", "Auto", "Repair",
                 "Design", "Consulting", "Catering", "Construction", "Printing", "Flooring", "Cleaning",
                 "Florist", "Hardware", "Supply", "Pet", "Care", "Tutoring"]
# fmt: on
RARE_LAST = [h + m + t for h in _HEADS for m in _MIDS for t in _TAILS]  # the long tail, ~17,000 surnames
NICKNAME_OF = {formal.title(): [n.title() for n in nicks] for formal, nicks in FORMAL_TO_NICKNAMES.items()}
FORMAL_OF = {n: f for f, ns in NICKNAME_OF.items() for n in ns}
LEGAL = ["Inc", "Inc.", "LLC", "Co.", "Corp", "Ltd", ""]
# fmt: off
# A typo swaps a letter for its right-hand neighbour on the keyboard.
KEYBOARD = {row[i]: row[i + 1] if i + 1 < len(row) else row[i - 1]
            for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm") for i in range(len(row))}
# fmt: on


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.emails: set[str] = set()  # an address belongs to one person (or one household)

    def unique_email(self, local: str, domain: str) -> str:
        def mailbox(local: str) -> str:  # Gmail ignores dots: "a.b@" and "ab@" are one mailbox
            return (local.replace(".", "") if domain == "gmail.com" else local) + "@" + domain

        while mailbox(local) in self.emails:
            local = f"{local}{self.r.randint(1, 9999)}"
        self.emails.add(mailbox(local))
        return f"{local}@{domain}"

    def pick(self, items, cum_weights=None):
        return self.r.choices(items, cum_weights=cum_weights)[0] if cum_weights else self.r.choice(items)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    # --- fields --------------------------------------------------------------------------
    def first(self, female: bool) -> str:
        name = self.pick(FEMALE, FEMALE_WEIGHTS) if female else self.pick(MALE, MALE_WEIGHTS)
        if name in NICKNAME_OF and self.chance(0.08):
            return self.pick(NICKNAME_OF[name])  # some people are known by their short name
        return name

    def last(self) -> str:
        return self.pick(LAST_NAMES, LAST_WEIGHTS) if self.chance(0.6) else self.pick(RARE_LAST)

    def phone_digits(self) -> str:
        area = self.pick(["503", "971"]) if self.chance(0.75) else str(self.r.randint(201, 989))
        return area + str(self.r.randint(200, 999)) + f"{self.r.randint(0, 9999):04d}"

    def fmt_phone(self, d: str) -> str:
        style = self.r.randint(0, 5)
        return [
            f"({d[:3]}) {d[3:6]}-{d[6:]}",
            f"{d[:3]}-{d[3:6]}-{d[6:]}",
            f"{d[:3]}.{d[3:6]}.{d[6:]}",
            d,
            f"+1 {d[:3]} {d[3:6]} {d[6:]}",
            f"1-{d[:3]}-{d[3:6]}-{d[6:]}",
        ][style]

    def email(self, first: str, last: str) -> str:
        f, last_part = first.lower(), last.lower().replace(" ", "")
        local = self.pick(
            [
                f"{f}.{last_part}",
                f"{f}{last_part}",
                f"{f[0]}{last_part}",
                f"{f}_{last_part}",
                f"{f}{self.r.randint(1, 99)}",
                f"{f}.{last_part}{self.r.randint(1, 999)}",
            ]
        )
        return self.unique_email(local, self.pick(DOMAINS))

    def address(self) -> tuple[str, str, str]:
        number = str(self.r.randint(1, 9999))
        direction = f"{self.pick(DIRECTIONS)[0]} " if self.chance(0.15) else ""
        street = f"{number} {direction}{self.pick(STREETS)} {self.pick(SUFFIXES)[0]}"
        unit = (
            str(self.r.randint(1, 40)) + (self.pick("ABCD") if self.chance(0.2) else "")
            if self.chance(0.2)
            else ""
        )
        zip_code = self.pick(LOCAL_ZIPS) if self.chance(0.75) else f"{self.r.randint(10000, 99999)}"
        return street, unit, zip_code

    # --- variations ----------------------------------------------------------------------
    def typo(self, word: str) -> str:
        if len(word) < 3:
            return word
        i = self.r.randint(1, len(word) - 1)
        kind = self.r.randint(0, 2)
        if kind == 0:
            return word[:i] + word[i + 1 :]
        if kind == 1:
            return word[:i] + self.pick(string.ascii_lowercase) + word[i:]
        return word[:i] + KEYBOARD.get(word[i].lower(), "e") + word[i + 1 :]

    def transpose(self, word: str) -> str:
        if len(word) < 4:
            return word
        i = self.r.randint(1, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    def abbreviate(self, street: str) -> str:
        for long, short in SUFFIXES + DIRECTIONS:
            street = street.replace(f" {long}", f" {short}" + ("." if self.chance(0.3) else ""))
        return street


def digits_of(phone: str) -> str | None:
    return "".join(ch for ch in phone if ch.isdigit())[-10:] or None
