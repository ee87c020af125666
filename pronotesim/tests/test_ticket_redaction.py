"""CAS messages quoted on pronotesim's pages never show a ticket whole, nor cut twice."""

from __future__ import annotations

from pronotesim.espaces.saml import redact_tickets


def test_it_cuts_a_whole_ticket() -> None:
    assert redact_tickets("Ticket ST-AbCdEf1234567890 inconnu") == "Ticket ST-… inconnu"


def test_it_keeps_one_ellipsis_for_a_ticket_the_cas_cut_already() -> None:
    assert redact_tickets("Ticket « ST-AbCdEf… » déjà utilisé") == "Ticket « ST-… » déjà utilisé"
