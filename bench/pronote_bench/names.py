"""Synthetic names for the PRONOTE benchmark, and how PRONOTE's files may spell them."""

from __future__ import annotations

import random
import unicodedata

# Synthetic names: accents, compound names, particles, Mc — what the normaliser must fold.
_LAST = """Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel
Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau
Vincent Müller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand
Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand
Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas
Brunet Gaillard Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron
Picard Roger Fabre Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey
Leclerc Payet Rolland Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier
Sanchez Dupuis Moulin Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam
Paris Poirier Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin
Bailly Hervé Schneider Fernandez Le_Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel
Le_Roux Cousin Germain Breton Besson Langlois Rémy Le_Goff Pelletier Lévêque Perrier Leblanc Barré
Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne
Grondin Poulain Tessier Chevallier Collin Chauvin Da_Silva Bouchet Gay Lemaître Bénard Maréchal
Humbert Reynaud Antoine Hoarau Perret Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay
Pasquier Carlier Laporte Martin-Dupont N'Diaye D'Almeida McDonald De_La_Tour Nguyen"""
LAST_NAMES = [name.replace("_", " ") for name in _LAST.split()]
_FIRST = """Emma Jade Louise Alice Chloé Lina Léa Rose Anna Mila Inès Ambre Julia Mia Léna Manon
Juliette Lou Zoé Camille Agathe Sarah Romane Jeanne Éva Nina Margaux Iris Charlotte Louna Gabriel
Léo Raphaël Arthur Louis Lucas Adam Jules Hugo Maël Liam Noah Paul Ethan Tiago Sacha Gabin Nathan
Aaron Mohamed Théo Tom Noé Martin Nolan Timéo Enzo Eden Marius Mathis Jean-Pierre Marie-Claire
Anne-Sophie Pierre-Louis Élodie Céline Nathalie Isabelle Sylvie Stéphane Christophe Frédéric
Laurent Sébastien Valérie Sandrine Olivier Philippe Christian Nicolas Hélène Gaëlle"""
FIRST_NAMES = _FIRST.split()
CLASSES = [f"{level}{letter}" for level in (6, 5, 4, 3) for letter in "ABCDEF"]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def pronote_id(rng: random.Random) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(16))


def pronote_name(rng: random.Random, name: str) -> str:
    """How PRONOTE's file may spell a directory name."""
    roll = rng.random()
    if roll < 0.5:
        return name.upper()
    if roll < 0.7:
        return strip_accents(name).upper()
    if roll < 0.8:
        return name.replace("-", " ")
    return name
