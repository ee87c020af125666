"""System, XML parser and regular expression errors told in the active language.

The C library's ``strerror`` and libxml2 speak English whatever ``SOCLE_LANGUAGE`` says, and the
people who read these messages (a school administrator importing a file, an operator running a
command) may not. The errors an import or an export meets in practice are named here by their
code (``errno``, libxml2's error number), which does not depend on any locale; any other error
keeps the library's own text. Only the wording changes: callers still say which file and which
line.
"""

from __future__ import annotations

import errno
import re

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from lxml import etree

_OS_ERRORS: dict[int, Promise] = {
    errno.ENOENT: _("fichier ou dossier introuvable"),
    errno.EACCES: _("permission refusée"),
    errno.EPERM: _("opération non permise"),
    errno.EISDIR: _("c'est un dossier, pas un fichier"),
    errno.ENOTDIR: _("un élément du chemin n'est pas un dossier"),
    errno.ENOSPC: _("plus de place sur le disque"),
    errno.EDQUOT: _("quota de disque dépassé"),
    errno.EROFS: _("système de fichiers en lecture seule"),
    errno.EEXIST: _("le fichier existe déjà"),
    errno.ENAMETOOLONG: _("nom de fichier trop long"),
    errno.EMFILE: _("trop de fichiers ouverts"),
    errno.ENFILE: _("trop de fichiers ouverts"),
    errno.EIO: _("erreur d'entrée-sortie du disque"),
    errno.ELOOP: _("trop de liens symboliques"),
}

# libxml2's error numbers (lxml.etree.ErrorTypes), those met in hand-edited or truncated files.
_XML_ERRORS: dict[int, Promise] = {
    etree.ErrorTypes.ERR_DOCUMENT_EMPTY: _(
        "le document est vide ou ne commence pas par une balise « < »"
    ),
    etree.ErrorTypes.ERR_DOCUMENT_END: _(
        "contenu en trop après la fin du document (un seul élément racine est permis)"
    ),
    etree.ErrorTypes.ERR_INVALID_CHAR: _("caractère interdit en XML"),
    etree.ErrorTypes.ERR_ENTITYREF_SEMICOL_MISSING: _(
        "« & » non échappé ou référence sans « ; » (écrire &amp; pour « & »)"
    ),
    etree.ErrorTypes.ERR_UNDECLARED_ENTITY: _(
        "entité inconnue (seules &amp; &lt; &gt; &quot; et &apos; sont permises)"
    ),
    etree.ErrorTypes.ERR_LT_IN_ATTRIBUTE: _("« < » non échappé dans la valeur d'un attribut"),
    etree.ErrorTypes.ERR_ATTRIBUTE_WITHOUT_VALUE: _("attribut sans valeur"),
    etree.ErrorTypes.ERR_ATTRIBUTE_REDEFINED: _("attribut répété dans une même balise"),
    etree.ErrorTypes.ERR_NAME_REQUIRED: _(
        "nom de balise ou d'entité invalide (un « & » ou un « < » non échappé ?)"
    ),
    etree.ErrorTypes.ERR_GT_REQUIRED: _("balise ouvrante non terminée (« > » manquant)"),
    # huge_tree=False: a value, an attribute or a comment over 10,000,000 characters.
    etree.ErrorTypes.ERR_RESOURCE_LIMIT: _(
        "valeur ou balise de plus de 10 millions de caractères : fichier corrompu, ou qui n'est "
        "pas un export"
    ),
    etree.ErrorTypes.ERR_COMMENT_NOT_FINISHED: _(
        "commentaire « <!-- » jamais fermé, ou de plus de 10 millions de caractères"
    ),
    etree.ErrorTypes.ERR_INVALID_ENCODING: _(
        "octets invalides dans l'encodage déclaré (fichier enregistré en Latin-1 au lieu d'UTF-8 ?)"
    ),
}

