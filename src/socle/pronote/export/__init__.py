"""Mode avec alimentation: the ENT's users for PRONOTE (RapprochementSSO v2.0 in ImportChiffre)."""

from socle.pronote.export.container import build_container, open_container
from socle.pronote.export.rapprochement import ExportResult, build_rapprochement

__all__ = ["ExportResult", "build_container", "build_rapprochement", "open_container"]
