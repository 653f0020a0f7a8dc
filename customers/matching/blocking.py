"""Blocking: which pairs are worth scoring, without ever comparing every customer with every other.

Each key family puts customers that share a cheap key into a block; only customers in the same
block are compared. The families are chosen so that each kind of typing difference still leaves
the two records sharing at least one key:

- ``email`` / ``phone``: the normalised email, the last seven digits of each phone number;
- ``name``: family name + initial of the first name or of any formal name it is a nickname of
  (catches first-name typos, nicknames and initials);
- ``name-head`` / ``name-tail``: first name + first or last three letters of the family name
  (four for long names; a typo in the family name rarely touches both ends);
- ``full-name``: first and family name in sorted order (catches "Last, First" typed the wrong way);
- ``street``: house number and street after abbreviation (household members, people without email);
- ``company``: first word + initial of the second, last word + initial of the first.

A block bigger than ``max_block`` (a very common name) is not compared all-pairs: its members are
sorted and each is compared with the next ``window`` ones (sorted neighbourhood), so the work per
customer stays bounded however skewed the names are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from customers.matching.records import Prepared

KeyFunction = Callable[[Prepared], Iterable[str]]


@dataclass(frozen=True, slots=True)
class KeyFamily:
    name: str
    keys: KeyFunction


def _email(p: Prepared) -> Iterable[str]:
    return (p.email,) if p.email else ()


def _phone(p: Prepared) -> Iterable[str]:
    return tuple(phone[-7:] for phone in p.phones)


def _name(p: Prepared) -> Iterable[str]:
    if not p.last:
        return ()
    if not p.first:
        return (p.last + "|",)
    return {f"{p.last}|{form[0]}" for form in p.first_forms}


def _affix(last: str) -> int:
    # Long names keep four letters: still clear of a one-letter typo at the other end.
    return 4 if len(last) >= 8 else 3


def _name_head(p: Prepared) -> Iterable[str]:
    return (f"{p.first}|{p.last[: _affix(p.last)]}",) if p.first and len(p.last) > 3 else ()


def _name_tail(p: Prepared) -> Iterable[str]:
    return (f"{p.first}|{p.last[-_affix(p.last) :]}",) if p.first and len(p.last) > 3 else ()


def _full_name(p: Prepared) -> Iterable[str]:
    if not p.first or len(p.first) < 2 or not p.last:
        return ()
    return ("|".join(sorted((p.first, p.last))),)


def _street(p: Prepared) -> Iterable[str]:
    return (p.street,) if p.street and p.street[:1].isdigit() else ()


def _company(p: Prepared) -> Iterable[str]:
    if not p.company:
        return ()
    words = p.company.split()
    return {f"{words[0]}|{words[1][:1] if len(words) > 1 else ''}", f"~{words[-1]}|{words[0][:1]}"}


KEY_FAMILIES: tuple[KeyFamily, ...] = (
    KeyFamily("email", _email),
    KeyFamily("phone", _phone),
    KeyFamily("name", _name),
    KeyFamily("name-head", _name_head),
    KeyFamily("name-tail", _name_tail),
    KeyFamily("full-name", _full_name),
    KeyFamily("street", _street),
    KeyFamily("company", _company),
)


def _sort_key(p: Prepared) -> tuple[str, str, str]:
    return (p.first, p.last, p.email)


def blocks(prepared: list[Prepared], family: KeyFamily) -> Iterator[list[int]]:
    """Lists of indexes into ``prepared`` that share a key of ``family`` (two or more members).

    The key dict maps to a bare index until a second member arrives, which keeps the many
    one-member keys cheap.
    """
    index: dict[str, int | list[int]] = {}
    key_function = family.keys
    for position, record in enumerate(prepared):
        for key in key_function(record):
            members = index.get(key)
            if members is None:
                index[key] = position
            elif isinstance(members, int):
                index[key] = [members, position]
            else:
                members.append(position)
    for members in index.values():
        if not isinstance(members, int):
            yield members


def block_pairs(
    prepared: list[Prepared], members: list[int], *, max_block: int, window: int
) -> Iterator[tuple[int, int]]:
    """Index pairs (low, high) to compare within one block."""
    size = len(members)
    if size <= max_block:
        for i in range(size):
            left = members[i]
            for j in range(i + 1, size):
                right = members[j]
                yield (left, right) if left < right else (right, left)
        return
    ordered = sorted(members, key=lambda position: _sort_key(prepared[position]))
    for i in range(size):
        left = ordered[i]
        for j in range(i + 1, min(i + 1 + window, size)):
            right = ordered[j]
            yield (left, right) if left < right else (right, left)
