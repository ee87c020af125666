"""Sample PRONOTE files written the ways the connector must accept."""

from __future__ import annotations

PRONOTESIM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<IDENTIFIANTS_PRONOTE UAI="{uai}">
  <Professeurs>
    <Professeur IDPN="PROF00000000001A" Nom="BERRONE" Prenom="Christian"
                DateNaissance="12/05/1975" CodePostal="31000"/>
  </Professeurs>
  <Eleves>
    <Eleve IDPN="AZKH9C7WSQ2R54DP" Nom="MARTIN" Prenom="Camille" DateNaissance="04/03/2012"
           CodePostal="31000" Classe="4A" IdentifiantCAS="">
      <Responsable IDPN="8WRBFX9Q73AVJKLM"/>
    </Eleve>
  </Eleves>
  <Responsables>
    <Responsable IDPN="8WRBFX9Q73AVJKLM" Nom="MARTIN" Prenom="Nathalie" CodePostal="31000"/>
  </Responsables>
  <MaitresDeStage>
    <MaitreDeStage IDPN="MDS0000000000001" Nom="GARAGE" Prenom="Paul"/>
  </MaitresDeStage>
  <Inspecteurs>
    <Inspecteur IDPN="INS0000000000001" Nom="LEROY" Prenom="Anne"/>
  </Inspecteurs>
  <Personnels>
    <Personnel IDPN="PER0000000000001" Nom="DURAND" Prenom="Sophie" DateNaissance="1970-01-02"/>
  </Personnels>
</IDENTIFIANTS_PRONOTE>
"""

CHILD_FORM_XML = """<?xml version="1.0" encoding="ISO-8859-1"?>
<export>
  <ELEVE>
    <identifiantpronote>AZKH9C7WSQ2R54DP</identifiantpronote>
    <NOM>Müller</NOM><prenom>Zoé</prenom><DATENAISSANCE>2012-03-04</DATENAISSANCE>
    <classe>4A</classe>
    <Responsables>
      <Responsable><IDPN>8WRBFX9Q73AVJKLM</IDPN></Responsable>
      <Responsable>9WRBFX9Q73AVJKLM</Responsable>
    </Responsables>
  </ELEVE>
  <professeur idpn="PROF00000000001A"><Nom>BERRONE</Nom><Prenom>Christian</Prenom></professeur>
</export>
"""

CSV_ELEVES = (
    "Nom;Prénom;Né(e) le;Classe;Identifiant_PRONOTE-ENT\r\n"
    "MARTIN;Camille;04/03/2012;4A;AZKH9C7WSQ2R54DP\r\n"
    "CŒUR;Éloïse;15/11/2011;3B;BZKH9C7WSQ2R54DP\r\n"
)