# Python's ``re`` messages, by their start (they carry no code).
_REGEX_ERRORS: tuple[tuple[str, Promise], ...] = (
    ("missing ), unterminated subpattern", _("parenthèse ouverte jamais fermée")),
    ("unbalanced parenthesis", _("parenthèse fermante sans parenthèse ouvrante")),
    ("unterminated character set", _("crochet « [ » jamais fermé")),
    ("nothing to repeat", _("quantificateur (*, + ou ?) sans rien à répéter")),
    ("multiple repeat", _("quantificateurs qui se suivent (par exemple « ** » ou « +* »)")),
    ("bad escape", _("séquence d'échappement « \\ » inconnue")),
    ("bad character range", _("intervalle de caractères à l'envers (par exemple « [z-a] »)")),
    ("unknown extension", _("construction « (?…) » inconnue")),
    ("look-behind requires fixed-width pattern", _("« (?<=…) » exige une longueur fixe")),
)

# Python's ``csv`` messages, by their start (they carry no code).
_CSV_ERRORS: tuple[tuple[str, Promise], ...] = (
    (
        "field larger than field limit",
        _("valeur de plus de 131 072 caractères : fichier corrompu, ou qui n'est pas un CSV"),
    ),
    ("line contains nul", _("octet nul dans le texte : fichier binaire, ou pas un CSV")),
    (
        "unexpected end of data",
        _("le fichier s'arrête dans une valeur entre guillemets (fichier coupé ?)"),
    ),
    (
        "new-line character seen in unquoted field",
        _("retour à la ligne isolé dans une valeur sans guillemets"),
    ),
)

_MISMATCH = re.compile(r"mismatch: (?P<opening>\S+) line (?P<line>\d+) and (?P<closing>[^\s,]+)")
_UNFINISHED = re.compile(r"Premature end of data in tag (?P<tag>\S+) line (?P<line>\d+)")
_POSITION = re.compile(r", line \d+, column \d+\s*$")


def os_error(exc: OSError) -> str:
    """What went wrong with a file, in the active language (``exc.strerror`` otherwise)."""
    known = _OS_ERRORS.get(exc.errno or 0)
    if known is not None:
        return str(known)
    return exc.strerror or str(exc)


def csv_error(exc: Exception) -> str:
    """What Python's ``csv`` reader found wrong, in the active language where known."""
    message = str(exc)
    lowered = message.lower()
    return next((str(said) for start, said in _CSV_ERRORS if lowered.startswith(start)), message)


def regex_error(exc: re.error) -> str:
    """What is wrong in a regular expression, in the active language, with the position."""
    message = exc.msg or str(exc)
    text = next((str(said) for start, said in _REGEX_ERRORS if message.startswith(start)), message)
    if exc.pos is None:
        return text
    return gettext("%(error)s (position %(position)s)") % {"error": text, "position": exc.pos + 1}


def xml_error(exc: etree.XMLSyntaxError) -> str:
    """What is wrong in an XML document, in the active language, with the column where libxml2
    gives one (the callers name the line)."""
    message = exc.msg or ""
    text = _xml_text(exc.code, message)
    column = exc.position[1] if exc.position else 0
    if column:
        return gettext("%(error)s (colonne %(column)s)") % {"error": text, "column": column}
    return text


def _xml_text(code: int, message: str) -> str:
    if code == etree.ErrorTypes.ERR_RESOURCE_LIMIT and "depth" in message:
        # libxml2's other resource limit without huge_tree: « Excessive depth in document »
        return gettext(
            "balises imbriquées sur plus de 256 niveaux : fichier corrompu, ou qui n'est pas un "
            "export"
        )
    if code == etree.ErrorTypes.ERR_TAG_NAME_MISMATCH and (found := _MISMATCH.search(message)):
        return (
            gettext(
                "balise fermante </%(closing)s> alors que <%(opening)s>, ouverte ligne %(line)s, "
                "n'est pas fermée"
            )
            % found.groupdict()
        )
    if code == etree.ErrorTypes.ERR_TAG_NOT_FINISHED and (found := _UNFINISHED.search(message)):
        return (
            gettext(
                "le fichier s'arrête avant la fermeture de <%(tag)s>, ouverte ligne %(line)s "
                "(fichier tronqué ?)"
            )
            % found.groupdict()
        )
    known = _XML_ERRORS.get(code)
    if known is not None:
        return str(known)
    return _POSITION.sub("", message).strip()
