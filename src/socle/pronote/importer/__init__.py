"""The import workflow: start a session from a parsed file, match and validate its six steps,
interrupt, report. Used alike by the ``pronote_import`` command and the wizard views."""

from socle.pronote.importer.session import load_file, start_import
from socle.pronote.importer.step_matching import prepare_step
from socle.pronote.importer.steps import interrupt, validate_step

__all__ = ["interrupt", "load_file", "prepare_step", "start_import", "validate_step"]
