"""Demo customers: people and businesses, sub-customers (jobs) and near-duplicates.

Shares of the generated customers (of ``--customers N``, all kinds counted):
about 60 % Retail, 17 % Contractor, 9 % Wholesale, 4 % Non-profit, 10 % without a type; about 32 % are
businesses (a company name); about 5 % are tax-exempt (with a reason and a certificate or resale
number); about 24 % have an account (a credit limit); about 19 % have custom fields; 3 % are
sub-customers (jobs under a business, some two levels deep, ``bill_with_parent`` on most); 2 %
are near-duplicates of another customer, as staff create them at the register (a typo or a
nickname, first and last name swapped, e-mail in other case or with a plus tag, phone formatted
differently) for the duplicate finder to find.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from random import Random

from customers.models import TaxExemptionReason
from syncportal.demo import names

# (type name, weight, business share, exempt share, account share)
TYPE_MIX = [
    ("Retail", 63, 0.03, 0.002, 0.05),
    ("Contractor", 15, 1.0, 0.015, 0.85),
    ("Wholesale", 9, 1.0, 0.30, 0.90),
    ("Non-profit", 4, 1.0, 0.50, 0.50),
    ("", 9, 0.0, 0.002, 0.0),
]
CREDIT_LIMITS = {
    "Retail": (250, 2500),
    "Contractor": (2000, 25000),
    "Wholesale": (5000, 50000),
    "Non-profit": (500, 5000),
}
# Sub-customers and near-duplicates are kept near their share of all customers made so far (a quota
# with some chance in it), so even a 300-customer demo has its ~9 jobs and ~6 duplicates.
JOB_TARGET, DUPLICATE_TARGET = 0.03, 0.02
JOB_CHANCE = {"Contractor": 0.6, "Wholesale": 0.1, "Non-profit": 0.1, "Retail": 0.1}


class DemoRandom(Random):
    """``random.Random`` with C-speed ``choice`` and ``randint`` (from ``random()``; bias < 2**-40)."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def weighted(values, weights) -> tuple:
    """``values`` repeated by their integer weights: ``rng.choice`` on it is a weighted pick."""
    return tuple(value for value, weight in zip(values, weights, strict=True) for _ in range(weight))


TYPE_SHARES = {t[0]: t for t in TYPE_MIX}
TYPE_POOL = weighted([t[0] for t in TYPE_MIX], [t[1] for t in TYPE_MIX])
CITY_POOL = weighted(names.CITIES, names.CITY_WEIGHTS)
CITY_NAMES = [city[0] for city in names.CITIES]
PHONE_STYLES = weighted(range(6), (45, 28, 10, 8, 7, 2))
EMAIL_DOMAINS = weighted(names.EMAIL_DOMAINS, names.EMAIL_DOMAIN_WEIGHTS)
ADDRESS_KEYS = ("line1", "line2", "city", "region", "postal_code", "country")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@dataclass
class Person:
    """One customer to insert (a row for ``customers.Customer``), with the facts its history needs."""

    customer: dict
    area: str  # tax area of the billing city: "CA", "LA" or "OUT"
    type_name: str = ""
    # May buy on account: a credit limit, or a job under a customer that has one.
    has_account: bool = False
    is_duplicate: bool = False


