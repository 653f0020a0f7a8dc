"""Parse a QBO query string into a ``Query``; syntax faults are 4000, validation faults 4001.

Grammar (spec §4.7), keywords/entities/properties in any case::

    SELECT ( * | COUNT(*) | * , Field [, Field]* | Field [, Field]* ) FROM Entity
      [WHERE cond (AND cond)*]
      [ORDERBY | ORDER BY  Field [ASC|DESC] [, Field [ASC|DESC]]*]
      [STARTPOSITION n] [MAXRESULTS n]          (either order, each at most once)
    cond  := Field op Value | Field IN (Value [, Value]*) | Field LIKE 'pattern'
    op    := = < > <= >= != <>                  (<> is read as !=)
    Value := 'text' (\\' and '' escape a quote) | number | true | false | CURRENT_DATE

Parser faults imitate QBO's JavaCC messages (``Encountered " <IDENTIFIER> "TxnDate "" at line 1,
column 29.``). The fault for an unknown entity is a 4001 ``Entity <X> not found``: an emulator
choice (spec gives no wording), kept as a validation fault like an unknown property.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .schema import ENTITY_PROPERTIES, canonical_entity, canonical_property
from .values import DATETIME_FIELDS, DEFAULT_COMPANY_TZ, parse_datetime, zone

OPERATORS = frozenset({"=", "<", ">", "<=", ">=", "!=", "IN", "LIKE"})
ID_OPERATORS = frozenset({"=", "IN"})

_KEYWORDS = frozenset(
    {
        *("SELECT", "FROM", "WHERE", "AND", "ORDER", "ORDERBY", "BY", "ASC", "DESC"),
        *("STARTPOSITION", "MAXRESULTS", "COUNT", "IN", "LIKE", "TRUE", "FALSE", "CURRENT_DATE"),
    }
)
_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op><=|>=|!=|<>|=|<|>)"
    r"|(?P<punct>[*,()])"
)
_KIND_LABEL = {
    "ident": "<IDENTIFIER>",
    "int": "<INTEGER>",
    "decimal": "<DECIMAL>",
    "string": "<STRING_LITERAL>",
}


class QueryError(Exception):
    """A query fault: ``code`` "4000" (parse) or "4001" (validation), with QBO's Message/Detail."""

    def __init__(self, code: str, message: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.message = message
        self.detail = detail

    def as_error(self) -> dict[str, str]:
        """One ``Fault.Error`` item."""
        return {"Message": self.message, "Detail": self.detail, "code": self.code, "element": ""}


def parse_error(detail: str) -> QueryError:
    return QueryError("4000", "Error parsing query", f"QueryParserError: {detail}")


def validation_error(detail: str) -> QueryError:
    return QueryError("4001", "Invalid query", f"QueryValidationError: {detail}")


@dataclass(frozen=True)
class Condition:
    field: str  # canonical property path: "DisplayName", "MetaData.LastUpdatedTime", "CustomerRef"
    op: str  # one of OPERATORS
    value: str | int | float | bool | Decimal | tuple  # tuple for IN


@dataclass(frozen=True)
class Query:
    entity: str
    count_only: bool = False
    fields: tuple[str, ...] | None = None  # None = "*"
    conditions: tuple[Condition, ...] = ()
    order_by: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    start_position: int = 1  # 1-based
    max_results: int | None = None  # None = not given (the server applies its default, 100)
    mentions_active: bool = False  # the WHERE clause names Active: no default Active=true filter
    extra_fields: tuple[str, ...] = ()  # "SELECT *, Sku" -> fields None, extra_fields ("Sku",)
    company_tz: str = DEFAULT_COMPANY_TZ  # naive datetimes and bare dates in values are in this zone


@dataclass
class _Token:
    kind: str  # ident keyword int decimal string op punct eof
    image: str
    value: object
    line: int
    column: int


class _CurrentDate:
    """Placeholder for CURRENT_DATE until parse_query knows the company's today."""


_CURRENT_DATE = _CurrentDate()


def _escape(text: str) -> str:
    table = {"\\": "\\\\", '"': '\\"', "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return "".join(table.get(ch, ch) for ch in text)


def _position(sql: str, offset: int) -> tuple[int, int]:
    line = sql.count("\n", 0, offset) + 1
    return line, offset - sql.rfind("\n", 0, offset)


def _read_string(sql: str, start: int) -> tuple[str, int]:
    """The text of the literal opening at ``start`` and the offset after its closing quote."""
    out: list[str] = []
    i = start + 1
    while i < len(sql):
        ch = sql[i]
        if ch == "\\" and i + 1 < len(sql) and sql[i + 1] in "'\\":
            out.append(sql[i + 1])
            i += 2
        elif ch == "'" and sql.startswith("''", i):
            out.append("'")
            i += 2
        elif ch == "'":
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    line, column = _position(sql, len(sql))
    raise parse_error(
        f'Lexical error at line {line}, column {column}.  Encountered: <EOF> after : "{_escape(sql[start:])}"'
    )


def _tokenize(sql: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(sql):
        line, column = _position(sql, i)
        if sql[i] == "'":
            text, end = _read_string(sql, i)
            tokens.append(_Token("string", sql[i:end], text, line, column))
            i = end
            continue
        match = _TOKEN.match(sql, i)
        if match is None:
            ch = sql[i]
            raise parse_error(
                f'Lexical error at line {line}, column {column}.  Encountered: "{_escape(ch)}" ({ord(ch)}), '
                'after : ""'
            )
        image, kind = match.group(), match.lastgroup or ""
        i = match.end()
        if kind == "ws":
            continue
        if kind == "number":
            value: object = Decimal(image) if "." in image else int(image)
            kind = "decimal" if "." in image else "int"
        elif kind == "ident" and image.upper() in _KEYWORDS:
            kind, value = "keyword", image.upper()
        else:
            value = image
        tokens.append(_Token(kind, image, value, line, column))
    line, column = _position(sql, len(sql))
    tokens.append(_Token("eof", "", None, line, column))
    return tokens


@dataclass
class _Raw:
    entity: str = ""
    count_only: bool = False
    star: bool = False
    fields: list[str] | None = None
    conditions: list[tuple[str, str, object]] | None = None
    order_by: list[tuple[str, bool]] | None = None
    start: int | None = None
    max_results: int | None = None


class _Parser:
    def __init__(self, sql: str) -> None:
        self.tokens = _tokenize(sql)
        self.pos = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def advance(self) -> _Token:
        token = self.tokens[self.pos]
        if token.kind != "eof":
            self.pos += 1
        return token

    def at(self, kind: str, *values: str) -> bool:
        token = self.peek()
        return token.kind == kind and (not values or token.value in values)

    def expect(self, kind: str, *values: str) -> _Token:
        if not self.at(kind, *values):
            raise self.unexpected()
        return self.advance()

    def unexpected(self) -> QueryError:
        token = self.peek()
        if token.kind == "eof":
            seen = "<EOF>"
        else:
            label = _KIND_LABEL.get(token.kind) or f'"{_escape(str(token.value))}"'
            seen = f' {label} "{_escape(token.image)} "'
        return parse_error(f'Encountered "{seen}" at line {token.line}, column {token.column}.')

    def parse(self) -> _Raw:
        raw = _Raw(fields=[], conditions=[], order_by=[])
        self.expect("keyword", "SELECT")
        if self.at("keyword", "COUNT"):
            self.advance()
            for ch in "(*)":
                self.expect("punct", ch)
            raw.count_only = True
        else:
            if self.at("punct", "*"):
                self.advance()
                raw.star = True
            else:
                raw.fields.append(self.expect("ident").image)
            while self.at("punct", ","):
                self.advance()
                raw.fields.append(self.expect("ident").image)
        self.expect("keyword", "FROM")
        raw.entity = self.expect("ident").image
        if self.at("keyword", "WHERE"):
            self.advance()
            raw.conditions.append(self.condition())
            while self.at("keyword", "AND"):
                self.advance()
                raw.conditions.append(self.condition())
        if self.at("keyword", "ORDER", "ORDERBY"):
            if self.advance().value == "ORDER":
                self.expect("keyword", "BY")
            while True:
                name = self.expect("ident").image
                descending = self.at("keyword", "DESC")
                if self.at("keyword", "ASC", "DESC"):
                    self.advance()
                raw.order_by.append((name, descending))
                if not self.at("punct", ","):
                    break
                self.advance()
        while self.at("keyword", "STARTPOSITION", "MAXRESULTS"):
            keyword = self.peek().value
            if (raw.start if keyword == "STARTPOSITION" else raw.max_results) is not None:
                raise self.unexpected()
            self.advance()
            number = int(str(self.expect("int").value))
            if keyword == "STARTPOSITION":
                raw.start = number
            else:
                raw.max_results = number
        self.expect("eof")
        return raw

    def condition(self) -> tuple[str, str, object]:
        name = self.expect("ident").image
        if self.at("keyword", "IN"):
            self.advance()
            self.expect("punct", "(")
            values = [self.literal()]
            while self.at("punct", ","):
                self.advance()
                values.append(self.literal())
            self.expect("punct", ")")
            return name, "IN", tuple(values)
        if self.at("keyword", "LIKE"):
            self.advance()
            return name, "LIKE", self.expect("string").value
        op = self.expect("op").image
        return name, "!=" if op == "<>" else op, self.literal()

    def literal(self) -> object:
        token = self.peek()
        if token.kind in ("string", "int", "decimal"):
            return self.advance().value
        if token.kind == "keyword" and token.value in ("TRUE", "FALSE"):
            return self.advance().value == "TRUE"
        if token.kind == "keyword" and token.value == "CURRENT_DATE":
            self.advance()
            return _CURRENT_DATE
        raise self.unexpected()


def _property(entity: str, name: str) -> str:
    canonical = canonical_property(entity, name)
    if canonical is None:
        raise validation_error(f"Property {name} not found for Entity {entity}")
    return canonical


def parse_query(
    sql: str,
    max_results_limit: int = 1000,
    *,
    company_tz: str = DEFAULT_COMPANY_TZ,
    today: date | None = None,
) -> Query:
    """Parse and validate ``sql``. ``today`` (the company's current date, from the sandbox clock)
    is what CURRENT_DATE means; by default the real date in ``company_tz``."""
    raw = _Parser(sql).parse()
    entity = canonical_entity(raw.entity)
    if entity is None:
        raise validation_error(f"Entity {raw.entity} not found")
    names = [_property(entity, name) for name in raw.fields or []]
    unique = tuple(dict.fromkeys(names))
    current = (today or datetime.now(zone(company_tz)).date()).isoformat()

    def resolve(value: object) -> object:
        return current if value is _CURRENT_DATE else value

    conditions = []
    for name, op, value in raw.conditions or []:
        value = tuple(resolve(v) for v in value) if isinstance(value, tuple) else resolve(value)
        conditions.append(Condition(_property(entity, name), op, value))  # type: ignore[arg-type]
    order_by = tuple((_property(entity, name), desc) for name, desc in raw.order_by or [])
    if raw.max_results is not None and raw.max_results > max_results_limit:
        raise validation_error(
            f"value {raw.max_results} is too large. Max allowed value is {max_results_limit}"
        )
    if raw.max_results is not None and raw.max_results < 0:
        raise validation_error(f"value {raw.max_results} is too small. Min allowed value is 0")
    query = Query(
        entity=entity,
        count_only=raw.count_only,
        fields=None if raw.star or raw.count_only else unique,
        conditions=tuple(conditions),
        order_by=order_by,
        start_position=max(raw.start or 1, 1),
        max_results=raw.max_results,
        mentions_active=any(c.field == "Active" for c in conditions),
        extra_fields=unique if raw.star else (),
        company_tz=company_tz,
    )
    validate_properties(query)
    return query


def validate_properties(query: Query) -> None:
    """Every property named by ``query`` exists on its entity (canonical spelling), ``Id`` is only
    compared with = or IN, and datetime properties get datetime values. Raises 4001."""
    props = ENTITY_PROPERTIES.get(query.entity)
    if props is None:
        raise validation_error(f"Entity {query.entity} not found")
    named = [
        *(query.fields or ()),
        *query.extra_fields,
        *(c.field for c in query.conditions),
        *(f for f, _ in query.order_by),
    ]
    for name in named:
        if name not in props:
            raise validation_error(f"Property {name} not found for Entity {query.entity}")
    for cond in query.conditions:
        if cond.op not in OPERATORS:
            raise validation_error(f"Operator {cond.op} is not supported")
        if cond.field == "Id" and cond.op not in ID_OPERATORS:
            raise validation_error(f"Operator {cond.op} is not supported for property Id")
        if cond.field in DATETIME_FIELDS and cond.op != "LIKE":
            values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
            for value in values:
                if parse_datetime(value, query.company_tz) is None:
                    raise validation_error(f"Invalid DateTime value {value} for property {cond.field}")
