"""Field validators shared by the model, the admin forms and the import."""

import re

from django.core.exceptions import ValidationError

# Characters QuickBooks refuses in customer names (':' separates sub-customer levels).
NAME_FORBIDDEN = re.compile(r"[:\t\n\r]")
PHONE_ALLOWED = re.compile(r"^[0-9+()\-. /x#ext]*$", re.IGNORECASE)


def validate_name(value: str) -> None:
    if value and NAME_FORBIDDEN.search(value):
        raise ValidationError(
            "Names cannot contain a colon, tab or line break: QuickBooks uses ':' to separate "
            "a sub-customer from its parent.",
            code="invalid_name_character",
        )


def validate_phone(value: str) -> None:
    if not value:
        return
    digits = re.sub(r"\D", "", value)
    if not PHONE_ALLOWED.match(value) or not 7 <= len(digits) <= 15:
        raise ValidationError(
            "Enter a phone number with 7 to 15 digits, e.g. (555) 123-4567 or +1 555 123 4567.",
            code="invalid_phone",
        )
