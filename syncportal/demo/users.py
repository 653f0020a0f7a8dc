"""One demo user per role, with fixed passwords (printed by ``seed_demo``; demo databases only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF, sync_roles

# (username, password, group; None = superuser)
DEMO_USERS = (
    ("admin", "admin-demo-pass", None),
    ("manager", "manager-demo-pass", MANAGER),
    ("bookkeeper", "bookkeeper-demo-pass", BOOKKEEPER),
    ("staff", "staff-demo-pass", STAFF),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    created: bool  # False: the user already existed and was left exactly as it was


def ensure_demo_users() -> list[DemoUser]:
    """Create the demo users that do not exist yet; existing users (and their passwords) stay as they are."""
    User = get_user_model()
    out = []
    with transaction.atomic():
        # Make sure the role groups exist and hold their permissions (idempotent; it only adds).
        sync_roles()
        for username, password, group in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            created = user is None
            if created:
                if group is None:
                    user = User.objects.create_superuser(username=username, password=password, email="")
                else:
                    user = User.objects.create_user(username=username, password=password, is_staff=True)
                    user.groups.add(Group.objects.get(name=group))
            out.append(DemoUser(username, password, group or "Superuser", created))
    return out


def demo_user_ids() -> dict[str, int]:
    """Ids of the demo users that exist, by username (the clerks on demo documents)."""
    User = get_user_model()
    names = [username for username, _, _ in DEMO_USERS]
    return dict(User.objects.filter(username__in=names).values_list("username", "id"))
