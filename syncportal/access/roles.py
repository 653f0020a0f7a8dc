"""The three roles, as Django groups with model permissions.

Permissions are the server-side enforcement: the admin checks them on every view and action. The
rules are data so a new model only needs a line here; rules that name a model which does not exist
yet are skipped and applied by the post-migrate hook once it does.

- Staff (front desk): customers, sales, payments, refunds, store credit; find and merge duplicates.
  Staff may read the QuickBooks configuration (mappings, match rules) but nothing of the sync
  internals (connection, outbox, failures, events).
- Bookkeeper: everything staff can, plus sync events and failures, fixing and retrying, conflicts.
- Manager: everything, plus field mappings, match rules, the QuickBooks connection, deletes, and
  unlocking colleagues locked out by failed sign-ins. Items and tax codes are never deleted, by
  anyone (decision: QuickBooks cannot delete them either; they are made inactive and stay on old
  sales).
"""

from __future__ import annotations

STAFF, BOOKKEEPER, MANAGER = "Staff", "Bookkeeper", "Manager"
ROLES = (STAFF, BOOKKEEPER, MANAGER)

VAC = ("view", "add", "change")
V = ("view",)
ALL = ("view", "add", "change", "delete")

_FRONT_DESK = [
    ("customers", "customer", (*VAC, "merge")),
    ("customers", "customernote", VAC),
    ("customers", "customertype", V),
    ("customers", "duplicatecandidate", ("view", "change")),
    ("customers", "customermerge", V),
    ("sales", "sale", VAC),
    ("sales", "saleline", VAC),
    ("sales", "payment", VAC),
    ("sales", "paymentallocation", VAC),
    ("sales", "refund", VAC),
    ("sales", "refundline", VAC),
    ("sales", "storecredit", VAC),
    ("sales", "storecreditline", VAC),
    ("sales", "creditapplication", VAC),
    ("sales", "item", V),
    ("sales", "taxcode", V),
    # Issue #6: staff see the QuickBooks configuration (to understand what syncs) but cannot change it.
    ("integrations", "fieldmapping", V),
    ("integrations", "matchrule", V),
    ("integrations", "syncsettings", V),
    ("integrations", "configchange", V),
]

_BOOKKEEPING = [
    ("sales", "item", VAC),
    ("customers", "customertype", VAC),
    ("outbox", "outboxentry", V),
    ("integrations", "qboconnection", V),
    ("integrations", "syncevent", V),
    ("integrations", "syncfailure", ("view", "change", "retry")),
    ("integrations", "syncconflict", ("view", "change", "resolve")),
    ("integrations", "syncrun", V),
    ("integrations", "fieldmapping", V),
    ("integrations", "matchrule", V),
    ("integrations", "syncsettings", V),
    ("integrations", "configchange", V),
    ("integrations", "qbolink", V),
    ("integrations", "importrun", V),
    ("integrations", "bulkrun", V),
    ("integrations", "qbomergejob", V),
    ("integrations", "reconciliationrun", ("view", "add", "fix")),
    ("integrations", "reconciliationrow", V),
    ("django_q", "task", V),
    ("django_q", "success", V),
    ("django_q", "failure", V),
    ("django_q", "schedule", V),
]

# Managers get every permission of these apps (deletes and configuration included).
_MANAGER_APPS = ("customers", "sales", "integrations")
_MANAGER_EXTRA = [
    ("outbox", "outboxentry", V),
    ("django_q", "task", V),
    ("django_q", "success", ALL),
    ("django_q", "failure", ALL),
    ("django_q", "schedule", ALL),
    ("django_q", "ormq", V),
    # Locked-out colleagues ("ask a manager to unlock your account"): deleting the attempts unlocks.
    ("axes", "accessattempt", ("view", "delete")),
    ("axes", "accessfailurelog", V),
]


def role_rules() -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    return {
        STAFF: _FRONT_DESK,
        BOOKKEEPER: _FRONT_DESK + _BOOKKEEPING,
        MANAGER: _FRONT_DESK + _BOOKKEEPING + _MANAGER_EXTRA,
    }


def sync_roles(apps=None) -> None:
    """Create the groups and grant exactly the permissions the rules name (idempotent)."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    for role, rules in role_rules().items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted: set[int] = set()
        for app_label, model, actions in rules:
            codenames = [f"{action}_{model}" for action in actions]
            wanted.update(
                Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                ).values_list("id", flat=True)
            )
        if role == MANAGER:
            wanted.update(
                Permission.objects.filter(content_type__app_label__in=_MANAGER_APPS).values_list(
                    "id", flat=True
                )
            )
        # Only add: a permission a site admin granted by hand is never silently taken away.
        group.permissions.add(*wanted)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    from django.apps import apps

    # Run once, after the last app's permissions exist (post_migrate fires app by app).
    if getattr(sender, "label", "") != list(apps.get_app_configs())[-1].label:
        return
    sync_roles()
