from django.contrib import admin

from socle.directory.models import Establishment, Membership, ParentLink, Person


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ("uai", "name", "postal_code", "city")
    search_fields = ("uai", "name", "city")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("login", "last_name", "first_name", "birth_date", "is_active")
    search_fields = ("login", "last_name", "first_name", "uid", "external_id")
    list_filter = ("is_active", "memberships__profile")
    readonly_fields = ("uid", "created_at", "updated_at", "last_login")
    exclude = ("password", "groups", "user_permissions")
    inlines = [MembershipInline]


admin.site.register(ParentLink)
