"""How a duplicate differs from the original: the same entity typed again, in realistic proportions."""

from __future__ import annotations

import string
from dataclasses import replace

from customers.matching.records import CustomerRecord
from dedupe_parts.fields import FORMAL_OF, LEGAL, NICKNAME_OF, Gen, digits_of


def _vary_name(g: Gen, rec: CustomerRecord) -> CustomerRecord:
    first = rec.given_name or rec.display_name.split()[0]
    last = rec.family_name or rec.display_name.split()[-1]
    roll = g.r.random()
    display_only = False
    if roll < 0.30:
        pass
    elif roll < 0.42:
        first, last = (first.upper(), last.upper()) if g.chance(0.5) else (first.lower(), last.lower())
    elif roll < 0.56:
        if g.chance(0.5):
            first = g.typo(first)
        else:
            last = g.typo(last)
    elif roll < 0.64:
        if g.chance(0.5) and len(last) >= 4:
            last = g.transpose(last)
        else:
            first = g.transpose(first)
    elif roll < 0.74:
        first = g.pick(NICKNAME_OF[first]) if first in NICKNAME_OF else FORMAL_OF.get(first, first)
    elif roll < 0.80:
        first = first[0] + ("." if g.chance(0.5) else "")
    elif roll < 0.90:
        return replace(rec, display_name=f"{last}, {first}", given_name="", family_name="", suffix="")
    elif roll < 0.95:
        return replace(rec, given_name=last, family_name=first, display_name=f"{last} {first}")
    else:
        return replace(rec, middle_name=g.pick(string.ascii_uppercase))
    display = f"{first} {last}" + (f" {rec.suffix}" if rec.suffix else "")
    if display_only or not rec.given_name:
        return replace(rec, display_name=display, given_name="", family_name="")
    return replace(rec, display_name=display, given_name=first, family_name=last)


def _vary_email(g: Gen, email: str, first: str, last: str) -> str:
    roll = g.r.random()
    if not email or roll < 0.45:
        return email
    local, _, domain = email.partition("@")
    if roll < 0.53:
        return email.upper() if g.chance(0.3) else local.title() + "@" + domain
    if roll < 0.61:
        return f"{local}+{g.pick(['shop', 'store', 'receipts', 'news'])}@{domain}"
    if roll < 0.65 and domain == "gmail.com":
        return local.replace(".", "") + "@" + domain if "." in local else f"{local[:2]}.{local[2:]}@{domain}"
    if roll < 0.85:
        return ""
    return g.email(first, last)


def _vary_phone(g: Gen, phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
    roll = g.r.random()
    if not phone or roll < 0.35:
        return phone
    if roll < 0.60:
        return g.fmt_phone(digits)
    if roll < 0.68:
        return f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    if roll < 0.71:
        return f"{digits[3:6]}-{digits[6:]}"
    if roll < 0.88:
        return ""
    return g.fmt_phone(g.phone_digits())


def _vary_address(g: Gen, rec: CustomerRecord) -> CustomerRecord:
    roll = g.r.random()
    if not rec.line1 or roll < 0.40:
        return rec
    if roll < 0.65:
        return replace(
            rec,
            line1=g.abbreviate(rec.line1),
            line2=rec.line2.replace("Apt ", g.pick(["#", "Apt. ", "Unit "])),
        )
    if roll < 0.70 and rec.line2:
        return replace(rec, line1=f"{rec.line1} #{rec.line2.split()[-1]}", line2="")
    if roll < 0.85:
        return replace(rec, line1="", line2="", postal_code="" if g.chance(0.5) else rec.postal_code)
    if roll < 0.95:
        street, unit, zip_code = g.address()
        return replace(rec, line1=street, line2=f"Apt {unit}" if unit else "", postal_code=zip_code)
    return replace(rec, postal_code=f"{rec.postal_code}-{g.r.randint(1000, 9999)}")


def _vary_company(g: Gen, rec: CustomerRecord) -> CustomerRecord:
    roll = g.r.random()
    words = rec.company_name.split()
    if roll < 0.5 or not words:
        return rec
    if roll < 0.8:
        base = " ".join(w for w in words if w not in LEGAL)
        name = f"{'The ' if g.chance(0.2) else ''}{base} {g.pick(LEGAL)}".strip()
    elif roll < 0.9:
        name = rec.company_name.upper()
    else:
        words[0] = g.typo(words[0])
        name = " ".join(words)
    return replace(rec, company_name=name, display_name=name)


def _quick_email(g: Gen, email: str) -> str:
    if not email or g.chance(0.1):
        return ""  # a name-only entry
    local, _, domain = email.partition("@")
    return g.pick([email, email.upper(), f"{local}+shop@{domain}", local.title() + "@" + domain])


def duplicate_of(g: Gen, rec: CustomerRecord, rid: int) -> CustomerRecord:
    """The same entity typed again."""
    dup = replace(rec, id=rid)
    dup = _vary_company(g, dup) if rec.company_name else _vary_name(g, dup)
    first = (rec.given_name or rec.display_name.split()[0]).strip(".,")
    last = (rec.family_name or rec.display_name.split()[-1]).strip(".,")
    if g.chance(0.4):  # quick entry at the register: the name and one way to reach them
        keep_phone = bool(rec.phone) and (not rec.email or g.chance(0.6))
        return replace(
            dup,
            email="" if keep_phone else _quick_email(g, rec.email),
            phone=g.fmt_phone(digits_of(rec.phone)) if keep_phone else "",
            mobile="",
            line1="",
            line2="",
            postal_code="",
            given_name="",
            family_name="",
            middle_name="",
        )
    dup = replace(dup, email=_vary_email(g, rec.email, first, last), phone=_vary_phone(g, rec.phone))
    return _vary_address(g, dup)
