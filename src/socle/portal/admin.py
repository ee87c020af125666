from django.contrib import admin

from socle.portal.models import Service, ServicePattern, Trace


class ServicePatternInline(admin.TabularInline):
    model = ServicePattern
    extra = 1


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "sso_type", "establishment", "enabled")
    search_fields = ("code", "label")
    inlines = [ServicePatternInline]


@admin.register(Trace)
class TraceAdmin(admin.ModelAdmin):
    list_display = ("at", "event", "outcome", "actor_login", "service_code", "uai")
    list_filter = ("event", "outcome")
