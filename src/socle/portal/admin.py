from typing import Any

from django.contrib import admin

from socle.portal.models import (
    AccessRule,
    Group,
    Service,
    ServiceActivation,
    ServicePattern,
    Trace,
)


class ServicePatternInline(admin.TabularInline):
    model = ServicePattern
    extra = 1


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "sso_type", "establishment", "access_mode", "enabled")
    search_fields = ("code", "label")
    inlines = [ServicePatternInline]

    def get_readonly_fields(self, request: Any, obj: Service | None = None) -> Any:
        """Like the portal's form: the CAS user name mode is fixed once names were sent
        (``socle.portal.username_lock``)."""
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.usernames_sent:
            fields += ("username_mode",)
        return fields


@admin.register(ServiceActivation)
class ServiceActivationAdmin(admin.ModelAdmin):
    list_display = ("service", "establishment", "enabled", "populations")
    list_filter = ("enabled",)


@admin.register(AccessRule)
class AccessRuleAdmin(admin.ModelAdmin):
    list_display = ("service", "target", "profile", "role", "created_at")
    filter_horizontal = ("establishments", "groups")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "establishment", "class_name")
    search_fields = ("name", "class_name")
    filter_horizontal = ("members",)


@admin.register(Trace)
class TraceAdmin(admin.ModelAdmin):
    list_display = ("at", "event", "outcome", "actor_login", "service_code", "uai")
    list_filter = ("event", "outcome")
