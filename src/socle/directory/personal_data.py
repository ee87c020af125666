"""What the directory holds about one person (``socle person_data``) and how long activation
codes and deactivated accounts are kept (``socle retention_purge``): registered in
``DirectoryConfig.ready``."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.core.batches import batched
from socle.core.fastsql import update_rows
from socle.core.personal_data import count_or_delete, register_export, register_purge
from socle.directory.leavers import purge_leavers
from socle.directory.models import ActivationCode, Membership, ParentLink, Person
from socle.directory.signals import in_batch, people_deleting

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


# What the Django admin's journal says instead of a deleted person's name: no language (the
# admin shows ``object_repr`` as it is stored), nothing of the person.
ERASED = "[…]"


def _eraser(names: tuple[str, ...]) -> re.Pattern[str]:
    """Each of ``names`` as a whole (not « camille.martin » in « camille.martin2 », nor
    « MARTIN Camille » in « MARTIN Camille-Rose »): compiled once for every entry."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-]|\.\w)")


def _erased(text: str, names: re.Pattern[str]) -> str:
    """``text`` with each of ``names`` (:func:`_eraser`) made :data:`ERASED`."""
    return names.sub(ERASED, text)


def _erased_message(message: str, names: re.Pattern[str]) -> str:
    """A journal entry's ``change_message`` without ``names``: Django's JSON (whose strings are
    stored with ``\\u`` escapes) read, each string cleaned and written back; any other text
    (an entry written by hand) cleaned as it is."""
    try:
        parsed = json.loads(message)
    except ValueError:
        return _erased(message, names)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return _erased(value, names)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    cleaned = clean(parsed)
    return message if cleaned == parsed else json.dumps(cleaned)


# People whose names one scan of the journal looks for (a purge batch is 200): at most about
# 450 ``LIKE`` in one ``WHERE`` (2 per name, 3 for a name with an accent), under SQLite's limit
# of 1,000 levels of expression.
PEOPLE_PER_SCAN = 50


def forget_in_admin_log(person: Person) -> None:
    """The Django admin's journal without ``person``, who is being deleted (the Django admin, or
    the purge of people who left): the entries keep who did what and when (as the traces do),
    but their name (« MARTIN Camille ») becomes :data:`ERASED` — in the entries of their record
    (its deletion's among them: the admin writes it before deleting), of their memberships,
    relatives' links and activation code, now or deleted before (« MARTIN Camille — Élève —
    0312609T »: a deleted row is told from a homonym's by its name only, and erased too), and
    in every entry's list of changes (an inline row named in another record's change). Their
    login, should a text name it, goes too. Called before the rows go (``pre_delete``), in the
    deletion's transaction; for people deleted together (``people_deleting``), done once for
    them all (:func:`forget_in_admin_log_of`) and skipped here."""
    if not in_batch(person):
        _forget([person])


def forget_in_admin_log_of(sender: Any, people: list[Person], **kwargs: Any) -> None:
    """``people_deleting`` receiver: the journal scanned once per :data:`PEOPLE_PER_SCAN`
    people of a batch deleted together (200 at a time by the purge of people who left), not
    once per person."""
    for group in batched(people, PEOPLE_PER_SCAN):
        _forget(list(group))


def _forget(people: list[Person]) -> None:
    """:func:`forget_in_admin_log` for ``people``: their names erased wherever the journal
    holds one of them (a name of one is as deleted as another's)."""
    names = tuple(dict.fromkeys(n for p in people for n in (str(p), p.display_name, p.login) if n))
    if not names:
        return
    pks = [p.pk for p in people]
    own_type = ContentType.objects.get_for_model(Person)
    related: dict[int, QuerySet[Any]] = {
        ContentType.objects.get_for_model(Membership).pk: Membership.objects.filter(person__in=pks),
        ContentType.objects.get_for_model(ParentLink).pk: ParentLink.objects.filter(
            Q(parent__in=pks) | Q(child__in=pks)
        ),
        ContentType.objects.get_for_model(ActivationCode).pk: ActivationCode.objects.filter(
            person__in=pks
        ),
    }
    ids = {
        ct: {str(pk) for pk in rows.values_list("pk", flat=True)} for ct, rows in related.items()
    }
    mentions = Q()
    for name in names:
        mentions |= Q(object_repr__contains=name) | Q(change_message__contains=name)
        escaped = json.dumps(name)[1:-1]  # as Django's JSON stores it (« Zo\u00e9 »)
        if escaped != name:  # an ASCII name is stored as it is: no second ``LIKE``
            mentions |= Q(change_message__contains=escaped)
    own_ids = [str(pk) for pk in pks]
    entries = list(
        LogEntry.objects.filter(Q(content_type=own_type, object_id__in=own_ids) | mentions).only(
            "pk", "content_type_id", "object_id", "object_repr", "change_message"
        )
    )
    # the rows of a related model that entries name and that are gone (deleted before)
    gone = {
        ct: _missing(related[ct].model, {e.object_id for e in entries if e.content_type_id == ct})
        for ct in related
    }
    eraser, changed = _eraser(names), []
    for entry in entries:
        repr_ = entry.object_repr
        if entry.content_type_id == own_type.pk and entry.object_id in own_ids:
            repr_ = ERASED
        elif entry.content_type_id in ids and (
            entry.object_id in ids[entry.content_type_id]
            or entry.object_id in gone[entry.content_type_id]
        ):
            repr_ = _erased(repr_, eraser)
        message = _erased_message(entry.change_message, eraser)
        if (repr_, message) != (entry.object_repr, entry.change_message):
            entry.object_repr, entry.change_message = repr_, message
            changed.append(entry)
    # one ``executemany`` (Django's ``bulk_update`` builds a ``CASE`` per row, slower than the scan)
    update_rows(LogEntry, changed, ["object_repr", "change_message"])


def _missing(model: Any, object_ids: set[str]) -> set[str]:
    """Those of ``object_ids`` (the journal's text) that name no row of ``model`` any more:
    one query."""
    if not object_ids:
        return set()
    numbers = [int(i) for i in object_ids if i.isdigit()]
    rows = model._default_manager.filter(pk__in=numbers)
    found = {str(pk) for pk in rows.values_list("pk", flat=True)}
    return object_ids - found


def _on_person_deleted(sender: Any, instance: Person, **kwargs: Any) -> None:
    forget_in_admin_log(instance)


def purge_activation_codes(dry_run: bool) -> int:
    """Codes used or expired more than a day ago (a letter's code is valid
    ``SOCLE_ACTIVATION_CODE_DAYS`` days; a used one serves the hand-over for 2 minutes)."""
    cutoff = timezone.now() - ACTIVATION_CODE_KEPT
    old = ActivationCode.objects.filter(Q(used_at__lt=cutoff) | Q(expires_at__lt=cutoff))
    return count_or_delete(old, dry_run)


def register() -> None:
    people_deleting.connect(
        forget_in_admin_log_of, sender=Person, dispatch_uid="directory-forget-in-admin-log-of-batch"
    )
    pre_delete.connect(
        _on_person_deleted, sender=Person, dispatch_uid="directory-forget-in-admin-log-on-delete"
    )
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
