"""Reading PRONOTE's identifier files. Plain modules: no Django request, no database."""

from socle.pronote.files.detect import merge, read_identifier_file
from socle.pronote.files.records import ParsedFile, PronoteFileError, PronoteRecord

__all__ = ["ParsedFile", "PronoteFileError", "PronoteRecord", "merge", "read_identifier_file"]
