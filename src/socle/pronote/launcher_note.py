"""The launcher page's warning before PRONOTE (registered in ``PronoteConfig.ready``).

A person the ENT has no PRONOTE identifier for (a newcomer not imported yet, an unmatched row of
the import) gets, from PRONOTE, « Échec de l'authentification par le serveur CAS … Le serveur
CAS doit être configuré pour renvoyer un attribut "idPronote". Or aucun attribut n'a été
renvoyé. », which reads as a broken service. The launcher says it before the click, in their
words, and whom to tell. Only for a service recognising by identifier alone: in « identité »
or « les deux » modes PRONOTE may recognise them otherwise. PRONOTE may also know them already
by their « Identifiant CAS » (bound at an earlier connection), hence « risque de ».
"""

from __future__ import annotations

from django.utils.translation import gettext

from socle.directory.models import Person
from socle.portal.models import Service
from socle.pronote.attributes import PRONOTE, is_pronote_service, pronote_id_for


def missing_identifier_note(person: Person, service: Service) -> str:
    """The warning, or ``""`` when the ENT holds the person's PRONOTE identifier there."""
    school = service.establishment
    if not is_pronote_service(service) or school is None:
        return ""
    if (service.pronote_recognition or PRONOTE) != PRONOTE:
        return ""
    if pronote_id_for(person, school.pk):
        return ""
    return gettext(
        "L'ENT n'a pas encore reçu votre identifiant PRONOTE pour %(school)s : PRONOTE risque "
        "de ne pas vous reconnaître (« Échec de l'authentification par le serveur CAS »). Dans "
        "ce cas, signalez-le à l'administrateur de l'ENT de votre établissement, qui importera "
        "votre identifiant."
    ) % {"school": school.name}
