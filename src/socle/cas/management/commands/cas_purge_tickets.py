from typing import Any

from django.core.management.base import BaseCommand

from socle.cas.tickets import get_store


class Command(BaseCommand):
    help = "Supprime les tickets et sessions CAS expirés."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = get_store().purge_expired()
        self.stdout.write(f"{removed} ticket(s) ou session(s) expiré(s) supprimé(s).")
