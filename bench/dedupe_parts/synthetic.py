"""Synthetic store customers with injected duplicates and known ground truth.

The population looks like one store's customer list: names drawn by US frequency (Faker's census
list) plus a long tail of rarer surnames, most customers in a dozen local ZIP codes and two area
codes, about one in eight a business. Besides the duplicates it contains the look-alikes that make
precision hard: family members sharing an address, phone and sometimes an email; neighbours in the
same building; fathers and sons with the same name; and the many same-name strangers the name
frequencies produce by themselves.

Duplicates (~10% of records) are copies of an entity typed again: a quick entry at the register
(name plus one contact detail) or a full re-entry, each field varied in the proportions below.
"""

from __future__ import annotations

from dataclasses import replace

from customers.matching.records import CustomerRecord
from dedupe_parts.fields import COMPANY_WORDS, LEGAL, Gen, digits_of
from dedupe_parts.variations import duplicate_of


def _person(
    g: Gen, rid: int, first: str, last: str, *, email=None, phone=None, addr=None, suffix=""
) -> CustomerRecord:
    street, unit, zip_code = addr if addr else (("", "", "") if g.chance(0.2) else g.address())
    has_email = g.chance(0.75)
    split = g.chance(0.7)
    display = f"{first} {last}" + (f" {suffix}" if suffix else "")
    return CustomerRecord(
        id=rid,
        display_name=display,
        given_name=first if split else "",
        family_name=last if split else "",
        suffix=suffix if split else "",
        email=email if email is not None else (g.email(first, last) if has_email else ""),
        phone=g.fmt_phone(phone if phone else g.phone_digits()) if (phone or g.chance(0.85)) else "",
        mobile=g.fmt_phone(g.phone_digits()) if g.chance(0.2) else "",
        line1=street,
        line2=f"Apt {unit}" if unit else "",
        postal_code=zip_code,
    )


def _business(g: Gen, rid: int) -> CustomerRecord:
    base = f"{g.last()} {g.pick(COMPANY_WORDS)}"
    company = f"{base} {g.pick(LEGAL)}".strip()
    first, last = g.first(g.chance(0.5)), g.last()
    street, unit, zip_code = g.address()
    contact = g.chance(0.5)
    return CustomerRecord(
        id=rid,
        display_name=company,
        company_name=company,
        given_name=first if contact else "",
        family_name=last if contact else "",
        email=g.unique_email(
            g.pick(["info", "office", first.lower(), "billing"]), base.lower().replace(" ", "") + ".com"
        )
        if g.chance(0.7)
        else "",
        phone=g.fmt_phone(g.phone_digits()),
        line1=street,
        line2=f"Suite {unit}" if unit else "",
        postal_code=zip_code,
    )


def generate(size: int, seed: int = 7) -> tuple[list[CustomerRecord], set[tuple[int, int]]]:
    """``size`` customers in shuffled order and the set of true duplicate pairs (low id, high id)."""
    g = Gen(seed)
    entities: list[list[CustomerRecord]] = []
    while len(entities) < size:
        next_id = len(entities)
        if g.chance(0.12):
            cluster = [_business(g, next_id)]
        else:
            female = g.chance(0.5)
            first, last = g.first(female), g.last()
            cluster = [_person(g, next_id, first, last)]
            base = cluster[0]
            if g.chance(0.06):  # a family member at the same address and landline
                addr = (
                    (base.line1, base.line2.replace("Apt ", ""), base.postal_code)
                    if base.line1
                    else g.address()
                )
                shared = base.email if g.chance(0.15) else None
                other = _person(
                    g, -1, g.first(not female), last, email=shared, phone=digits_of(base.phone), addr=addr
                )
                entities.append([other])
            elif g.chance(0.01) and not female:  # father and son, same name
                addr = (
                    (base.line1, base.line2.replace("Apt ", ""), base.postal_code)
                    if base.line1
                    else g.address()
                )
                entities.append(
                    [
                        _person(
                            g,
                            -1,
                            first,
                            last,
                            phone=digits_of(base.phone) if g.chance(0.6) else None,
                            addr=addr,
                            suffix="Jr",
                        )
                    ]
                )
            elif g.chance(0.05) and base.line1:  # neighbours in the same apartment building
                street = base.line1
                for _ in range(g.r.randint(1, 4)):
                    unit = str(g.r.randint(1, 60))
                    entities.append(
                        [
                            _person(
                                g, -1, g.first(g.chance(0.5)), g.last(), addr=(street, unit, base.postal_code)
                            )
                        ]
                    )
        roll = g.r.random()
        copies = 2 if roll < 0.015 else (1 if roll < 0.095 else 0)
        for _ in range(copies):
            cluster.append(duplicate_of(g, cluster[0], -1))
        entities.append(cluster)
    # Shuffle and number: duplicates must not sit next to their originals.
    flat = [(cluster_no, rec) for cluster_no, cluster in enumerate(entities) for rec in cluster][:size]
    g.r.shuffle(flat)
    records, members = [], {}
    for rid, (cluster_no, rec) in enumerate(flat, start=1):
        records.append(replace(rec, id=rid))
        members.setdefault(cluster_no, []).append(rid)
    truth = {(a, b) for ids in members.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}
    return records, truth
