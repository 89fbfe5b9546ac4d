"""The demo shop's customers: believable Chilean names, RUTs, emails, phones and addresses."""

from __future__ import annotations

from typing import Any

import numpy as np

from server.demo.identifiers import rut

FIRST_NAMES = (
    "María José|Camila|Javiera|Catalina|Constanza|Francisca|Valentina|Fernanda|Daniela|Carolina|Paula|Sofía|"
    "Isidora|Antonia|Florencia|Josefa|Martina|Agustina|Trinidad|Gabriela|Marcela|Patricia|Claudia|Verónica|Rosa|"
    "Juana|Ximena|Paola|Lorena|Andrea|José|Juan|Luis|Carlos|Jorge|Manuel|Francisco|Cristián|Felipe|Matías|"
    "Benjamín|Vicente|Agustín|Tomás|Sebastián|Diego|Nicolás|Joaquín|Maximiliano|Ignacio|Rodrigo|Pablo|Gonzalo|"
    "Patricio|Héctor|Sergio|Víctor|Claudio|Mauricio|Álvaro"
).split("|")
SURNAMES = (
    "González|Muñoz|Rojas|Díaz|Pérez|Soto|Contreras|Silva|Martínez|Sepúlveda|Morales|Rodríguez|López|Fuentes|"
    "Hernández|Torres|Araya|Flores|Espinoza|Valenzuela|Castillo|Ramírez|Reyes|Gutiérrez|Castro|Vargas|Álvarez|"
    "Vásquez|Tapia|Fernández|Sánchez|Carrasco|Gómez|Cortés|Herrera|Núñez|Jara|Vergara|Rivera|Figueroa|Riquelme|"
    "García|Miranda|Bravo|Vera|Molina|Vega|Campos|Sandoval|Orellana|Cáceres|Olivares|Zúñiga|Gallardo|Ortiz|"
    "Garrido|Salazar|Guzmán|Henríquez|Saavedra"
).split("|")
BUSINESSES = (
    "Restaurante El Rincón de Ñuñoa|Junta de Vecinos Villa Los Aromos|Colegio San Alberto|Café La Esquina|"
    "Peluquería Estilo Propio|Taller Mecánico Hermanos Soto|Jardín Infantil Los Pollitos|Sushi Irarrázaval|"
    "Club Deportivo Juventud Unida|Minimarket Doña Rosa|Fuente de Soda El Paso|Lavandería Burbujas"
).split("|")
STREETS = (
    "Av. Irarrázaval|Av. Grecia|Av. Pedro de Valdivia|Av. José Pedro Alessandri|Los Alerces|Dublé Almeyda|Sucre|"
    "Ramón Cruz|Exequiel Fernández|Juan Moya|Campo de Deportes|Brown Norte|Suecia|Manuel Montt|Italia|Los Jardines"
).split("|")
COMUNAS = ("Ñuñoa",) * 6 + ("Providencia", "Macul", "La Reina", "Peñalolén", "Santiago", "San Joaquín")
NOTES = (
    "Cliente frecuente",
    "Fiado hasta fin de mes",
    "Prefiere boleta por correo",
    "Despacho a domicilio los sábados",
    "Vecino del edificio de la esquina",
)


def fold(text: str) -> str:
    table = str.maketrans("áéíóúüñÁÉÍÓÚÑ", "aeiouunAEIOUN")
    return text.translate(table).lower().replace(" ", "")


def customer_cards(rng: np.random.Generator, count: int) -> dict[str, list[Any]]:
    names: list[str] = []
    tax_ids: list[str | None] = []
    emails: list[str | None] = []
    phones: list[str | None] = []
    addresses: list[str] = []
    notes: list[str] = []
    used_ruts: set[int] = set()
    for index in range(count):
        business = rng.random() < 0.05
        if business:
            name = BUSINESSES[index % len(BUSINESSES)]
            if index >= len(BUSINESSES):
                name = f"{name} {index // len(BUSINESSES) + 1}"
            low, high = 76_000_000, 78_000_000
        else:
            first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
            father, mother = (SURNAMES[int(i)] for i in rng.choice(len(SURNAMES), size=2, replace=False))
            name = f"{first} {father} {mother}"
            low, high = 6_000_000, 26_000_000
        names.append(name)
        if business or rng.random() < 0.6:
            number = int(rng.integers(low, high))
            while number in used_ruts:
                number += 1
            used_ruts.add(number)
            tax_ids.append(rut(number))
        else:
            tax_ids.append(None)
        if rng.random() < 0.45:
            local = fold(name.split()[0] + "." + name.split()[-1]) if not business else fold(name)[:20]
            emails.append(f"{local}{int(rng.integers(1, 100))}@example.com")
        else:
            emails.append(None)
        phones.append(
            f"+56 9 {int(rng.integers(2000, 9999))} {int(rng.integers(1000, 9999))}" if rng.random() < 0.7 else None
        )
        if rng.random() < 0.6:
            street = STREETS[int(rng.integers(len(STREETS)))]
            comuna = COMUNAS[int(rng.integers(len(COMUNAS)))]
            addresses.append(f"{street} {int(rng.integers(100, 5000))}, {comuna}")
        else:
            addresses.append("")
        notes.append(NOTES[int(rng.integers(len(NOTES)))] if rng.random() < 0.06 else "")
    return {"name": names, "tax_id": tax_ids, "email": emails, "phone": phones, "address": addresses, "notes": notes}
