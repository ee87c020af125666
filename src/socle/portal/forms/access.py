"""Forms of « Accès aux services tiers » and « Accès population »."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.directory.models import Establishment, GroupKind, Membership, MembershipGroup
from socle.directory.profiles import Profile
from socle.portal.access_admin import extent_label
from socle.portal.forms.base import AccessibleFormMixin
from socle.portal.models import (
    AccessRole,
    AccessRule,
    AccessTarget,
    Group,
    Service,
    levels_problem,
)
from socle.portal.policy import HOLD_NOTHING, level_key
from socle.portal.populations import POPULATION_CHOICES


class ActivationForm(AccessibleFormMixin, forms.Form):
    """One service in one establishment: « Activer : Oui/Non » and the populations allowed."""

    enabled = forms.TypedChoiceField(
        label=gettext_lazy("Activer"),
        choices=[("1", gettext_lazy("Oui")), ("0", gettext_lazy("Non"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    populations = forms.MultipleChoiceField(
        label=gettext_lazy("Profils autorisés"),
        choices=POPULATION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, partial: dict[str, str] | None = None, **kwargs: Any) -> None:
        """``partial``: population → extent (``access_admin.partial_populations``), shown next
        to its unticked box (« Enseignant (certains profils) »); what is saved is unchanged."""
        super().__init__(*args, **kwargs)
        if partial:
            field = self.fields["populations"]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [
                (key, extent_label(str(label), partial[key]) if key in partial else label)
                for key, label in POPULATION_CHOICES
            ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("enabled") and not data.get("populations"):
            self.add_error(
                "populations",
                _("Cochez au moins un profil, ou choisissez « Non » pour désactiver le service."),
            )
        return data


class AccessModeForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = ["access_mode"]
        widgets = {"access_mode": forms.RadioSelect}
        labels = {"access_mode": gettext_lazy("Accès par défaut")}


PROFILE_CHOICES = [("", gettext_lazy("Tous les profils")), *Profile.choices]


def _optional_boxes(label: Any, help_text: Any) -> forms.MultipleChoiceField:
    """Check boxes whose choices the form sets from the establishment's data."""
    return forms.MultipleChoiceField(
        label=label, required=False, widget=forms.CheckboxSelectMultiple, help_text=help_text
    )


