"""Forms of the espaces: PRONOTE's own login form and the « Identification impossible » form."""

from django import forms


class DirectLoginForm(forms.Form):
    login = forms.CharField(label="Identifiant", max_length=150)
    password = forms.CharField(label="Mot de passe", max_length=200, widget=forms.PasswordInput)


class IdentificationForm(forms.Form):
    """« Corrections éventuelles » and the way back to the user; every field optional."""

    nom = forms.CharField(label="Nom", max_length=100, required=False)
    prenom = forms.CharField(label="Prénom", max_length=100, required=False)
    date_naissance = forms.CharField(label="Date de naissance", max_length=10, required=False)
    code_postal = forms.CharField(label="Code postal", max_length=10, required=False)
    comment = forms.CharField(
        label="Des informations complémentaires",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    email = forms.EmailField(label="E-mail", max_length=254, required=False)
    phone = forms.CharField(label="Téléphone", max_length=40, required=False)

    CORRECTION_FIELDS = ("nom", "prenom", "date_naissance", "code_postal")
