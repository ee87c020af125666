"""The Django admin of the portal's models, for ENT administrators. Its forms refuse what the
portal's own forms refuse and the system checks would report afterwards: a regular expression
that does not compile, a pattern that is not a web address or accepts another service's address,
a pattern that accepts the service's URL only in the other scheme (``scheme_problem``) or in
neither (else ``socle.W042``), a
URL that is not http(s) or carries a user name or password, an anonymous service with SSO, a
PRONOTE service without establishment, and a PRONOTE service sending the
login (``socle.portal.username_lock``, ``socle.W067``) or missing its publication root
(``socle.W068``)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils.functional import cached_property

from socle.portal.foreign_patterns import (
    captured_by,
    covered_service,
    other_service_urls,
    service_addresses,
)
from socle.portal.forms.service_rules import code_problem, type_problems, url_problem
from socle.portal.hosted_pronote import service_uai_warning
from socle.portal.models import (
    AccessRule,
    Group,
    Service,
    ServiceActivation,
    ServicePattern,
    SSOType,
    Trace,
    levels_beside_classes,
    levels_problem,
)
from socle.portal.patterns import (
    foreign_address,
    foreign_address_message,
    pattern_problem,
    pronote_root_message,
    pronote_root_missing,
)
from socle.portal.release import release_changed, release_detail
from socle.portal.saml_http import service_http_warning
from socle.portal.traces import record_admin_change
from socle.portal.username_lock import mode_refusal


class ServicePatternForm(forms.ModelForm):  # type: ignore[type-arg]
    """The inline's form (the admin adds the model and fields). ``other_urls``: the other
    services' addresses (:func:`other_service_urls`), read once for the whole form set by
    :class:`ServicePatternFormSet` rather than once per pattern; alone, the form reads them.
    ``own_urls``: the addresses of the service as typed in its form (:func:`service_addresses`),
    given by the form set; alone, those of the pattern's service as stored."""

    def __init__(
        self,
        *args: Any,
        other_urls: Callable[[], list[tuple[str, str]]] | None = None,
        own_urls: Callable[[], list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.other_urls = other_urls or (lambda: other_service_urls(self.instance.service_id))
        self.own_urls = own_urls or self._stored_service_urls

    def _stored_service_urls(self) -> list[str]:
        try:
            service = self.instance.service
        except Service.DoesNotExist:
            return []
        return service_addresses(service.url, service.sso_type)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if kind and value:
            # As the portal's form, against the service's addresses as typed: not the URL's
            # address in the other scheme only (``scheme_problem``), nor one that accepts the
            # URL in neither scheme, which « Mon espace » would have refused as an unknown
            # service (socle.W042 said both once saved).
            own = self.own_urls()
            problem = pattern_problem(kind, value, own)
            if problem is not None and not problem.wide:  # wide ones: warned by the checks
                self.add_error("value", problem.message)
            # Nor other sites' addresses, which the CAS ignores (socle.E007): the service's URL
            # names its host (a wildcard under it is left to socle.E040).
            elif elsewhere := foreign_address(kind, value, own[0] if own else ""):
                self.add_error("value", foreign_address_message(elsewhere))
            elif problem is None:  # as the portal's form: not another service's address
                covered = covered_service(kind, value, self.other_urls())
                if covered is not None:
                    self.add_error("value", covered)
        return cleaned


class ServiceAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """The service's admin form (the admin adds the model and fields)."""

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        problem = code_problem(code, self.instance.pk)  # as the portal's form: whatever the case
        if problem is not None:
            raise forms.ValidationError(problem, code="duplicate")
        return code

    def clean_url(self) -> str:
        url: str = self.cleaned_data.get("url") or ""
        problem = url_problem(url) if url else None  # as the portal's form: http(s), no password
        if problem is not None:
            raise forms.ValidationError(problem, code="invalid")
        return url

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        sso_type = cleaned.get("sso_type") or (self.instance.sso_type if self.instance.pk else "")
        mode = cleaned.get("username_mode") or self.instance.username_mode
        previous = Service.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        establishment = cleaned.get("establishment", previous.establishment if previous else None)
        typed = {"anonymous": self.instance.anonymous, "establishment": establishment}
        for field, message in type_problems({**typed, **cleaned, "sso_type": sso_type}):
            self.add_error(field if field in self.fields else None, message)
        refusal = mode_refusal(sso_type, mode, establishment, previous)
        if refusal is not None:
            self.add_error("username_mode" if "username_mode" in self.fields else None, refusal)
        url = cleaned.get("url")
        if sso_type == SSOType.PRONOTE and url and pronote_root_missing(url):
            self.add_error("url", pronote_root_message())
        order = cleaned.get("order")
        if url and order is not None and "url" not in self.errors:
            # as the portal's form: not addresses an earlier service's pattern already takes
            squatted = captured_by(service_addresses(url, sso_type), order, self.instance.pk)
            if squatted:
                self.add_error("url", squatted)
        return cleaned


class ServicePatternFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """The service's patterns: the other services' addresses are read at the first pattern
    checked, once for all of them. The service's own addresses are read from ``instance``
    when a pattern is checked: the admin checks its form first, which puts there the URL and
    SSO type typed (those it accepts; its errors are shown anyway)."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(index),
            "other_urls": lambda: self.other_urls,
            "own_urls": lambda: service_addresses(self.instance.url, self.instance.sso_type),
        }

    @cached_property
    def other_urls(self) -> list[tuple[str, str]]:
        return other_service_urls(self.instance.pk)


class ServicePatternInline(admin.TabularInline):
    model = ServicePattern
    form = ServicePatternForm
    formset = ServicePatternFormSet
    extra = 1


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    form = ServiceAdminForm
    # A URL typed without scheme is read as https (Django 6's default; no deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        """Saved with its patterns; then, as the portal's form, a warning when its PRONOTE.net
        address names another establishment than its own (``socle.W045``), and when the CAS
        will send it no SAML attribute (plain http, ``socle.portal.saml_http``)."""
        super().save_related(request, form, formsets, change)
        service = form.instance
        uai = service.establishment.uai if service.establishment_id else ""
        patterns = list(service.patterns.values_list("kind", "value"))
        for warning in (
            service_uai_warning(service.code, uai, service.url, patterns),
            service_http_warning(
                service.sso_type,
                service.url,
                patterns,
                superuser=True,
                id_attribute=service.pronote_id_attribute,
                recognition=service.pronote_recognition,
            ),
        ):
            if warning:
                self.message_user(request, warning, messages.WARNING)

    def save_model(self, request: Any, obj: Service, form: Any, change: bool) -> None:
        """Traced as from the portal's form: a service created, or what it receives changed
        (the Django admin's own journal keeps the other changes)."""
        super().save_model(request, obj, form, change)
        if change and not release_changed(form.changed_data):
            return
        record_admin_change(
            request,
            "service_updated" if change else "service_created",
            service_code=obj.code,
            uai=obj.establishment.uai if obj.establishment_id else "",  # type: ignore[union-attr]
            detail=f"{release_detail(obj)} — Django admin"[:500],
        )


@admin.register(ServiceActivation)
class ServiceActivationAdmin(admin.ModelAdmin):
    list_display = ("service", "establishment", "enabled", "populations")
    list_filter = ("enabled",)


class AccessRuleAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Refuses levels beside class groups, which ``AccessRule.clean`` cannot see (the groups are
    saved after the rule)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        groups = data.get("groups")
        class_names = groups.values_list("class_name", flat=True) if groups is not None else ()
        if levels_beside_classes(data.get("levels"), data.get("target", ""), class_names):
            self.add_error("levels", levels_problem(classes=True) or "")
        return data


@admin.register(AccessRule)
class AccessRuleAdmin(admin.ModelAdmin):
    form = AccessRuleAdminForm
    list_display = ("service", "target", "profile", "role", "created_at")
    filter_horizontal = ("establishments", "groups")


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("name", "establishment", "class_name")
    search_fields = ("name", "class_name")
    filter_horizontal = ("members",)


@admin.register(Trace)
class TraceAdmin(admin.ModelAdmin):
    """Read-only: traces are the audit log, written by ``socle.portal.traces.record`` and
    purged by ``socle traces_purge`` (itself traced), never edited or deleted by hand."""

    list_display = ("at", "event", "outcome", "actor_login", "service_code", "uai")
    list_filter = ("event", "outcome")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Trace | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Trace | None = None) -> bool:
        return False