class AccessRuleForm(AccessibleFormMixin, forms.Form):
    """« Ajouter des accès »: Rôle × Cible × Profil(s). One rule is created per ticked profile."""

    role = forms.ChoiceField(
        label=gettext_lazy("Rôle"), choices=AccessRole.choices, initial=AccessRole.ACCESS
    )
    target = forms.ChoiceField(
        label=gettext_lazy("Cible"), choices=AccessTarget.choices, widget=forms.RadioSelect
    )
    establishments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Établissements"),
        queryset=Establishment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Pour « Liste personnalisée d'établissements »."),
    )
    groups = _optional_boxes(
        gettext_lazy("Groupes"),
        gettext_lazy(
            "Pour « Liste de groupes » : les classes et les groupes du site courant. Une classe "
            "comprend ses élèves, ses enseignants et les parents de ses élèves ; le profil "
            "choisi restreint la règle à l'un d'eux."
        ),
    )
    profiles = forms.MultipleChoiceField(
        label=gettext_lazy("Profil"),
        choices=PROFILE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Cochez au moins un profil.")},
    )
    subjects = _optional_boxes(
        gettext_lazy("Matière enseignée"),
        gettext_lazy(
            "Facultatif : seulement les enseignants de l'une de ces matières dans "
            "l'établissement (annuaire académique)."
        ),
    )
    functions = _optional_boxes(
        gettext_lazy("Fonction"),
        gettext_lazy(
            "Facultatif : seulement les personnels qui exercent l'une de ces fonctions dans "
            "l'établissement (annuaire académique)."
        ),
    )
    disciplines = _optional_boxes(
        gettext_lazy("Discipline de poste"),
        gettext_lazy(
            "Facultatif : seulement les personnels de l'une de ces disciplines de poste dans "
            "l'établissement (annuaire académique)."
        ),
    )

    levels = _optional_boxes(
        gettext_lazy("Niveau"),
        gettext_lazy(
            "Facultatif : seulement les élèves de l'un de ces niveaux dans l'établissement et "
            "leurs parents (annuaire) ; aucun autre profil."
        ),
    )

    def __init__(
        self,
        *args: Any,
        service: Service,
        current: Establishment | None,
        administered: set[int] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.current = current
        self.administered = administered
        targets = list(AccessTarget.choices)
        if administered is not None or service.establishment_id is not None:
            targets = [t for t in targets if t[0] != AccessTarget.ALL]
        if current is None:
            targets = [t for t in targets if t[0] not in (AccessTarget.SITE, AccessTarget.GROUPS)]
        target_field = self.fields["target"]
        assert isinstance(target_field, forms.ChoiceField)
        target_field.choices = targets
        establishments = Establishment.objects.all()
        if service.establishment_id is not None:
            establishments = establishments.filter(pk=service.establishment_id)
        if administered is not None:
            establishments = establishments.filter(pk__in=administered)
        est_field = self.fields["establishments"]
        assert isinstance(est_field, forms.ModelMultipleChoiceField)
        est_field.queryset = establishments
        groups_field = self.fields["groups"]
        assert isinstance(groups_field, forms.ChoiceField)
        groups_field.choices = self._group_choices()
        # the values held where the rule may apply: every establishment the form offers (all of
        # them, unfiltered, for a global administrator and a service of the whole ENT)
        unfiltered = administered is None and service.establishment_id is None
        scope = None if unfiltered else list(establishments.values_list("pk", flat=True))
        narrowing = (
            ("subjects", GroupKind.SUBJECT),
            ("functions", GroupKind.FUNCTION),
            ("disciplines", GroupKind.DISCIPLINE),
        )
        for name, kind in (*narrowing, ("levels", GroupKind.LEVEL)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = _held_names(kind, scope)

    def _group_choices(self) -> list[tuple[str, str]]:
        if self.current is None:
            return []
        choices: list[tuple[str, str]] = []
        groups = list(Group.objects.filter(establishment=self.current))
        class_groups = {g.class_name.casefold() for g in groups if g.class_name}
        for group in groups:
            choices.append((f"g{group.pk}", group.name))
        # the pupils' classes, and those taught there (a class may have no pupil imported yet)
        pupils = Membership.objects.filter(establishment=self.current).exclude(class_name="")
        taught = MembershipGroup.objects.filter(
            membership__establishment=self.current, kind=GroupKind.CLASS
        )
        classes = {n.casefold(): n for n in taught.values_list("name", flat=True).distinct()}
        classes.update(
            (n.casefold(), n) for n in pupils.values_list("class_name", flat=True).distinct()
        )
        for key, class_name in classes.items():
            if key not in class_groups:
                choices.append((f"c{class_name}", _("Classe %(name)s") % {"name": class_name}))
        return sorted(choices, key=lambda c: c[1].casefold())

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        target = data.get("target")
        if target == AccessTarget.ESTABLISHMENTS and not data.get("establishments"):
            self.add_error("establishments", _("Cochez au moins un établissement."))
        if target == AccessTarget.GROUPS and not data.get("groups"):
            self.add_error("groups", _("Cochez au moins un groupe."))
        profiles = data.get("profiles") or []
        if "" in profiles and len(profiles) > 1:
            data["profiles"] = [""]
        narrowed = any(data.get(name) for name in AccessRule.NARROWING)
        if narrowed and profiles and set(profiles) <= HOLD_NOTHING:
            self.add_error(
                "profiles",
                _(
                    "Les matières, fonctions et disciplines ne concernent que les personnels : "
                    "cochez un profil de personnel ou « Tous les profils »."
                ),
            )
        if data.get("levels"):
            staff_narrowing = [data.get(name) for name in AccessRule.NARROWING]
            classes = target == AccessTarget.GROUPS and self._names_classes(data.get("groups"))
            problem = levels_problem(
                list(data.get("profiles") or []), staff_narrowing, classes=classes
            )
            if problem:
                self.add_error("levels", problem)
        return data

    def _names_classes(self, keys: list[str] | None) -> bool:
        """Whether these choices of the « groups » field name a class: a pupils' class (« c… »)
        or a group of a class (« g… » whose ``class_name`` is set)."""
        keys = keys or []
        group_ids = [int(key[1:]) for key in keys if key.startswith("g")]
        return len(group_ids) < len(keys) or (
            Group.objects.filter(pk__in=group_ids).exclude(class_name="").exists()
        )

    def _groups(self) -> list[Group]:
        assert self.current is not None
        result = []
        for key in self.cleaned_data.get("groups") or []:
            if key.startswith("g"):
                result.append(Group.objects.get(pk=int(key[1:]), establishment=self.current))
            else:
                name = key[1:]
                group, _created = Group.objects.get_or_create(
                    establishment=self.current,
                    name=_("Classe %(name)s") % {"name": name},
                    defaults={"class_name": name},
                )
                result.append(group)
        return result

    def save(self, created_by: Any) -> list[AccessRule]:
        target = self.cleaned_data["target"]
        rules = []
        with transaction.atomic():
            groups = self._groups() if target == AccessTarget.GROUPS else []
            for profile in self.cleaned_data["profiles"]:
                rule = AccessRule.objects.create(
                    service=self.service,
                    role=self.cleaned_data["role"],
                    target=target,
                    profile=profile,
                    subjects=list(self.cleaned_data.get("subjects") or []),
                    functions=list(self.cleaned_data.get("functions") or []),
                    disciplines=list(self.cleaned_data.get("disciplines") or []),
                    levels=list(self.cleaned_data.get("levels") or []),
                    created_by=created_by,
                )
                if target == AccessTarget.SITE:
                    assert self.current is not None
                    rule.establishments.set([self.current])
                elif target == AccessTarget.ESTABLISHMENTS:
                    rule.establishments.set(self.cleaned_data["establishments"])
                elif target == AccessTarget.GROUPS:
                    rule.groups.set(groups)
                rules.append(rule)
        return rules


def _held_names(kind: str, establishment_ids: list[Any] | None) -> list[tuple[str, str]]:
    """The subjects, functions, disciplines or levels held in these establishments (``None``:
    all), once each whatever the case, accents and spaces (``level_key``, as rules compare)."""
    rows = MembershipGroup.objects.filter(kind=kind)
    if establishment_ids is not None:
        rows = rows.filter(membership__establishment__in=establishment_ids)
    names: dict[str, str] = {}
    for name in rows.values_list("name", flat=True).distinct().order_by("name"):
        names.setdefault(level_key(name), name)
    return sorted(((n, n) for n in names.values()), key=lambda c: c[1].casefold())


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Nom, prénom ou identifiant"), max_length=100, required=False
    )
