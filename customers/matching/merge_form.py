"""The side-by-side merge page's form: which record to keep and, per differing field, which value.

Choices are made per column ("the value on the left" / "on the right"), not per role, so switching
which record survives does not flip the values already picked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from customers.matching.merge_fields import DUPLICATE, SURVIVOR, plan_merge
from customers.matching.relations import count_rows
from customers.models import Customer

LEFT, RIGHT = "a", "b"
PREFIX = "choice__"


@dataclass
class Row:
    key: str
    label: str
    left: str
    right: str
    picked: str  # LEFT / RIGHT
    result: str
    differs: bool

    @property
    def field_name(self) -> str:
        return PREFIX + self.key


def default_keep(left: Customer, right: Customer) -> str:
    """Keep the record with more history (sales, payments, notes ...); the older one on a tie."""
    weight = {side: sum(n for _, n in count_rows(c)) for side, c in ((LEFT, left), (RIGHT, right))}
    if weight[LEFT] != weight[RIGHT]:
        return LEFT if weight[LEFT] > weight[RIGHT] else RIGHT
    return LEFT if left.pk < right.pk else RIGHT


class MergeForm(forms.Form):
    keep = forms.ChoiceField(widget=forms.RadioSelect, label="Keep")
    sync_quickbooks = forms.BooleanField(
        required=False,
        initial=True,
        label="Also merge them in QuickBooks (move its transactions, deactivate the duplicate)",
    )

    def __init__(self, *args, left: Customer, right: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.left, self.right = left, right
        self.fields["keep"].choices = [(LEFT, f"#{left.pk} {left}"), (RIGHT, f"#{right.pk} {right}")]
        self.fields["keep"].initial = default_keep(left, right)
        keep = self._keep()
        survivor, duplicate = self.roles(keep)
        for choice in plan_merge(survivor, duplicate).choices:
            if choice.differs:
                self.fields[PREFIX + choice.key] = forms.ChoiceField(
                    choices=[(LEFT, "left"), (RIGHT, "right")],
                    widget=forms.RadioSelect,
                    required=False,
                    initial=self._side(keep, choice.chosen),
                )

    def _keep(self) -> str:
        value = self.data.get("keep") if self.is_bound else None
        return value if value in (LEFT, RIGHT) else self.fields["keep"].initial

    def roles(self, keep: str) -> tuple[Customer, Customer]:
        return (self.left, self.right) if keep == LEFT else (self.right, self.left)

    @staticmethod
    def _side(keep: str, role: str) -> str:
        return keep if role == SURVIVOR else (RIGHT if keep == LEFT else LEFT)

    def field_choices(self) -> dict[str, str]:
        """The service's ``field_choices`` (key -> survivor/duplicate) from the picked columns."""
        keep = self._keep()
        picked = {}
        for name in self.fields:
            if not name.startswith(PREFIX):
                continue
            side = (self.data.get(name) if self.is_bound else None) or self.fields[name].initial
            if side in (LEFT, RIGHT):
                picked[name[len(PREFIX) :]] = SURVIVOR if side == keep else DUPLICATE
        return picked

    def rows(self) -> list[Row]:
        """One row per choice with both values, the picked side and the merged result."""
        keep = self._keep()
        survivor, duplicate = self.roles(keep)
        rows = []
        for choice in plan_merge(survivor, duplicate, self.field_choices()).choices:
            left, right = (
                (choice.survivor, choice.duplicate) if keep == LEFT else (choice.duplicate, choice.survivor)
            )
            result = choice.survivor if choice.chosen == SURVIVOR else choice.duplicate
            rows.append(
                Row(
                    choice.key,
                    choice.label,
                    str(left),
                    str(right),
                    self._side(keep, choice.chosen),
                    str(result),
                    choice.differs,
                )
            )
        return rows
