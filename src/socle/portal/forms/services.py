"""« Nouveau service » / « Modifier un service »: the service's definition and its CAS patterns."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db import transaction
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from socle.directory.models import Establishment
from socle.portal.foreign_patterns import (
    captured_by,
    other_service_urls,
    pronote_espaces_refused,
    service_addresses,
)
from socle.portal.forms.base import describe_warning
from socle.portal.forms.pattern_checks import pattern_line_problem
from socle.portal.forms.service_fields import ServiceFields
from socle.portal.forms.service_rules import (
    anonymous_refusal,
    code_problem,
    type_problems,
    url_problem,
)
from socle.portal.hosted_pronote import foreign_uai_refusal, url_reach
from socle.portal.icon_store import forget_icon, prepare_icon, store_icon
from socle.portal.icons import MAX_ICON_BYTES, IconError, check_icon
from socle.portal.internal_hosts import internal_address_refused, url_host
from socle.portal.models import Service, ServicePattern, SSOType
from socle.portal.patterns import (
    PatternLine,
    default_pronote_pattern,
    parse_lines,
    pronote_root_message,
    pronote_root_missing,
)
from socle.portal.saml_http import service_http_warning
from socle.portal.username_lock import (
    locked_change_refused,
    locked_explanation,
    mode_refusal,
    stored_login_warning,
    unlocked_advice,
)

_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


class ServiceForm(ServiceFields):
    """The service's definition and its CAS patterns: the fields set up for the user (an
    establishment's administrator or one of the whole ENT), checked, and saved with the
    patterns and the icon."""

    def __init__(self, *args: Any, administered: set[int] | None, **kwargs: Any) -> None:
        """``administered``: establishment ids the user administers (``None`` = all)."""
        super().__init__(*args, **kwargs)
        self.administered = administered
        # Here, not on the field: a lazy text formatted at import would stay in one language.
        self.fields["icon_file"].help_text = _(
            "Image PNG ou SVG de %(max)s Ko au plus (30×33 pixels conseillés)."
        ) % {"max": MAX_ICON_BYTES // 1024}
        field = self.fields["establishment"]
        assert isinstance(field, forms.ModelChoiceField)
        if administered is None:
            field.queryset = Establishment.objects.all()
            field.empty_label = _("Tout l'ENT")
        else:
            field.queryset = Establishment.objects.filter(pk__in=administered)
            field.required = True
            field.empty_label = None
            field.help_text = _("Vous administrez les services de ces établissements.")
        if administered is not None:
            self._reserve_anonymous()
        self.fields["url"].required = True
        self.fields["url"].error_messages["required"] = _(
            "Indiquez l'URL du service (pour PRONOTE : l'URL publique de PRONOTE.net)."
        )
        self.fields["category"].widget.attrs["list"] = "categories"
        self._lock_username_mode()
        if self.instance.pk:
            self.fields["patterns_text"].initial = "\n".join(
                p.value for p in self.instance.patterns.all()
            )
            self.fields["attributes_text"].initial = ", ".join(self.instance.released_attributes)
        else:
            self.fields["remove_icon"].widget = forms.HiddenInput()

    @property
    def username_mode_locked(self) -> bool:
        """The service has received CAS user names: its ``username_mode`` is fixed."""
        return bool(self.instance.pk and self.instance.usernames_sent)

    def _lock_username_mode(self) -> None:
        field = self.fields["username_mode"]
        service = self.instance
        superuser = self.administered is None  # administered_ids: None for a superuser only
        if self.username_mode_locked:
            field.disabled = True  # shown, not submitted; Django keeps the stored value
            field.help_text = locked_explanation(service, superuser=superuser)
        else:
            field.help_text = unlocked_advice()
        # From the stored values, read here before a POST is copied onto the instance.
        self.username_mode_warning = stored_login_warning(service, superuser=superuser)
        if self.username_mode_warning:
            describe_warning(self, "username_mode")

    @cached_property
    def saml_http_warning(self) -> str:
        """Under the URL, a warning (not a refusal): the CAS will send no SAML attribute to this
        plain-http address (``socle.portal.saml_http``). What was posted, else what is stored."""
        service = self.instance
        if hasattr(self, "pattern_lines"):  # validated: what the form would save
            data, lines = self.cleaned_data, self.pattern_lines
            facts = (data.get("sso_type"), data.get("url"), [(p.kind, p.value) for p in lines])
            # the posted name when valid, else the stored one (the model's default for a new one)
            attribute = data.get("pronote_id_attribute") or service.pronote_id_attribute
            recognition = data.get("pronote_recognition") or service.pronote_recognition
        elif service.pk and not self.is_bound:
            facts = (service.sso_type, service.url, service.patterns.values_list("kind", "value"))
            attribute = service.pronote_id_attribute
            recognition = service.pronote_recognition
        else:
            return ""
        warning = service_http_warning(
            facts[0] or "",
            facts[1] or "",
            facts[2],
            superuser=self.administered is None,
            id_attribute=attribute or "",
            recognition=recognition or "pronote",
        )
        if warning:
            describe_warning(self, "url")
        return warning

    def _reserve_anonymous(self) -> None:
        """« Service anonyme » puts the service on every visitor's and every school's « Mon
        espace »: an establishment's administrator sees the box, disabled, and why."""
        field = self.fields["anonymous"]
        field.disabled = True  # shown, not submitted; Django keeps the stored value (False)
        field.help_text = anonymous_refusal()

    # --- field by field ---------------------------------------------------------------------
    def clean_anonymous(self) -> bool:
        anonymous = bool(self.cleaned_data.get("anonymous"))
        if self.administered is not None:
            # A disabled field ignores what is posted; a hand-made request may still try.
            name = self.add_prefix("anonymous")
            widget = self.fields["anonymous"].widget
            if widget.value_from_datadict(self.data, self.files, name):
                raise forms.ValidationError(anonymous_refusal(), code="global_admin_only")
        return anonymous

    def clean_username_mode(self) -> str:
        mode: str = self.cleaned_data["username_mode"]
        if self.username_mode_locked:
            # A disabled field ignores what is posted; a page opened before the first
            # connection, or a hand-made request, may still try: refuse it, do not ignore it.
            posted = self.data.get(self.add_prefix("username_mode"))
            if posted is not None and posted != self.instance.username_mode:
                raise forms.ValidationError(locked_change_refused(), code="locked")
        return mode

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        problem = code_problem(code, self.instance.pk, self.administered)
        if problem is not None:
            raise forms.ValidationError(problem, code="duplicate")
        return code

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        problem = url_problem(url)
        if problem is not None:
            raise forms.ValidationError(problem, code="invalid")
        refused = self.administered is not None and internal_address_refused(url_host(url))
        if refused:
            raise forms.ValidationError(refused, code="internal")
        if self.administered is not None:  # another school's hosted PRONOTE.net address
            squat = foreign_uai_refusal(url_reach(url), self.own_uais)
            if squat:
                raise forms.ValidationError(squat, code="other_uai")
        return url

    @cached_property
    def own_uais(self) -> list[str]:
        """The UAIs of the establishments the user administers (not asked of an administrator
        of the whole ENT)."""
        ids = self.administered or set()
        return list(Establishment.objects.filter(pk__in=ids).values_list("uai", flat=True))

    def clean_attributes_text(self) -> list[str]:
        names = [n.strip() for n in re.split(r"[,\s;]+", self.cleaned_data["attributes_text"])]
        names = [n for n in names if n]
        bad = [n for n in names if not _ATTRIBUTE_NAME.match(n)]
        if bad:
            raise forms.ValidationError(
                _("Nom d'attribut invalide : %(names)s (lettres, chiffres, « _ », « . », « - »).")
                % {"names": ", ".join(bad)}
            )
        return list(dict.fromkeys(names))

    def clean_pronote_id_attribute(self) -> str:
        name = self.cleaned_data["pronote_id_attribute"].strip() or "idPronote"
        if not _ATTRIBUTE_NAME.match(name):
            raise forms.ValidationError(_("Nom d'attribut invalide (lettres, chiffres, « _ »)."))
        return name

    def clean_icon_file(self) -> Any:
        upload = self.cleaned_data.get("icon_file")
        if not upload:
            return None
        if upload.size is not None and upload.size > MAX_ICON_BYTES:
            raise forms.ValidationError(
                _("L'icône pèse %(size)s Ko ; la taille maximale est %(max)s Ko.")
                % {"size": (upload.size + 1023) // 1024, "max": MAX_ICON_BYTES // 1024}
            )
        data = upload.read(MAX_ICON_BYTES + 1)
        try:
            checked = check_icon(data)
        except IconError as exc:
            raise forms.ValidationError(str(exc)) from None
        return (data, checked.content_type)

    # --- the whole form ---------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        sso_type = data.get("sso_type")
        url = data.get("url")
        for field, message in type_problems(data):
            self.add_error(field, message)
        if sso_type == SSOType.PRONOTE and url and pronote_root_missing(url):
            self.add_error("url", pronote_root_message())
        mode = data.get("username_mode")
        previous = self.instance if self.instance.pk else None  # as stored: not yet updated
        refusal = mode_refusal(sso_type or "", mode or "", data.get("establishment"), previous)
        if refusal is not None:
            # On the mode, unless it is locked (a login service turned into a PRONOTE one).
            self.add_error("sso_type" if self.username_mode_locked else "username_mode", refusal)
        lines = parse_lines(data.get("patterns_text", ""))
        if sso_type == SSOType.NONE:
            lines = []
        elif sso_type == SSOType.PRONOTE and not lines and url:
            lines = [PatternLine("ant", default_pronote_pattern(url))]
        elif sso_type == SSOType.CAS and not lines and url:
            self.add_error(
                "patterns_text",
                _(
                    "Indiquez au moins un motif d'URL : sans motif, le CAS refuse toute "
                    "connexion à ce service."
                ),
            )
        if lines:  # without a valid URL, still refuse patterns that match anything
            self._check_patterns(lines, url or "", sso_type or "")
        self.pattern_lines = lines
        return data

    def _check_patterns(self, lines: list[PatternLine], url: str, sso_type: str) -> None:
        own = service_addresses(url, sso_type)
        others = other_service_urls(self.instance.pk)
        errors = []
        for line in lines:
            message = pattern_line_problem(
                line, own, others, self.administered, self.own_uais, self.instance.pk
            )
            if message:
                errors.append(f"{line.value} — {message}")
        if not errors and sso_type == SSOType.PRONOTE:  # « ** » left out: no espace accepted
            refused = pronote_espaces_refused(url, [(line.kind, line.value) for line in lines])
            errors = [refused] if refused else []
        if errors:
            self.add_error("patterns_text", errors)
        order = self.cleaned_data.get("order")
        if own and order is not None and "url" not in self.errors:
            squatted = captured_by(own, order, self.instance.pk)
            if squatted:
                self.add_error("url", squatted)

    def save(self, commit: bool = True) -> Service:
        service = super().save(commit=False)
        service.released_attributes = self.cleaned_data.get("attributes_text") or []
        icon = self.cleaned_data.get("icon_file")
        removed = not icon and bool(self.cleaned_data.get("remove_icon"))
        if icon:
            prepare_icon(service, icon[0])
        elif removed:
            prepare_icon(service, None)
        with transaction.atomic():
            service.save()
            if icon:
                store_icon(service, *icon)
            elif removed:
                forget_icon(service)
            service.patterns.all().delete()
            ServicePattern.objects.bulk_create(
                ServicePattern(service=service, position=i, kind=line.kind, value=line.value)
                for i, line in enumerate(self.pattern_lines)
            )
        return service