def _slug(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def format_phone(digits: str, style: int) -> str:
    """A 10-digit number in one of the ways people write it."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return [
        f"({a}) {b}-{c}",
        f"{a}-{b}-{c}",
        f"{a}.{b}.{c}",
        f"+1 {a} {b} {c}",
        f"{a}{b}{c}",
        f"{a}-{b}-{c} x{int(c) % 90 + 10}",
    ][style]


class PeopleMaker:
    """Makes customers batch by batch; display names stay unique across the whole run."""

    def __init__(self, rng: Random, type_ids: dict[str, int], new_id: Callable[[], int]):
        self.rng = rng
        self.new_id = new_id
        self.type_ids = type_ids
        self.used: set[str] = set()
        self.made = self.jobs = self.duplicates = 0

    def batch(self, size: int) -> list[Person]:
        """``size`` customers; a parent always comes before its sub-customers."""
        out: list[Person] = []
        while len(out) < size:
            person = self._top_level()
            spawned = self._jobs(person)
            if self.duplicates < DUPLICATE_TARGET * self.made and self.rng.random() < 0.3:
                spawned.append(self._duplicate(person))
            taken = [person, *spawned][: size - len(out)]
            out.extend(taken)
            self.made += len(taken)
            self.jobs += sum(1 for p in taken if "parent_id" in p.customer)
            self.duplicates += sum(1 for p in taken if p.is_duplicate)
        return out

    # --- names -------------------------------------------------------------------------------
    def _unique(self, wanted: str, given: str = "", family: str = "") -> str:
        name = wanted
        if name.lower() in self.used and given and family:
            for letter in self.rng.sample("ABCDEFGHJKLMNPRSTW", 6):
                name = f"{given} {letter}. {family}"
                if name.lower() not in self.used:
                    break
        number = 2
        while name.lower() in self.used:
            name = f"{wanted} {number}"
            number += 1
        self.used.add(name.lower())
        return name

    def _company(self, type_name: str) -> str:
        rng = self.rng
        ending = rng.choice(names.COMPANY_ENDINGS if type_name != "Non-profit" else ("", "", "", "Inc."))
        r = rng.random()
        word = rng.choice(names.BUSINESS_WORDS if r < 0.4 else names.LAST_NAMES if r < 0.8 else CITY_NAMES)
        trade = rng.choice(names.TRADES[type_name or "Retail"])
        return f"{word} {trade} {ending}".strip()

    # --- contact details ---------------------------------------------------------------------
    def _address(self) -> tuple[dict, str, str]:
        rng = self.rng
        city, state, zip3, area, area_code = rng.choice(CITY_POOL)
        line2 = ""
        if rng.random() < 0.15:
            line2 = f"{rng.choice(names.UNIT_KINDS)} {rng.randint(1, 320)}"
        addr = {
            "line1": f"{rng.randint(1, 9899)} {rng.choice(names.STREETS)} {rng.choice(names.STREET_TYPES)}",
            "line2": line2,
            "city": city,
            "region": state,
            "postal_code": f"{zip3}{rng.randint(1, 99):02d}",
            "country": "USA",
        }
        return addr, area, area_code

    def _phone_digits(self, area_code: str) -> str:
        return f"{area_code}{self.rng.randint(201, 989)}{self.rng.randint(0, 9999):04d}"

    def _phone_style(self) -> int:
        return self.rng.choice(PHONE_STYLES)

    def _email(self, given: str, family: str, company: str) -> str:
        rng = self.rng
        g, f = _slug(given), _slug(family)
        if company and rng.random() < 0.6:
            local = rng.choice([g, "office", "accounts", "billing", f"{g[:1]}{f}"])
            return f"{local}@{_slug(company)[:20]}.com"
        domain = rng.choice(EMAIL_DOMAINS)
        local = rng.choice(
            [
                f"{g}.{f}",
                f"{g[:1]}{f}{rng.randint(1, 99)}",
                f"{f}{g[:1]}",
                f"{g}{rng.randint(1950, 2006)}",
                f"{g}_{f}",
            ]
        )
        return f"{local}@{domain}"

    # --- customers ---------------------------------------------------------------------------
    def _top_level(self) -> Person:
        rng = self.rng
        type_name = rng.choice(TYPE_POOL)
        _, _, business_share, exempt_share, account_share = TYPE_SHARES[type_name]
        given, family = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        company = ""
        if rng.random() < business_share:
            for _ in range(8):  # another name rather than "Acme Plumbing 2"
                company = self._company(type_name)
                if company.lower() not in self.used:
                    break
        display = self._unique(company or f"{given} {family}", "" if company else given, family)
        bill, area, area_code = self._address()
        no_address = not company and rng.random() < 0.04
        c = dict(
            id=self.new_id(),
            display_name=display,
            title=rng.choice(names.TITLES) if rng.random() < 0.08 else "",
            given_name=given,
            middle_name=rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.12 else "",
            family_name=family,
            suffix=rng.choice(names.SUFFIXES) if rng.random() < 0.02 else "",
            company_name=company,
            email=self._email(given, family, company) if rng.random() < 0.92 else "",
            phone=format_phone(self._phone_digits(area_code), self._phone_style())
            if rng.random() < 0.95
            else "",
            mobile=format_phone(self._phone_digits(area_code), self._phone_style())
            if rng.random() < 0.35
            else "",
            website=f"https://www.{_slug(company)[:24]}.com" if company and rng.random() < 0.4 else "",
            customer_type_id=self.type_ids.get(type_name),
            is_active=rng.random() > 0.03,
            sync_with_quickbooks=rng.random() > 0.05,
        )
        if (
            not company
            and display.startswith(f"{given} ")
            and display[len(given) + 2 : len(given) + 4] == ". "
        ):
            c["middle_name"] = display[len(given) + 1]  # "John A. Smith": the initial that made it unique
        if not no_address:
            self._set_address(c, "bill", bill)
            ship = rng.random()
            if ship < (0.5 if company else 0.25):
                self._set_address(c, "ship", bill)
            elif ship < (0.8 if company else 0.3):
                self._set_address(c, "ship", self._address()[0])
        if rng.random() < exempt_share:
            self._exempt(c, type_name)
        c["credit_limit"] = None
        if c["is_active"] and rng.random() < account_share:
            low, high = CREDIT_LIMITS[type_name]
            c["credit_limit"] = Decimal(rng.randrange(low, high + 1, 250))
        if rng.random() < 0.2:
            picks = rng.sample(names.CUSTOM_FIELDS, rng.choice([1, 1, 2]))
            c["custom_fields"] = {name: rng.choice(values) for name, values in picks}
        if rng.random() < 0.05:
            c["notes"] = rng.choice(names.NOTES)
        return Person(c, area, type_name, has_account=c["credit_limit"] is not None)

    def _exempt(self, c: dict, type_name: str) -> None:
        rng = self.rng
        reason = {
            "Wholesale": [TaxExemptionReason.RESALE],
            "Contractor": [TaxExemptionReason.RESALE, TaxExemptionReason.INDUSTRIAL],
            "Non-profit": [
                TaxExemptionReason.CHARITABLE,
                TaxExemptionReason.RELIGIOUS,
                TaxExemptionReason.EDUCATIONAL,
            ],
        }.get(type_name, [TaxExemptionReason.AGRICULTURAL, TaxExemptionReason.FOREIGN_DIPLOMAT])
        c["tax_exempt"] = True
        c["tax_exemption_reason"] = int(rng.choice(reason))
        prefix = "SR" if c["tax_exemption_reason"] == TaxExemptionReason.RESALE else "EX"
        c["resale_number"] = f"{prefix}-{rng.randint(100, 999)}-{rng.randint(100000, 999999)}"

    @staticmethod
    def _set_address(c: dict, prefix: str, addr: dict) -> None:
        for key, value in addr.items():
            c[f"{prefix}_{key}"] = value

    def _jobs(self, parent: Person) -> list[Person]:
        rng = self.rng
        if not parent.customer["company_name"] or self.jobs >= JOB_TARGET * self.made:
            return []
        if rng.random() >= JOB_CHANCE.get(parent.type_name, 0):
            return []
        out: list[Person] = []
        for _ in range(rng.choice([1, 1, 2, 3])):
            job = self._job(parent, f"{rng.choice(names.JOBS)}, {self._address()[0]['line1']}")
            out.append(job)
            if rng.random() < 0.25:
                for phase in rng.sample(names.JOB_PHASES, rng.choice([1, 2])):
                    out.append(self._job(job, f"{job.customer['display_name']} - {phase}"))
        return out

    def _job(self, parent: Person, name: str) -> Person:
        rng, p = self.rng, parent.customer
        site, _, _ = self._address()
        c = dict(
            id=self.new_id(),
            display_name=self._unique(name),
            given_name=p["given_name"],
            family_name=p["family_name"],
            company_name=p["company_name"],
            email=p["email"] if rng.random() < 0.3 else "",
            customer_type_id=p["customer_type_id"],
            parent_id=p["id"],
            depth=p.get("depth", 0) + 1,
            bill_with_parent=rng.random() < 0.6,
            is_active=p["is_active"] and rng.random() > 0.1,
            sync_with_quickbooks=p["sync_with_quickbooks"],
        )
        for key in ("tax_exempt", "tax_exemption_reason", "resale_number"):
            if key in p:
                c[key] = p[key]
        for key in ADDRESS_KEYS:
            if f"bill_{key}" in p:
                c[f"bill_{key}"] = p[f"bill_{key}"]
        self._set_address(c, "ship", site)
        return Person(c, parent.area, parent.type_name, has_account=parent.has_account and c["is_active"])

    def _duplicate(self, original: Person) -> Person:
        """The same customer entered again with the slips staff make at a busy register."""
        rng, o = self.rng, original.customer
        given, family, company = o["given_name"], o["family_name"], o["company_name"]
        change = rng.randrange(4)
        if company:
            company = rng.choice(
                [
                    company.replace(" Inc", ", Inc").replace(" LLC", ", LLC"),
                    re.sub(r"\s+(Inc\.?|LLC|Co\.|Corp\.|Group|& Sons)$", "", company),
                    f"The {company}",
                    _typo(rng, company),
                ]
            )
            if company == o["company_name"]:
                company = f"{company} (new)"
            display = company
        elif change == 0:
            family = _typo(rng, family)
            display = f"{given} {family}"
        elif change == 1:
            given = names.NICKNAMES.get(given) or names.NAME_VARIANTS.get(given) or _typo(rng, given)
            display = f"{given} {family}"
        elif change == 2:
            given, family = family, given
            display = rng.choice([f"{given} {family}", f"{given}, {family}"])
        else:
            display = f"{given[:1]}. {family}"
        email = o["email"]
        if email and rng.random() < 0.85:
            local, _, domain = email.partition("@")
            email = rng.choice(
                [
                    f"{local.title()}@{domain.title()}",
                    f"{local}+{rng.choice(names.PLUS_TAGS)}@{domain}",
                    email.upper(),
                    f"{local.replace('.', '')}@{domain}",
                ]
            )
        digits = re.sub(r"\D", "", o["phone"])[-10:]
        c = dict(
            id=self.new_id(),
            display_name=self._unique(display, given, family),
            given_name=given,
            family_name=family,
            company_name=company,
            email=email if rng.random() < 0.9 else "",
            phone=format_phone(digits, rng.randrange(1, 5)) if len(digits) == 10 else o["mobile"],
            is_active=True,
            sync_with_quickbooks=o["sync_with_quickbooks"],
        )
        if rng.random() < 0.7 and "bill_line1" in o:
            self._set_address(c, "bill", {k: o[f"bill_{k}"] for k in ADDRESS_KEYS})
            c["bill_line1"] = c["bill_line1"].replace(" St", " Street").replace(" Ave", " Avenue")
        return Person(c, original.area, "", is_duplicate=True)


def _typo(rng: Random, word: str) -> str:
    """A believable slip of the keyboard in ``word``: a dropped, doubled or swapped letter."""
    if word in names.NAME_VARIANTS and rng.random() < 0.6:
        return names.NAME_VARIANTS[word]
    # Inside a word, never at its first letter: "Smtih", "Smiith", "Smth", not " Smith" or "Smith  Co".
    spots = [i for i in range(1, len(word) - 1) if word[i - 1 : i + 2].isalpha()]
    if not spots:
        return word + word[-1]
    i = rng.choice(spots)
    kind = rng.randrange(3)
    if kind == 1 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1 :]
