"""The Django admin of the directory. Its « Modifier le mot de passe » page is Socle's own
(`/compte/mot-de-passe`): Django's would check the current password without the throttle nor a
hash slot (``socle.directory.old_password``) and change it without ending the person's other
sessions (``password_changed``)."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.directory.blocking import clear_block
from socle.directory.models import (
    ActivationCode,
    Establishment,
    GroupKind,
    Membership,
    MembershipGroup,
    ParentLink,
    Person,
)
from socle.directory.passwords import on_imported_hash
from socle.directory.signals import (
    account_blocked,
    account_unblocked,
    deleting,
    person_deactivated,
)


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ("uai", "name", "postal_code", "city")
    search_fields = ("uai", "name", "city")

    def get_readonly_fields(self, request: HttpRequest, obj: Establishment | None = None) -> Any:
        """An establishment does not change its UAI (the AAF import refuses it too): traces,
        PRONOTE files and exports name it, and another establishment could take the old one."""
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + ("uai",) if obj is not None else fields


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    show_change_link = True  # a membership's own page lists its classes and groups


class MembershipGroupInline(admin.TabularInline):
    """The classes a teacher teaches and the groups of a membership (CAS attributes ``classes``
    and ``groupes``), a staff member's functions, disciplines and subjects, a pupil's level. An
    AAF import rewrites those of the people it carries (a CSV import, a pupil's level)."""

    model = MembershipGroup
    extra = 0
    verbose_name = _("classe enseignée, groupe, fonction ou niveau")
    verbose_name_plural = _("classes enseignées, groupes, fonctions et niveau")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "establishment", "profile", "class_name", "level", "is_admin")
    list_filter = ("profile", "is_admin")
    search_fields = ("person__login", "person__last_name", "establishment__uai", "class_name")
    list_select_related = ("person", "establishment")
    autocomplete_fields = ("person", "establishment")
    inlines = [MembershipGroupInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        """With a pupil's level beside the class, read in the list's own query."""
        levels = MembershipGroup.objects.filter(membership=OuterRef("pk"), kind=GroupKind.LEVEL)
        return (
            super()
            .get_queryset(request)
            .annotate(level_name=Subquery(levels.order_by("name").values("name")[:1]))
        )

    @admin.display(description=_("niveau"), ordering="level_name")
    def level(self, membership: Membership) -> str:
        return getattr(membership, "level_name", None) or ""


class ImportedHashFilter(admin.SimpleListFilter):
    """« Mot de passe : empreinte importée »: the accounts still on a hash imported from another
    system (``socle.W025``), that their first login re-encodes with Argon2id."""

    title = _("mot de passe")
    parameter_name = "mot_de_passe"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("importe", _("empreinte importée (pas encore Argon2id)"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "importe":
            return queryset.filter(pk__in=on_imported_hash().values("pk"))
        return queryset


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("login", "last_name", "first_name", "birth_date", "is_active")
    search_fields = ("login", "last_name", "first_name", "uid", "external_id")
    list_filter = ("is_active", "memberships__profile", ImportedHashFilter)
    readonly_fields = (
        "uid",
        "created_at",
        "updated_at",
        "last_login",
        "deactivated_at",
        "blocked_at",
        "blocked_until",
        "blocked_by",
        "block_reason",
    )
    exclude = ("password", "groups", "user_permissions")
    inlines = [MembershipInline]

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        """Unticking « actif » blocks the account by hand (socle.directory.blocking): the
        imports no longer bring it back, its sessions end (``person_deactivated``, sent once the
        change is committed) and the « Traces » of its establishments show it; ticking it again
        lifts the block. Ticking it on an account an import deactivated, never blocked, only
        activates it: no « débloqué » in « Traces »."""
        before = Person.objects.filter(pk=obj.pk).first() if change else None
        if before is not None and before.is_active and not obj.is_active:
            obj.blocked_at = timezone.now()
            obj.blocked_by = request.user if isinstance(request.user, Person) else None
            obj.active_when_unblocked = True
        elif before is not None and before.blocked_at is not None and obj.is_active:
            clear_block(obj)
        super().save_model(request, obj, form, change)
        if before is None or before.is_active == obj.is_active:
            return
        if obj.is_active and before.blocked_at is None:
            return  # deactivated by an import (``deactivated_at``), not blocked
        signal = account_unblocked if obj.is_active else account_blocked
        actor = request.user if isinstance(request.user, Person) else None

        def tell() -> None:
            if not obj.is_active:
                person_deactivated.send(sender=Person, person=obj)
            signal.send(sender=Person, person=obj, actor=actor, request=request)

        transaction.on_commit(tell)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The action that deletes a selection: the apps clean what they keep of those people
        once for all of them (``people_deleting``), not once per person."""
        with transaction.atomic(), deleting(Person, queryset):
            super().delete_queryset(request, queryset)


admin.site.register(ParentLink)


@admin.register(ActivationCode)
class ActivationCodeAdmin(admin.ModelAdmin):
    """Read-only: codes are issued by letters or resets, and only their hash is stored."""

    list_display = ("person", "created_at", "expires_at", "used_at")
    search_fields = ("person__login", "person__last_name")
    exclude = ("code_hash",)
    readonly_fields = ("person", "created_at", "expires_at", "used_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


def password_change(request: HttpRequest, extra_context: Any = None) -> HttpResponseRedirect:
    """The admin's password change: Socle's account page."""
    return HttpResponseRedirect(reverse("directory:change_password"))


admin.site.password_change = password_change  # type: ignore[method-assign,assignment]
