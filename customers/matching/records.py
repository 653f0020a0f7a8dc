"""The two plain records the matcher works on: what it is given and what it compares.

Frozen slotted dataclasses, so a hundred thousand of them stay small and nothing Django-shaped
crosses into the matcher (the scan builds ``CustomerRecord`` from ``values_list`` rows).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One customer as typed: the fields the finder looks at, nothing else."""

    id: int
    display_name: str = ""
    given_name: str = ""
    middle_name: str = ""
    family_name: str = ""
    suffix: str = ""
    company_name: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    postal_code: str = ""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A customer reduced to comparable keys (see ``normalize.prepare``). Empty string = unknown."""

    id: int
    label: str  # the name as typed, quoted in reasons
    first: str  # first given name, folded ("j" when only an initial was typed)
    first_forms: frozenset[str]  # first plus the formal names it is a nickname of
    middle: str  # middle initial
    last: str  # family name, folded, particles and hyphens joined ("delacruz")
    suffix: str  # jr / sr / ii / iii / iv
    company: str  # legal form and "the" dropped
    email: str
    phones: tuple[str, ...]
    street: str  # house number and street with USPS abbreviations ("12 n main st")
    unit: str  # apartment / suite / unit number
    postal: str

    @property
    def has_person(self) -> bool:
        return bool(self.last)
