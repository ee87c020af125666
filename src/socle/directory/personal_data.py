"""What the directory holds about one person (``socle person_data``) and how long activation
codes and deactivated accounts are kept (``socle retention_purge``): registered in
``DirectoryConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.core.personal_data import count_or_delete, register_export, register_purge
from socle.directory.leavers import purge_leavers
from socle.directory.models import ActivationCode, Membership, ParentLink, Person

# A code used or expired this long ago opens nothing: its row (a hash and dates) goes.
ACTIVATION_CODE_KEPT = dt.timedelta(days=1)

PERSON_FIELDS = (
    "uid",
    "login",
    "personal_title",
    "last_name",
    "birth_last_name",
    "first_name",
    "birth_date",
    "postal_code",
    "email",
    "external_id",
    "source",
    "is_active",
    "deactivated_at",
    "blocked_at",
    "blocked_until",
    "block_reason",
    "active_when_unblocked",
    "is_staff",
    "is_superuser",
    "activated_at",
    "terms_accepted_at",
    "last_login",
    "created_at",
    "updated_at",
    "aaf_staff_inputs",
)


def person_record(person: Person) -> dict[str, Any]:
    """The person's own row: every field but the password hash (only whether there is one) and
    the search key (the names again, normalised)."""
    record = {name: getattr(person, name) for name in PERSON_FIELDS}
    record["has_usable_password"] = person.has_usable_password()
    # who blocked the account by hand (socle.directory.blocking): their login
    record["blocked_by"] = person.blocked_by.login if person.blocked_by is not None else None
    return record


def memberships(person: Person) -> list[dict[str, Any]]:
    rows = (
        Membership.objects.filter(person=person)
        .select_related("establishment")
        .prefetch_related("teaching_groups")
        .order_by("establishment__uai", "profile")
    )
    return [
        {
            "uai": m.establishment.uai,
            "establishment": m.establishment.name,
            "profile": m.profile,
            "class_name": m.class_name,
            "is_admin": m.is_admin,
            "groups": [{"kind": g.kind, "name": g.name} for g in m.teaching_groups.all()],
        }
        for m in rows
    ]


def _link(link: ParentLink, other: Person) -> dict[str, Any]:
    """A relative as the person's record holds them: their name and the link, not their account
    (login, uid): a parent who reads their child's export does not get the other parent's."""
    return {
        "name": other.display_name,
        "relation": link.relation,
        "legal": link.legal,
        "financial": link.financial,
        "contact": link.contact,
    }


def relatives(person: Person) -> dict[str, list[dict[str, Any]]]:
    children = ParentLink.objects.filter(parent=person).select_related("child")
    parents = ParentLink.objects.filter(child=person).select_related("parent")
    return {
        "children": [_link(link, link.child) for link in children.order_by("child__login")],
        "parents": [_link(link, link.parent) for link in parents.order_by("parent__login")],
    }


def activation_code(person: Person) -> dict[str, Any] | None:
    """The dates of the person's activation code; never the code, nor its hash."""
    code = ActivationCode.objects.filter(person=person).first()
    if code is None:
        return None
    return {"created_at": code.created_at, "expires_at": code.expires_at, "used_at": code.used_at}


def admin_log(person: Person) -> list[dict[str, Any]]:
    """The Django admin's own journal of changes to the person's row (who, when, what)."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    ).select_related("user")
    return [
        {
            "at": e.action_time,
            "by": getattr(e.user, "login", ""),
            "action": {1: "addition", 2: "change", 3: "deletion"}.get(e.action_flag, ""),
            "change": e.get_change_message(),
        }
        for e in entries.order_by("action_time")
    ]


def purge_activation_codes(dry_run: bool) -> int:
    """Codes used or expired more than a day ago (a letter's code is valid
    ``SOCLE_ACTIVATION_CODE_DAYS`` days; a used one serves the hand-over for 2 minutes)."""
    cutoff = timezone.now() - ACTIVATION_CODE_KEPT
    old = ActivationCode.objects.filter(Q(used_at__lt=cutoff) | Q(expires_at__lt=cutoff))
    return count_or_delete(old, dry_run)


def register() -> None:
    register_export("person", person_record)
    register_export("memberships", memberships)
    register_export("relatives", relatives)
    register_export("activation_code", activation_code)
    register_export("django_admin_log", admin_log)
    register_purge(
        "activation_codes",
        _("codes d'activation utilisés ou expirés depuis plus d'un jour"),
        purge_activation_codes,
    )
    register_purge(
        "deactivated_people",
        _("comptes désactivés depuis plus de SOCLE_DEACTIVATED_RETENTION_DAYS"),
        purge_leavers,
        progress=True,
    )
