from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.cas.tickets import get_store
from socle.core.commands import SocleCommand


class Command(SocleCommand):
    help = cast(str, gettext_lazy("Supprime les tickets et sessions CAS expirés."))

    def handle(self, *args: Any, **options: Any) -> None:
        removed = get_store().purge_expired()
        self.stdout.write(
            _("%(count)s ticket(s) ou session(s) expiré(s) supprimé(s).") % {"count": removed}
        )
