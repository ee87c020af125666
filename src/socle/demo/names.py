"""Name lists for synthetic schools: French given names of two generations and surnames.

The lists deliberately hold accents (Éloïse, Gaëlle, Hélène, Noël), compound given names
(Jean-Baptiste, Marie-Ange) and surnames with particles, apostrophes and spaces (LE GALL,
DE LA FONTAINE, N'DIAYE, MC CARTHY, BEN SAÏD): the hard cases for matching. Surnames are listed
roughly by frequency; the generator weights them so that common ones repeat (homonyms).
"""

from __future__ import annotations

# fmt: off
# Pupils born 2010–2015.
GIRLS: tuple[str, ...] = (
    "Emma", "Léa", "Chloé", "Manon", "Inès", "Jade", "Lola", "Camille", "Sarah", "Louise",
    "Zoé", "Lina", "Léna", "Éloïse", "Maëlle", "Maëlys", "Clémence", "Anaïs", "Océane",
    "Noémie", "Juliette", "Ambre", "Romane", "Mathilde", "Célia", "Nour", "Aya", "Yasmine",
    "Lilou", "Lucie", "Alice", "Rose", "Anna", "Julia", "Margaux", "Elsa", "Héloïse", "Agathe",
    "Capucine", "Maëva", "Salomé", "Zélie", "Chaïma", "Assia", "Marie-Ange", "Anne-Laure",
    "Lou-Ann", "Inaya", "Gaëlle", "Bérénice", "Eva", "Ava", "Louane", "Louanne", "Mélissa",
    "Émilie", "Charlotte", "Apolline", "Fatoumata", "Linh", "Mia", "Loane",
)
BOYS: tuple[str, ...] = (
    "Lucas", "Nathan", "Enzo", "Louis", "Hugo", "Gabriel", "Mathis", "Théo", "Tom", "Raphaël",
    "Jules", "Arthur", "Noah", "Ethan", "Maël", "Timéo", "Mathéo", "Noé", "Adam", "Rayan",
    "Yanis", "Sacha", "Léo", "Paul", "Baptiste", "Clément", "Maxime", "Thomas", "Alexandre",
    "Antoine", "Jean-Baptiste", "Noël", "Loïc", "Anaël", "Moussa", "Kylian", "Mehdi", "Amine",
    "Évan", "Aurélien", "Gaël", "Titouan", "Valentin", "Quentin", "Axel", "Célestin",
    "Pierre-Louis", "Jean-Marc", "Elias", "Ilyès", "Bastien", "Martin", "Victor", "Romain",
    "Mamadou", "Minh", "Joachim", "Côme", "Sofiane", "Ewen", "Nolan", "Benoît",
)

# Parents, teachers and staff born 1960–1995.
WOMEN: tuple[str, ...] = (
    "Nathalie", "Isabelle", "Sandrine", "Céline", "Stéphanie", "Aurélie", "Émilie", "Julie",
    "Sophie", "Virginie", "Hélène", "Gaëlle", "Marie-Ange", "Anne-Sophie", "Valérie", "Karine",
    "Laetitia", "Delphine", "Caroline", "Christelle", "Séverine", "Élodie", "Magali", "Muriel",
    "Agnès", "Florence", "Cécile", "Véronique", "Corinne", "Patricia", "Sylvie", "Marie-Claire",
    "Fatima", "Yasmina", "Samira", "Nadia", "Aïcha", "Thi Lan", "Linh", "Aminata", "Ingrid",
    "Maryse", "Gwenaëlle", "Bénédicte", "Anne-Laure", "Clémence", "Noémie", "Émeline",
)
MEN: tuple[str, ...] = (
    "Nicolas", "Sébastien", "Julien", "Christophe", "Stéphane", "Frédéric", "Jérôme", "Olivier",
    "Laurent", "Jean-François", "Jean-Baptiste", "Grégory", "Cédric", "Noël", "Hervé",
    "François", "Éric", "Thierry", "Pascal", "David", "Vincent", "Guillaume", "Arnaud",
    "Fabrice", "Ludovic", "Mickaël", "Yannick", "Jean-Luc", "Pierre-Yves", "Benoît", "Jérémie",
    "Karim", "Mohamed", "Rachid", "Mamadou", "Quang", "Minh", "Abdoulaye", "Gaëtan", "Loïc",
    "Régis", "Cyril", "Bruno", "Didier", "Philippe", "Xavier", "Anthony", "Joël",
)

