"""Save-time checks of one company's sync settings, in plain words (pure); see ``validation``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from integrations.mapping.choices import SENDS, CustomerScope, Entity, PoDestination, UnmatchedAction
from integrations.mapping.options import PAYMENT_METHODS, SyncOptions
from integrations.mapping.validation import Problem


def _check_map(value, name: str, field: str, keys: Iterable[str] | None, what: str) -> list[Problem]:
    if not isinstance(value, Mapping) or not all(isinstance(v, str) and v.strip() for v in value.values()):
        return [Problem(f'The {name} must be a JSON object of text, e.g. {{"cash": "Cash"}}.', field)]
    if keys is None:
        return []
    known = set(keys)
    return [
        Problem(f"‘{key}’ is not a SyncPortal {what} ({', '.join(sorted(known)) or 'none yet'}).", field)
        for key in value
        if key not in known
    ]


def check_settings(
    options: SyncOptions,
    *,
    customer_types: Iterable[str],
    tax_codes: Iterable[str],
    customer_mappings: Iterable | None,
    customer_exists: Callable[[str], bool | None],
) -> list[Problem]:
    """Problems with one company's sync settings.

    ``customer_exists(qbo_id)`` answers whether QuickBooks has that customer, or ``None`` when it
    cannot tell (not connected): then the save goes ahead with a warning.
    """
    problems = []
    known_types = set(customer_types)
    if options.customer_scope == CustomerScope.BY_TYPE and not options.customer_types:
        problems.append(
            Problem(
                "Choose at least one customer type, or sync all or only flagged customers.", "customer_types"
            )
        )
    problems += [
        Problem(f"‘{name}’ is not a customer type.", "customer_types")
        for name in options.customer_types
        if name not in known_types
    ]
    if options.unmatched_action == UnmatchedAction.DEFAULT_CUSTOMER and not options.default_customer_qbo_id:
        problems.append(
            Problem(
                "Choose the QuickBooks customer that unmatched sales are posted to.",
                "default_customer_qbo_id",
            )
        )
    for field, what in (
        ("default_customer_qbo_id", "default customer"),
        ("walk_in_customer_qbo_id", "walk-in customer"),
    ):
        qbo_id = getattr(options, field)
        if not qbo_id:
            continue
        if not qbo_id.isdigit():
            problems.append(
                Problem(f"A QuickBooks customer id is a number, e.g. 58; ‘{qbo_id}’ is not.", field)
            )
            continue
        exists = customer_exists(qbo_id)
        if exists is False:
            problems.append(
                Problem(
                    f"QuickBooks customer {qbo_id} does not exist in this company; choose the {what} again.",
                    field,
                )
            )
        elif exists is None:
            problems.append(
                Problem(
                    f"Could not check that QuickBooks customer {qbo_id} (the {what}) exists: "
                    "the company is not connected. Saved; check it once connected.",
                    field,
                    warning=True,
                )
            )
    if customer_mappings is not None:
        sent = {m.qbo_path for m in customer_mappings if m.direction in SENDS and m.entity == Entity.CUSTOMER}
        if options.name_field not in sent:
            problems.append(
                Problem(
                    f"Customer names go to {options.name_field}, but no customer mapping sends anything to "
                    f"{options.name_field}.",
                    "name_field",
                )
            )
    problems += _check_map(
        options.payment_method_map,
        "payment method map",
        "payment_method_map",
        PAYMENT_METHODS,
        "payment method",
    )
    problems += _check_map(options.tax_code_map, "tax code map", "tax_code_map", tax_codes, "tax code")
    problems += _check_map(
        options.category_income_accounts, "category income accounts", "category_income_accounts", None, ""
    )
    needs_po_field = options.po_destination in (PoDestination.CUSTOM_FIELD, PoDestination.POS)
    if needs_po_field and not options.po_custom_field_name.strip():
        problems.append(
            Problem(
                "Name the QuickBooks custom field that receives PO numbers, e.g. P.O. Number.",
                "po_custom_field_name",
            )
        )
    return problems