# Surnames, most frequent first (upper case, as French directories write them).
SURNAMES: tuple[str, ...] = (
    "MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY",
    "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX",
    "VINCENT", "FOURNIER", "MOREL", "GIRARD", "ANDRÉ", "LEFÈVRE", "MERCIER", "DUPONT",
    "LAMBERT", "BONNET", "FRANÇOIS", "MARTINEZ", "LEGRAND", "GARNIER", "FAURE", "ROUSSEAU",
    "BLANC", "GUÉRIN", "MULLER", "HENRY", "ROUSSEL", "NICOLAS", "PERRIN", "MORIN", "MATHIEU",
    "CLÉMENT", "GAUTHIER", "DUMONT", "LOPEZ", "FONTAINE", "CHEVALIER", "ROBIN", "MASSON",
    "SANCHEZ", "GÉRARD", "NGUYEN", "BOYER", "DENIS", "LEMAIRE", "DUVAL", "JOLY", "GAUTIER",
    "ROGER", "ROCHE", "ROY", "NOËL", "MEYER", "LUCAS", "MEUNIER", "JEAN", "PÉREZ", "MARCHAND",
    "DUFOUR", "BLANCHARD", "MARIE", "BARBIER", "BRUN", "DUMAS", "BRUNET", "SCHMITT", "LEROUX",
    "COLIN", "FERNANDEZ", "PIERRE", "RENARD", "ARNAUD", "ROLLAND", "CARON", "AUBERT",
    "GIRAUD", "LECLERC", "VIDAL", "BOURGEOIS", "RENAUD", "LEMOINE", "PICARD", "GAILLARD",
    "PHILIPPE", "LECLERCQ", "LACROIX", "FABRE", "DUPUIS", "OLIVIER", "RODRIGUEZ", "DA SILVA",
    "HUBERT", "LOUIS", "CHARLES", "GUILLOT", "RIVIÈRE", "LE GALL", "GUILLAUME", "ADAM",
    "REY", "MOULIN", "GONZALEZ", "BERGER", "LECOMTE", "MENARD", "FLEURY", "DESCHAMPS",
    "CARPENTIER", "JULIEN", "BENOÎT", "PARIS", "MAILLARD", "MARCHAL", "AUBRY", "VASSEUR",
    "LE ROUX", "RENAULT", "JACQUET", "COLLET", "PRÉVOST", "POIRIER", "CHARPENTIER", "ROYER",
    "HUET", "BAILLY", "CARRÉ", "BRETON", "GIRAULT", "LE GOFF", "DE LA FONTAINE", "N'DIAYE",
    "MC CARTHY", "BEN SAÏD", "DIALLO", "TRAORÉ", "HADDAD", "FERREIRA", "DOS SANTOS",
    "DE OLIVEIRA", "BENOIT", "D'ALMEIDA", "LE BIHAN", "ESTÈVE", "CASTAN", "DELMAS", "ROQUES",
    "BOUSQUET", "LAFFONT", "SABATIER", "CAZENAVE", "DE SAINT-EXUPÉRY", "O'BRIEN", "MAC LEOD",
    "DIOP", "KONATÉ", "BOUCHAÏB", "EL AMRANI", "TRAN", "PHAM", "CHÂTEAU", "CÔTÉ", "PAGÈS",
)

# Postal codes of Toulouse and its suburbs, for families, teachers and staff.
POSTAL_CODES: tuple[str, ...] = (
    "31000", "31100", "31200", "31300", "31400", "31500", "31170", "31770", "31130", "31240",
    "31140", "31520",
)
# fmt: on
