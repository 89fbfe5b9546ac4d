"""A believable demo shop: a Chilean minimarket's catalog, customers and years of trading,
generated from a seed, in memory, without touching the database.

`generate_shop()` first draws the daily unit demand of every product (base level, weekly and
yearly seasonality, trend, promotions, holidays, launches, intermittent slow movers), then
rings that demand up as tickets at the registers, priced by `server.sales.pricing` exactly as
a real sale is, and keeps stock, shifts and customer statistics consistent with them.

Invariants of every `DemoShop` (the tests check them):

- The same arguments give the same shop, ids and timestamps included.
- Every sale is priced by `price_sale` and paid through `settle`: its total is the sum of its
  line totals, its tenders cover it, and change comes out of cash only.
- For every product, `stock` is the sum of its movements' deltas, `balance_after` is the running
  sum in `(occurred_at, id)` order, and no balance is negative.
- Each register numbers its sales `1, 2, …` in time order (`invoice_number` is `{code}-{n}`), and
  its `last_number` is its count of sales.
- A closed shift's count per method is what its sales, change and refunds left in it.
- Customers' `visits`, `total_spent` and `last_purchase_at` summarise their sales the way the
  sale service keeps them (a refund comes off `total_spent`).
- Demand is never lost: when a day's sales would outrun the shelf, an urgent receipt arrives
  before opening, so the units sold are the demand drawn.
- `daily_demand()` is exactly the units sold per product and local day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from server.sales.pricing import LineInput, PricedSale, Settlement, TenderInput, price_sale, settle

Array = npt.NDArray[Any]

TIME_ZONE = "America/Santiago"
DEFAULT_END = date(2026, 6, 30)
VAT_BP = 1900
MAX_LINES_PER_TICKET = 6
TICKET_BREAK = 0.38  # chance that the next purchase of the day starts a new ticket
PAYMENT_METHODS = ("cash", "card", "transfer", "other")
MICROS = 1_000_000

__all__ = ["DEFAULT_END", "TIME_ZONE", "DemoShop", "generate_shop", "time_ordered_ids"]


@dataclass(frozen=True, eq=False)
class DemoShop:
    """A generated shop, as one DataFrame per database table (same column names, without
    `organization_id`; ids are UUIDv7, timestamps UTC-aware, money in minor units).

    Who acted is a *cashier slot* (`cashier`: 0, 1, …) that the loader maps to real users; a
    slot of -1 (stock receipts) is the back office. `promotions` is not a table: it lists the
    price cuts behind the line discounts, for whoever wants to explain the demand.
    Treat the frames as read-only.
    """

    seed: int
    start: date
    end: date
    time_zone: str
    tax_mode: str
    currency_minor_units: int
    categories: pd.DataFrame
    products: pd.DataFrame
    customers: pd.DataFrame
    registers: pd.DataFrame
    shifts: pd.DataFrame
    shift_counts: pd.DataFrame
    sales: pd.DataFrame
    sale_lines: pd.DataFrame
    payments: pd.DataFrame
    refunds: pd.DataFrame
    refund_lines: pd.DataFrame
    inventory_movements: pd.DataFrame
    promotions: pd.DataFrame
    _daily_demand: pd.DataFrame
    _expected_demand: pd.DataFrame

    def daily_demand(self) -> pd.DataFrame:
        """Units sold per product and local day: columns `product_id, date, quantity`, one row
        per day with sales (a missing day means zero), sorted by product then date."""
        return self._daily_demand.copy()

    def expected_demand(self) -> pd.DataFrame:
        """The mean of the demand drawn per product and local day — the rate before the day's
        traffic, the product's own noise and the Poisson draw — as one column per product id
        (index: dates). No forecaster can know it; benchmarks compare forecasts with it to see
        how far from the truth they are, without the noise of a single draw."""
        return self._expected_demand.copy()

    def row_counts(self) -> dict[str, int]:
        """Rows per database table."""
        return {name: len(getattr(self, name)) for name in _TABLES}


_TABLES = (
    "categories",
    "products",
    "customers",
    "registers",
    "shifts",
    "shift_counts",
    "sales",
    "sale_lines",
    "payments",
    "refunds",
    "refund_lines",
    "inventory_movements",
)


# The catalog ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Family:
    names: tuple[str, ...]
    sizes: tuple[tuple[str, float], ...]
    price: float
    season: tuple[int, float] | None
    in_store: bool | None
    appeal: float


def _family(
    names: str,
    sizes: str,
    price: float,
    *,
    season: tuple[int, float] | None = None,
    in_store: bool | None = None,
    appeal: float = 1.0,
) -> _Family:
    """`names` (best sellers first) and `sizes` are `|`-separated; a size is `label:price factor`.
    `appeal` scales the family's demand against the rest of its aisle."""
    parsed = tuple((label, float(factor)) for label, factor in (size.rsplit(":", 1) for size in sizes.split("|")))
    return _Family(tuple(names.split("|")), parsed, price, season, in_store, appeal)


WEEKEND = (0.8, 0.78, 0.82, 0.92, 1.3, 1.62, 0.98)
EVERY_DAY = (1.0, 0.96, 0.96, 1.0, 1.06, 1.14, 0.88)
HOUSEHOLD = (1.05, 0.98, 0.95, 0.96, 1.02, 1.22, 0.82)
SUMMER = 20
WINTER = 195


@dataclass(frozen=True, slots=True)
class _Aisle:
    name: str
    parent: str | None
    code: str
    group: str
    share: float
    popularity: float
    week: tuple[float, ...]
    season: tuple[int, float]
    lead_time: tuple[int, int]
    basket: float
    families: tuple[_Family, ...]
    in_store: bool = False
    perishable: bool = False


PARENTS = ("Bebidas", "Botillería")

AISLES: tuple[_Aisle, ...] = (
    _Aisle(
        name="Gaseosas",
        parent="Bebidas",
        code="GAS",
        group="bebidas",
        share=6,
        popularity=1.5,
        week=WEEKEND,
        season=(SUMMER, 0.35),
        lead_time=(2, 4),
        basket=1.3,
        families=(
            _family(
                "Coca-Cola|Coca-Cola Sin Azúcar|Fanta Naranja|Sprite|Pepsi|Pepsi Zero|Bilz|Pap|Kem Piña|"
                "Canada Dry Ginger Ale|Crush Naranja|7Up|Inca Kola|Limón Soda",
                "lata 350 ml:1|591 ml:1.3|1,5 L:2.1|2 L:2.5|3 L:3.3",
                790,
                appeal=2.0,
            ),
        ),
    ),
    _Aisle(
        name="Aguas y jugos",
        parent="Bebidas",
        code="AGU",
        group="bebidas",
        share=5,
        popularity=1.1,
        week=EVERY_DAY,
        season=(SUMMER, 0.3),
        lead_time=(2, 4),
        basket=1.4,
        families=(
            _family(
                "Agua Mineral Cachantun Con Gas|Agua Mineral Cachantun Sin Gas|Agua Benedictino Sin Gas|"
                "Agua Vital Con Gas|Agua Vital Sin Gas|Agua Puyehue Sin Gas",
                "500 ml:1|1,6 L:1.7|bidón 6 L:3.2",
                690,
                appeal=1.0,
            ),
            _family(
                "Néctar Andina del Valle Durazno|Néctar Andina del Valle Naranja|Jugo Watt's Durazno|"
                "Jugo Watt's Naranja|Jugo Watt's Piña|Néctar Watt's Frambuesa|Jugo Frutos del Maipo Naranja",
                "caja 200 ml:1|1 L:2.9|1,5 L:3.8",
                450,
            ),
            _family(
                "Jugo en Polvo Zuko Naranja|Jugo en Polvo Zuko Piña|Jugo en Polvo Zuko Durazno|"
                "Jugo en Polvo Zuko Frutilla|Jugo en Polvo Livean Naranja Mango|Jugo en Polvo Livean Piña",
                "sobre:1|pack 5 sobres:4.4",
                290,
                appeal=0.6,
            ),
            _family(
                "Bebida Energética Red Bull|Bebida Energética Monster|Bebida Energética Score|"
                "Bebida Isotónica Gatorade Naranja|Bebida Isotónica Powerade Mora",
                "lata:1|pack 4:3.6",
                1690,
                appeal=0.6,
            ),
        ),
    ),
    _Aisle(
        name="Lácteos y huevos",
        parent=None,
        code="LAC",
        group="lacteos",
        share=8,
        popularity=1.3,
        week=EVERY_DAY,
        season=(0, 0.05),
        lead_time=(1, 3),
        basket=1.5,
        families=(
            _family(
                "Leche Entera Soprole|Leche Descremada Soprole|Leche Semidescremada Colun|Leche Entera Colun|"
                "Leche Sin Lactosa Loncoleche|Leche Cultivada Frutilla Soprole|Leche Chocolate Soprole|"
                "Leche Frutilla Colun",
                "1 L:1|200 ml:0.45",
                1190,
                appeal=2.5,
            ),
            _family(
                "Yogur Batido Frutilla Soprole|Yogur Batido Vainilla Soprole|Yogur Batido Mora Colun|"
                "Yogur Griego Natural Colun|Yogur Protein Frutilla Soprole|Yogur Trozos Durazno Soprole|"
                "Yogur Bebible Frutilla Colun|Yogur Light Piña Soprole",
                "125 g:1|pack 4 x 125 g:3.6|1 kg:5.2",
                390,
            ),
            _family(
                "Queso Gauda Colun|Queso Mantecoso Soprole|Queso Chanco Quillayes|Queso Gauda Laminado Calo|"
                "Quesillo Colun|Queso Crema Philadelphia|Queso Parmesano Rallado Soprole",
                "250 g:1|500 g:1.85",
                3190,
                appeal=1.2,
            ),
            _family(
                "Mantequilla con Sal Colun|Mantequilla sin Sal Soprole|Margarina Calo|Margarina Sureña|"
                "Mantequilla Light Colun",
                "125 g:1|250 g:1.8",
                1490,
            ),
            _family(
                "Manjar Colun|Manjar Nestlé|Leche Condensada Nestlé|Crema de Leche Nestlé|Leche Evaporada Ideal",
                "lata chica:1|envase familiar:2.3",
                1390,
                appeal=0.6,
            ),
            _family(
                "Postre Danette Chocolate|Flan Vainilla Soprole|Sémola con Leche Soprole|Arroz con Leche Colun",
                "pote:1|pack 4:3.5",
                490,
                appeal=0.6,
            ),
            _family(
                "Huevos Blancos|Huevos de Color|Huevos de Campo|Huevos Extra Grandes de Color",
                "bandeja 6 u:1|bandeja 12 u:1.85|bandeja 30 u:4.1",
                1690,
                appeal=2.5,
            ),
        ),
        perishable=True,
    ),
    _Aisle(
        name="Panadería y pastelería",
        parent=None,
        code="PAN",
        group="panaderia",
        share=4,
        popularity=3.0,
        week=EVERY_DAY,
        season=(0, 0.05),
        lead_time=(1, 1),
        basket=3.0,
        families=(
            _family(
                "Marraqueta|Hallulla|Pan Amasado|Coliza|Dobladita|Pan Frica|Pan de Completo|Pan Integral|"
                "Baguette|Pan de Huevo",
                "unidad:1|bolsa 1/2 kg:4.6",
                250,
                appeal=6.0,
            ),
            _family(
                "Pan de Molde Blanco Ideal|Pan de Molde Integral Ideal|Pan de Molde Castaño|Pan Pita Castaño|"
                "Pan Hot Dog Ideal|Pan Hamburguesa Ideal",
                "bolsa:1|bolsa XL:1.45",
                2290,
                in_store=False,
                appeal=0.8,
            ),
            _family(
                "Berlín con Crema|Berlín de Manjar|Kuchen de Manzana|Kuchen de Frambuesa|Empanada de Pino|"
                "Empanada de Queso|Queque de Naranja|Alfajor Chilenito|Pie de Limón|Torta Tres Leches|"
                "Calzones Rotos|Sopaipilla",
                "unidad:1|caja 6 u:5.4",
                890,
            ),
        ),
        in_store=True,
        perishable=True,
    ),
    _Aisle(
        name="Abarrotes",
        parent=None,
        code="ABA",
        group="abarrotes",
        share=15,
        popularity=0.8,
        week=HOUSEHOLD,
        season=(0, 0.05),
        lead_time=(4, 8),
        basket=1.3,
        families=(
            _family(
                "Arroz Grado 1 Tucapel|Arroz Grado 2 Miraflores|Arroz Integral Tucapel|Arroz Pregraneado Banquete|"
                "Arroz Largo Ancho Aruba",
                "1 kg:1|2 kg:1.9|5 kg:4.4",
                1490,
                appeal=1.5,
            ),
            _family(
                "Spaghetti 5 Carozzi|Corbatas Carozzi|Tallarín 87 Lucchetti|Espirales Lucchetti|"
                "Cabello de Ángel Carozzi|Quifaros Don Vittorio|Penne Rigate Don Vittorio|Fetuccini Carozzi|"
                "Rigatoni Lucchetti|Coditos Carozzi",
                "400 g:1|1 kg:2.2",
                990,
                appeal=1.5,
            ),
            _family(
                "Aceite Vegetal Belmont|Aceite Maravilla Chef|Aceite Canola Natura|Aceite Vegetal Miraflores",
                "900 ml:1|1 L:1.1|5 L:4.6",
                2690,
            ),
            _family("Aceite de Oliva Extra Virgen Talliani|Aceite de Oliva Chef", "500 ml:1|1 L:1.8", 5990, appeal=0.4),
            _family(
                "Azúcar Granulada Iansa|Azúcar Flor Iansa|Azúcar Rubia Iansa|Harina Selecta|"
                "Harina con Polvos de Hornear Mont Blanc|Harina Integral Collico",
                "1 kg:1|5 kg:4.6",
                1390,
            ),
            _family("Sal de Mesa Lobos|Sal de Mar Lobos|Sal Parrillera Lobos", "1 kg:1", 590, appeal=0.8),
            _family(
                "Atún Lomitos en Agua Van Camp's|Atún Lomitos en Aceite Robinson Crusoe|Jurel Natural San José|"
                "Choclo en Grano Minuto Verde|Arvejas Minuto Verde|Duraznos en Mitades Dos Caballos|"
                "Piña en Rodajas Dos Caballos|Sardinas en Salsa de Tomate Colorado|"
                "Champiñones Laminados Minuto Verde|Palmitos Enteros Aconcagua",
                "lata:1|pack 3 latas:2.8",
                1590,
            ),
            _family(
                "Salsa de Tomate Pomarola|Salsa de Tomate Italiana Carozzi|Tomate Triturado Carozzi|"
                "Pasta de Tomate Malloa",
                "sachet 200 g:1|pack 3 sachets:2.7",
                590,
            ),
            _family(
                "Mayonesa Hellmann's|Mayonesa JB|Ketchup JB|Mostaza JB|Ají Color Marco Polo|"
                "Salsa de Ají Traverso|Salsa de Soya Kikkoman|Vinagre de Vino Tinto Traverso|"
                "Jugo de Limón Traverso",
                "envase chico:1|envase familiar:2.4",
                1290,
                appeal=1.2,
            ),
            _family(
                "Café Instantáneo Nescafé Tradición|Café Instantáneo Nescafé Fina Selección|"
                "Café Instantáneo Monterrey|Café Molido Cafetto|Cacao en Polvo Milo|Cacao en Polvo Cola Cao",
                "170 g:1|400 g:2.1",
                3990,
                season=(WINTER, 0.15),
            ),
            _family(
                "Té Supremo Ceylán|Té Club Ceylán|Té Lipton Yellow Label|Té Verde Supremo|"
                "Agua de Hierbas Cachantun Manzanilla|Agua de Hierbas Supremo Boldo|Té Negro Dilmah",
                "20 bolsitas:1|100 bolsitas:3.6",
                990,
                season=(WINTER, 0.25),
            ),
            _family(
                "Sopa Maggi Pollo Fideos|Sopa Maggi Costilla|Sopa Maggi Verduras|Crema Knorr Espárragos|"
                "Crema Knorr Zapallo|Crema Knorr Champiñón|Caldo Maggi Gallina|Caldo Knorr Carne",
                "sobre:1|caja 12 u:10.5",
                590,
                season=(WINTER, 0.5),
            ),
            _family(
                "Lentejas Banquete|Porotos Hallados Banquete|Garbanzos Banquete|Porotos Negros Wasil|"
                "Arvejas Partidas Wasil|Lentejas Wasil",
                "500 g:1|1 kg:1.85",
                1290,
                season=(WINTER, 0.2),
            ),
            _family(
                "Avena Tradicional Quaker|Avena Instantánea Quaker|Cereal Chocapic|Cereal Zucaritas|"
                "Cereal Corn Flakes Kellogg's|Cereal Trix|Granola Costa",
                "caja 330 g:1|caja 730 g:1.9",
                2490,
            ),
            _family(
                "Mermelada Frutilla Watt's|Mermelada Damasco Watt's|Mermelada Mora Watt's|"
                "Mantequilla de Maní Selecta|Miel de Ulmo Apícola del Sur",
                "250 g:1|500 g:1.7",
                1390,
            ),
        ),
    ),
    _Aisle(
        name="Limpieza y hogar",
        parent=None,
        code="LIM",
        group="limpieza",
        share=8,
        popularity=0.5,
        week=HOUSEHOLD,
        season=(0, 0.05),
        lead_time=(5, 10),
        basket=1.1,
        families=(
            _family(
                "Detergente Líquido Omo|Detergente en Polvo Omo|Detergente Líquido Ariel|Detergente Popeye|"
                "Detergente Drive|Suavizante Fuzol|Suavizante Soft",
                "1 L:1|3 L:2.6|5 L:3.9",
                3490,
            ),
            _family(
                "Lavalozas Quix Limón|Lavalozas Quix Manzana|Lavalozas Magistral|Cloro Clorox|Cloro Gel Clorox|"
                "Limpiador Cif Crema|Limpiapisos Poett Lavanda|Limpiapisos Virginia|Desinfectante Lysol|"
                "Limpiavidrios Cif",
                "500 ml:1|1 L:1.7|2 L:3",
                1190,
            ),
            _family(
                "Papel Higiénico Elite Doble Hoja|Papel Higiénico Noble|Papel Higiénico Confort|"
                "Toalla de Papel Nova|Toalla de Papel Elite|Servilletas Elite",
                "4 rollos:1|12 rollos:2.6|24 rollos:4.7",
                2190,
                appeal=1.5,
            ),
            _family(
                "Esponja Virutex|Bolsas de Basura Virutex 70x90|Paño Multiuso Virutex|Guantes de Goma Virutex|"
                "Fósforos Copihue|Velas Blancas|Encendedor Bic|Pilas AA Duracell|Pilas AAA Energizer|"
                "Ampolleta LED 9 W",
                "unidad:1|pack 3:2.6",
                990,
                appeal=0.6,
            ),
        ),
    ),
    _Aisle(
        name="Snacks y dulces",
        parent=None,
        code="SNK",
        group="snacks",
        share=9,
        popularity=1.0,
        week=WEEKEND,
        season=(0, 0.05),
        lead_time=(3, 6),
        basket=1.3,
        families=(
            _family(
                "Papas Fritas Lay's Clásicas|Papas Fritas Lay's Corte Americano|Papas Fritas Marco Polo Merkén|"
                "Ramitas Evercrisp|Doritos Queso|Cheetos|Tortillas Evercrisp|Maní Salado Marco Polo|"
                "Suflés de Maíz Evercrisp",
                "45 g:1|140 g:2.2|250 g:3.3",
                790,
                appeal=1.5,
            ),
            _family(
                "Galletas Tritón Chocolate|Galletas Oreo|Galletas Morocha|Galletas Tuareg|Galletas Champaña Costa|"
                "Galletas Frac|Galletas Obsesión|Galletas Chips Chocolate McKay|Galletas Soda McKay|"
                "Galletas Vino Costa|Galletas Kuky|Galletas Criollitas",
                "paquete:1|pack 3:2.7",
                790,
            ),
            _family(
                "Chocolate Sahne-Nuss|Chocolate Trencito|Chocolate Costa Leche|Chocolate Costa Bitter 70 %|"
                "Chocolate Ambrosoli Leche|Chocolate Nestlé Crunch",
                "30 g:1|150 g:3.8",
                590,
            ),
            _family(
                "Super 8|Chocolito|Negrita|Cabsha|Mentitas Ambrosoli|Caramelos Ambrosoli Frutas|"
                "Chicle Beldent Menta|Gomitas Frugelé|Calugas Pelayo|Alfajor Costa|Rolls Costa|Privilegio",
                "unidad:1|bolsa surtida:6",
                350,
                appeal=1.8,
            ),
        ),
    ),
    _Aisle(
        name="Congelados",
        parent=None,
        code="CON",
        group="congelados",
        share=4,
        popularity=0.5,
        week=HOUSEHOLD,
        season=(0, 0.05),
        lead_time=(3, 6),
        basket=1.3,
        families=(
            _family(
                "Papas Prefritas McCain|Papas Prefritas Minuto Verde|Hamburguesas de Vacuno La Crianza|"
                "Hamburguesas de Pollo Super Pollo|Nuggets de Pollo Super Pollo|Empanadas de Queso Cóctel|"
                "Verduras Mixtas Minuto Verde|Choclo Congelado Minuto Verde|Merluza Apanada Camanchaca|"
                "Arvejitas Congeladas Minuto Verde|Frutillas Congeladas Frutos del Maipo|"
                "Pulpa de Frambuesa Frutos del Maipo|Pizza Congelada Española",
                "400 g:1|1 kg:2.2",
                2290,
            ),
        ),
    ),
    _Aisle(
        name="Helados",
        parent="Congelados",
        code="HEL",
        group="helados",
        share=3,
        popularity=0.9,
        week=WEEKEND,
        season=(SUMMER, 0.9),
        lead_time=(3, 5),
        basket=1.6,
        families=(
            _family(
                "Helado Savory Chocolate|Helado Savory Vainilla|Helado Savory Frutilla|Helado Savory Lúcuma|"
                "Helado Bresler Frambuesa|Helado Colun Piña|Helado Cassata Savory|Helado Bresler Cookies",
                "1 L:1|2,5 L:2.1",
                3490,
            ),
            _family(
                "Helado Trendy|Helado Centella|Helado Chocolito|Helado Loly|Helado Danky|Helado Piña Savory|"
                "Helado Mega|Helado Kriko|Helado Cola de Mono",
                "unidad:1|caja 6 u:5.2",
                790,
            ),
        ),
    ),
    _Aisle(
        name="Frutas y verduras",
        parent=None,
        code="FRU",
        group="frutas",
        share=5,
        popularity=1.5,
        week=EVERY_DAY,
        season=(0, 0.05),
        lead_time=(1, 2),
        basket=1.8,
        families=(
            _family(
                "Tomate|Cebolla|Papa|Zanahoria|Palta Hass|Limón|Plátano|Manzana Fuji|Manzana Verde|Pera|Ajo|"
                "Zapallo Camote|Pimentón Rojo",
                "1 kg:1|malla 3 kg:2.6",
                1490,
                appeal=2.0,
            ),
            _family(
                "Lechuga Costina|Lechuga Escarola|Pepino Ensalada|Choclo|Apio|Cilantro|Perejil|Zapallo Italiano|"
                "Brócoli|Coliflor",
                "unidad:1",
                890,
            ),
            _family(
                "Sandía|Melón Tuna|Durazno|Nectarín|Ciruela|Uva Red Globe|Frutillas|Cerezas|Damasco",
                "1 kg:1",
                1990,
                season=(SUMMER, 0.95),
            ),
            _family("Mandarina|Naranja|Kiwi|Pomelo", "1 kg:1|malla 3 kg:2.6", 1290, season=(WINTER, 0.7)),
        ),
        in_store=True,
        perishable=True,
    ),
    _Aisle(
        name="Carnes y fiambres",
        parent=None,
        code="CAR",
        group="carnes",
        share=6,
        popularity=0.9,
        week=WEEKEND,
        season=(0, 0.05),
        lead_time=(1, 3),
        basket=1.3,
        families=(
            _family(
                "Longaniza La Preferida|Chorizo Parrillero La Preferida|Chorizo Parrillero Llanquihue|"
                "Vienesas Llanquihue|Vienesas San Jorge|Vienesas de Pollo Sopraval|Prieta La Preferida|"
                "Salchicha Alemana PF",
                "pack 5 u:1|pack 10 u:1.8|1 kg:3.4",
                2290,
                in_store=False,
                appeal=1.5,
            ),
            _family(
                "Lomo Vetado|Posta Rosada|Asiento|Plateada|Tapapecho|Punta de Ganso|Lomo Liso|Carne Molida 5 % Grasa",
                "bandeja 1 kg:1|bandeja 500 g:0.55",
                10990,
                appeal=0.7,
            ),
            _family(
                "Costillar de Cerdo|Chuleta de Cerdo|Pulpa de Cerdo|Pechuga de Pollo Deshuesada|"
                "Trutro Entero de Pollo|Alitas de Pollo",
                "bandeja 1 kg:1|bandeja 500 g:0.55",
                5490,
            ),
            _family(
                "Jamón Acaramelado San Jorge|Jamón de Pierna PF|Jamón de Pavo Sopraval|Salame Llanquihue|"
                "Mortadela San Jorge|Pechuga de Pavo Laminada Sopraval|Queso de Cabeza PF",
                "150 g:1|250 g:1.6",
                1790,
                appeal=1.8,
            ),
        ),
        in_store=True,
        perishable=True,
    ),
    _Aisle(
        name="Mascotas",
        parent=None,
        code="MAS",
        group="mascotas",
        share=4,
        popularity=0.35,
        week=HOUSEHOLD,
        season=(0, 0.05),
        lead_time=(7, 12),
        basket=1.1,
        families=(
            _family(
                "Alimento Perro Adulto Dog Chow|Alimento Perro Cachorro Dog Chow|Alimento Perro Adulto Master Dog|"
                "Alimento Perro Adulto Pedigree|Alimento Perro Champion Dog|Alimento Gato Adulto Cat Chow|"
                "Alimento Gato Whiskas|Alimento Gato Master Cat|Alimento Gato Champion Cat",
                "1 kg:1|3 kg:2.7|8 kg:6.3|15 kg:10.8",
                2890,
            ),
            _family(
                "Sobre Húmedo Whiskas Pollo|Sobre Húmedo Whiskas Carne|Sobre Húmedo Cat Chow Pescado|"
                "Lata Pedigree Carne|Lata Dog Chow Pollo|Snack Dentastix Pedigree",
                "unidad:1|pack 4:3.6",
                690,
            ),
            _family("Arena Sanitaria Perfect Cat|Arena Sanitaria Fancy Cat", "4 kg:1|8 kg:1.8", 3990, appeal=0.6),
        ),
    ),
    _Aisle(
        name="Bebé",
        parent=None,
        code="BBE",
        group="bebe",
        share=3,
        popularity=0.3,
        week=HOUSEHOLD,
        season=(0, 0.05),
        lead_time=(7, 10),
        basket=1.1,
        families=(
            _family(
                "Pañales Huggies Active Sec|Pañales Babysec Premium|Pañales Pampers Confort Sec|"
                "Pañales Huggies Natural Care",
                "talla P:1|talla M:1|talla G:1.05|talla XG:1.1|talla XXG:1.15",
                10990,
                appeal=1.2,
            ),
            _family(
                "Toallitas Húmedas Huggies|Toallitas Húmedas Babysec|Toallitas Húmedas Pampers",
                "48 u:1|80 u:1.5|pack 3 x 80 u:4",
                1590,
            ),
            _family("Leche Nido Etapa 1+|Leche NAN 1|Leche NAN 2|Cereal Infantil Nestum", "400 g:1|800 g:1.85", 7990),
            _family(
                "Compota Gerber Pera|Compota Gerber Manzana|Colado Nestlé Verduras|Colado Nestlé Carne",
                "unidad:1|pack 4:3.6",
                890,
            ),
        ),
    ),
    _Aisle(
        name="Cervezas",
        parent="Botillería",
        code="CER",
        group="botilleria",
        share=5,
        popularity=1.2,
        week=WEEKEND,
        season=(SUMMER, 0.35),
        lead_time=(3, 5),
        basket=2.2,
        families=(
            _family(
                "Cerveza Cristal|Cerveza Escudo|Cerveza Heineken|Cerveza Kunstmann Torobayo|"
                "Cerveza Austral Calafate|Cerveza Corona|Cerveza Royal Guard|Cerveza Stella Artois|"
                "Cerveza Becker|Cerveza Báltica|Cerveza Kunstmann Sin Alcohol|Cerveza Budweiser",
                "lata 470 ml:1|botella 330 ml:0.95|pack 6 latas 350 ml:4.4|pack 12 latas 350 ml:8.1",
                1190,
                appeal=1.5,
            ),
        ),
    ),
    _Aisle(
        name="Vinos",
        parent="Botillería",
        code="VIN",
        group="botilleria",
        share=4,
        popularity=0.55,
        week=WEEKEND,
        season=(WINTER, 0.1),
        lead_time=(4, 7),
        basket=1.3,
        families=(
            _family(
                "Vino Casillero del Diablo Cabernet Sauvignon|Vino Casillero del Diablo Carmenere|"
                "Vino Santa Rita 120 Carmenere|Vino Santa Rita 120 Sauvignon Blanc|Vino Gato Negro Merlot|"
                "Vino Gato Negro Cabernet Sauvignon|Vino Concha y Toro Reservado Carmenere|"
                "Vino Frontera Cabernet Sauvignon|Vino Misiones de Rengo Carmenere|Vino Undurraga Aliwen Reserva|"
                "Vino Cono Sur Bicicleta Pinot Noir|Vino Santa Carolina Reservado",
                "750 ml:1|1,5 L:1.75",
                4490,
            ),
            _family("Vino Tinto Gato|Vino Blanco Gato|Vino Tinto Clos de Pirque", "caja 1 L:1|caja 2 L:1.8", 2490),
        ),
    ),
    _Aisle(
        name="Destilados",
        parent="Botillería",
        code="DES",
        group="botilleria",
        share=3,
        popularity=0.3,
        week=WEEKEND,
        season=(0, 0.05),
        lead_time=(5, 8),
        basket=1.1,
        families=(
            _family(
                "Pisco Mistral 35°|Pisco Alto del Carmen 35°|Pisco Capel 35°|Pisco Control C 35°|"
                "Pisco Mistral Nobel 40°|Ron Bacardí Blanco|Ron Havana Club Añejo Especial|"
                "Whisky Johnnie Walker Red Label|Whisky Ballantine's|Vodka Absolut|Gin Beefeater|"
                "Fernet Branca|Tequila José Cuervo|Licor de Oro Araucano",
                "750 ml:1|1 L:1.3",
                7990,
            ),
            _family("Chicha Dulce Cacique|Chicha de Manzana Cacique", "1 L:1|1,5 L:1.4", 2490, appeal=0.4),
        ),
    ),
    _Aisle(
        name="Cuidado personal",
        parent=None,
        code="CUI",
        group="cuidado",
        share=5,
        popularity=0.4,
        week=HOUSEHOLD,
        season=(0, 0.05),
        lead_time=(7, 12),
        basket=1.1,
        families=(
            _family(
                "Shampoo Pantene|Shampoo Head & Shoulders|Shampoo Sedal|Acondicionador Sedal|"
                "Acondicionador Pantene|Jabón Líquido Dove",
                "200 ml:1|400 ml:1.7",
                2790,
            ),
            _family("Jabón Dove|Jabón Lux|Jabón Protex|Jabón Le Sancy", "unidad:1|pack 3:2.7", 990),
            _family(
                "Pasta Dental Colgate Total 12|Pasta Dental Colgate Triple Acción|Pasta Dental Pepsodent|"
                "Pasta Dental Aquafresh|Cepillo Dental Colgate|Enjuague Bucal Listerine",
                "unidad:1|pack 3:2.6",
                1890,
            ),
            _family(
                "Desodorante Rexona Mujer|Desodorante Rexona Hombre|Desodorante Axe|Desodorante Nivea|"
                "Toallas Higiénicas Ladysoft|Toallas Higiénicas Kotex|Protectores Diarios Nosotras|"
                "Máquina de Afeitar Gillette Prestobarba|Alcohol Gel Dettol",
                "unidad:1|pack 2:1.85",
                2490,
            ),
        ),
    ),
)

GROUPS = tuple(sorted({aisle.group for aisle in AISLES}))

# Day multipliers per group around the dates that move a Chilean shop ("*": every group).
EVENTS: dict[tuple[int, int], dict[str, float]] = {
    (1, 2): {"*": 0.8},
    (9, 14): {"carnes": 1.4, "botilleria": 1.4, "bebidas": 1.2, "snacks": 1.2},
    (9, 15): {"carnes": 1.9, "botilleria": 1.8, "bebidas": 1.4, "snacks": 1.4, "panaderia": 1.3},
    (9, 16): {"carnes": 2.6, "botilleria": 2.4, "bebidas": 1.7, "snacks": 1.6, "panaderia": 1.5},
    (9, 17): {"*": 1.15, "carnes": 3.5, "botilleria": 3.0, "bebidas": 2.0, "snacks": 1.8, "panaderia": 1.8},
    (9, 18): {"carnes": 3.0, "botilleria": 3.2, "bebidas": 2.2, "snacks": 2.0, "panaderia": 2.0},
    (9, 19): {"carnes": 2.2, "botilleria": 2.4, "bebidas": 1.8, "snacks": 1.6, "panaderia": 1.6},
    (9, 20): {"*": 0.7},
    (12, 22): {"botilleria": 1.4, "snacks": 1.3, "bebidas": 1.2},
    (12, 23): {"botilleria": 1.8, "snacks": 1.5, "bebidas": 1.4, "carnes": 1.4},
    (12, 24): {"*": 1.3, "botilleria": 2.5, "snacks": 2.0, "bebidas": 1.8, "carnes": 1.8, "helados": 1.5},
    (12, 25): {"*": 0.35},
    (12, 30): {"botilleria": 1.6, "bebidas": 1.4, "snacks": 1.3},
    (12, 31): {"*": 1.2, "botilleria": 3.0, "bebidas": 2.2, "snacks": 2.0, "carnes": 1.8, "helados": 1.5},
}
PUBLIC_HOLIDAYS = frozenset(
    {
        (1, 1), (5, 1), (5, 21), (6, 20), (6, 29), (7, 16), (8, 15),
        (9, 18), (9, 19), (10, 12), (10, 31), (11, 1), (12, 8), (12, 25),
    }
)  # fmt: skip
CLOSED = frozenset({(1, 1), (5, 1)})
HOLIDAY_DEMAND = 0.9
DEMAND_SCALE = 1.0


# Small pure helpers -------------------------------------------------------------------------


def _ean13(first_twelve: str) -> str:
    """The 13-digit EAN with its check digit."""
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def _rut(number: int) -> str:
    """A Chilean RUT as printed, `12.345.678-5`, with its modulo-11 check digit."""
    total, factor, rest = 0, 2, number
    while rest:
        total += rest % 10 * factor
        rest //= 10
        factor = 2 if factor == 7 else factor + 1
    check = 11 - total % 11
    digit = {10: "K", 11: "0"}.get(check, str(check))
    return f"{number:,}".replace(",", ".") + "-" + digit


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _shelf_prices(amount: Array, minor_units: int) -> Array:
    """Round CLP-scale amounts to shelf prices in minor units: `…90` pesos for a currency without
    minor units (1.290, 12.990), `….x9` otherwise (1,290 pesos ≈ 1.29)."""
    if minor_units == 0:
        step = np.where(amount >= 10_000, 1000, np.where(amount >= 300, 100, 10))
        price = np.maximum(np.floor(amount / step + 0.5), 1) * step
        return np.where(step == 10, price, price - 10).astype(np.int64)
    scale = 10**minor_units
    step = scale // 10
    rounded = np.maximum(np.floor(amount / 1000 * scale / step + 0.5), 1) * step - 1
    return np.maximum(rounded, 1).astype(np.int64)


def _uuid7_parts(rng: np.random.Generator, micros: Array) -> tuple[Array, Array]:
    """The two 64-bit halves of UUIDv7 values (RFC 9562 §5.7) stamped with the millisecond of
    `micros` (UTC microseconds), with their random bits from `rng`: time-ordered like
    `server.core.ids.new_id()`, yet reproducible."""
    count = len(micros)
    millis = (np.asarray(micros, dtype=np.int64) // 1000).astype(np.uint64)
    random = rng.integers(0, np.iinfo(np.uint64).max, size=(2, count), dtype=np.uint64, endpoint=True)
    high = (millis << np.uint64(16)) | np.uint64(0x7000) | (random[0] & np.uint64(0x0FFF))
    low = np.uint64(0x8000_0000_0000_0000) | (random[1] & np.uint64(0x3FFF_FFFF_FFFF_FFFF))
    return high, low


def _as_uuids(high: Array, low: Array) -> Array:
    """UUID objects from their halves, as an object array (for fancy indexing)."""
    values = np.empty(len(high), dtype=object)
    values[:] = [uuid.UUID(int=(h << 64) | lo) for h, lo in zip(high.tolist(), low.tolist(), strict=True)]
    return values


def time_ordered_ids(rng: np.random.Generator, micros: Array) -> Array:
    """Deterministic UUIDv7 ids for events at `micros` (UTC microseconds), as an object array."""
    return _as_uuids(*_uuid7_parts(rng, micros))


def _timestamps(micros: Array) -> pd.Series:
    return pd.Series(pd.to_datetime(np.asarray(micros, dtype=np.int64), unit="us", utc=True))


# The calendar -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Calendar:
    dates: list[date]
    weekday: Array  # 0 = Monday; public holidays count as Sundays
    is_open: Array
    opens: Array  # local minutes after midnight
    closes: Array
    midnight: Array  # UTC microseconds of the local day's 00:00 (the day's offset holds 07:00-24:00)
    day_of_year: Array
    lift: Array  # (group, day) demand multipliers
    next_open: Array  # the first open day on or after each day (len(dates) when none)


def _calendar(start: date, days: int) -> _Calendar:
    zone = ZoneInfo(TIME_ZONE)
    dates = [start + timedelta(days=offset) for offset in range(days)]
    easters = {year: _easter(year) for year in {day.year for day in dates}}
    weekday = np.empty(days, dtype=np.int64)
    opens = np.empty(days, dtype=np.int64)
    closes = np.empty(days, dtype=np.int64)
    midnight = np.empty(days, dtype=np.int64)
    lift = np.ones((len(GROUPS), days))
    for index, day in enumerate(dates):
        key = (day.month, day.day)
        good_friday = easters[day.year] - timedelta(days=2)
        holiday = key in PUBLIC_HOLIDAYS or day in (good_friday, good_friday + timedelta(days=1))
        weekday[index] = 6 if holiday else day.weekday()
        if key in CLOSED:
            opens[index], closes[index] = -1, -1
        elif key == (12, 25):
            opens[index], closes[index] = 11 * 60, 15 * 60
        elif key in ((12, 24), (12, 31)):
            opens[index], closes[index] = 8 * 60 + 30, 19 * 60
        elif weekday[index] == 6:
            opens[index], closes[index] = 10 * 60, 20 * 60
        else:
            opens[index], closes[index] = 8 * 60 + 30, 21 * 60 + 30
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        offset = noon.utcoffset() or timedelta()
        naive = datetime(day.year, day.month, day.day, tzinfo=UTC)
        midnight[index] = int(naive.timestamp() - offset.total_seconds()) * MICROS
        event = EVENTS.get(key, {})
        general = event.get("*", HOLIDAY_DEMAND if holiday else 1.0)
        for group_index, group in enumerate(GROUPS):
            lift[group_index, index] = general * event.get(group, 1.0)
    is_open = opens >= 0
    next_open = np.full(days + 1, days, dtype=np.int64)
    for index in range(days - 1, -1, -1):
        next_open[index] = index if is_open[index] else next_open[index + 1]
    return _Calendar(
        dates=dates,
        weekday=weekday,
        is_open=is_open,
        opens=opens,
        closes=closes,
        midnight=midnight,
        day_of_year=np.array([day.timetuple().tm_yday for day in dates], dtype=np.int64),
        lift=lift,
        next_open=next_open[:days],
    )


# The catalog --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Catalog:
    category_names: list[str]
    category_parents: list[int | None]
    category: Array  # per product: index into category_names
    aisle: Array  # per product: index into AISLES
    name: list[str]
    sku: list[str]
    barcode: list[str]
    base_price: Array  # CLP-scale, before rounding
    appeal: Array
    season_peak: Array
    season_amplitude: Array


class _Offer(NamedTuple):
    name: str
    price: float
    appeal: float
    season: tuple[int, float]
    in_store: bool


def _catalog(rng: np.random.Generator, count: int) -> _Catalog:
    """Pick `count` products across the aisles in proportion to their shares, the more appealing
    first (staples are nearly always stocked). Appeal falls with the brand's rank in its family
    and with the pack size."""
    offers: list[list[_Offer]] = []
    for aisle in AISLES:
        items = [
            _Offer(
                name=f"{name} {label}".strip(),
                price=family.price * factor,
                appeal=family.appeal * (rank + 1) ** -0.5 * factor**-0.7,
                season=family.season or aisle.season,
                in_store=aisle.in_store if family.in_store is None else family.in_store,
            )
            for family in aisle.families
            for rank, name in enumerate(family.names)
            for label, factor in family.sizes
        ]
        race = rng.exponential(size=len(items)) / np.array([item.appeal for item in items])
        offers.append([items[index] for index in np.argsort(race, kind="stable")])
    shares = np.array([aisle.share for aisle in AISLES], dtype=float)
    wanted = np.floor(shares / shares.sum() * count).astype(np.int64)
    if count >= len(AISLES):
        wanted = np.maximum(wanted, 1)
    for index in np.argsort(-shares, kind="stable"):
        if wanted.sum() >= count:
            break
        wanted[index] += 1
    while wanted.sum() > count:
        wanted[int(np.argmax(wanted))] -= 1
    chosen = [items[:wanted_here] for items, wanted_here in zip(offers, wanted.tolist(), strict=True)]
    spare = count - sum(len(items) for items in chosen)
    for index in np.argsort(-shares, kind="stable").tolist():
        extra = offers[index][len(chosen[index]) : len(chosen[index]) + spare]
        chosen[index].extend(extra)
        spare -= len(extra)
    pack = 2
    while spare > 0:
        for index in range(len(AISLES)):
            for offer in offers[index][:spare]:
                chosen[index].append(
                    offer._replace(
                        name=f"{offer.name} pack {pack}", price=offer.price * pack * 0.95, appeal=offer.appeal / pack
                    )
                )
                spare -= 1
        pack += 1

    category_names = list(PARENTS)
    category_parents: list[int | None] = [None] * len(PARENTS)
    category_names.extend(spec.name for spec in AISLES)
    category_parents.extend(None if spec.parent is None else category_names.index(spec.parent) for spec in AISLES)

    total = sum(len(items) for items in chosen)
    manufacturer = rng.choice(10**9, size=total, replace=False)
    in_store_codes = rng.choice(10**10, size=total, replace=False)
    names: list[str] = []
    skus: list[str] = []
    barcodes: list[str] = []
    aisle_of: list[int] = []
    picked: list[_Offer] = []
    for aisle_index, items in enumerate(chosen):
        for number, offer in enumerate(sorted(items), start=1):
            serial = len(names)
            names.append(offer.name)
            skus.append(f"{AISLES[aisle_index].code}-{number:04d}")
            barcodes.append(
                _ean13(f"20{in_store_codes[serial]:010d}")
                if offer.in_store
                else _ean13(f"780{manufacturer[serial]:09d}")
            )
            aisle_of.append(aisle_index)
            picked.append(offer)
    aisles = np.array(aisle_of, dtype=np.int64)
    return _Catalog(
        category_names=category_names,
        category_parents=category_parents,
        category=aisles + len(PARENTS),
        aisle=aisles,
        name=names,
        sku=skus,
        barcode=barcodes,
        base_price=np.array([offer.price for offer in picked]) * rng.uniform(0.88, 1.12, size=total),
        appeal=np.array([offer.appeal for offer in picked]),
        season_peak=np.array([offer.season[0] for offer in picked], dtype=np.int64) + rng.integers(-12, 13, size=total),
        season_amplitude=np.array([offer.season[1] for offer in picked]) * rng.uniform(0.8, 1.1, size=total),
    )


# Customers ----------------------------------------------------------------------------------

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


def _fold(text: str) -> str:
    table = str.maketrans("áéíóúüñÁÉÍÓÚÑ", "aeiouunAEIOUN")
    return text.translate(table).lower().replace(" ", "")


def _customer_cards(rng: np.random.Generator, count: int) -> dict[str, list[Any]]:
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
            tax_ids.append(_rut(number))
        else:
            tax_ids.append(None)
        if rng.random() < 0.45:
            local = _fold(name.split()[0] + "." + name.split()[-1]) if not business else _fold(name)[:20]
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


# The generator ------------------------------------------------------------------------------


def generate_shop(
    *,
    seed: int = 7,
    products: int = 300,
    days: int = 730,
    end: date | None = None,
    registers: int = 3,
    customers: int = 400,
    tax_mode: str = "inclusive",
    currency_minor_units: int = 0,
    until: datetime | None = None,
) -> DemoShop:
    """Generate a shop trading for `days` days up to and including `end` (default
    `DEFAULT_END`, so that the same arguments always give the same shop).

    Prices are CLP-like for `currency_minor_units == 0` and scaled to ~1/1000 (1.29, 12.99) for
    currencies with minor units. `until` (UTC-aware) cuts the last day short: nothing happens
    after it, and shifts still open at that moment stay open.
    """
    if products < 1 or days < 1 or customers < 0 or not 1 <= registers <= 99:
        raise ValueError("products, days and registers (1-99) must be positive, customers not negative")
    if tax_mode not in ("inclusive", "exclusive"):
        raise ValueError("tax_mode is 'inclusive' or 'exclusive'")
    if until is not None and until.tzinfo is None:
        raise ValueError("until must be timezone-aware")
    end = end or DEFAULT_END
    start = end - timedelta(days=days - 1)
    catalog_rng, demand_rng, ticket_rng, payment_rng, people_rng, stock_rng, id_rng = (
        np.random.default_rng(stream) for stream in np.random.SeedSequence(seed).spawn(7)
    )
    calendar = _calendar(start, days)
    catalog = _catalog(catalog_rng, products)
    cut = _micros(until) if until is not None else None
    return _Shop(
        seed=seed,
        start=start,
        end=end,
        registers=registers,
        customers=customers,
        tax_mode=tax_mode,
        minor_units=currency_minor_units,
        calendar=calendar,
        catalog=catalog,
        cut=cut,
        rngs=(catalog_rng, demand_rng, ticket_rng, payment_rng, people_rng, stock_rng, id_rng),
    ).build()


def _micros(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * MICROS + delta.microseconds


class _Shop:
    """The generation steps, in order; each reads what the previous ones left on `self`."""

    def __init__(
        self,
        *,
        seed: int,
        start: date,
        end: date,
        registers: int,
        customers: int,
        tax_mode: str,
        minor_units: int,
        calendar: _Calendar,
        catalog: _Catalog,
        cut: int | None,
        rngs: tuple[np.random.Generator, ...],
    ) -> None:
        self.seed, self.start, self.end = seed, start, end
        self.register_count, self.customer_count = registers, customers
        self.tax_mode, self.minor_units = tax_mode, minor_units
        self.calendar, self.catalog, self.cut = calendar, catalog, cut
        (
            self.catalog_rng,
            self.demand_rng,
            self.ticket_rng,
            self.payment_rng,
            self.people_rng,
            self.stock_rng,
            self.id_rng,
        ) = rngs
        self.products = len(catalog.name)
        self.days = len(calendar.dates)
        self.cash_unit = 1000 if minor_units == 0 else 10**minor_units
        self.history_start = int(calendar.midnight[0]) - 400 * 86_400 * MICROS

    def build(self) -> DemoShop:
        self.prices()
        self.demand()
        self.tickets()
        self.price_tickets()
        self.refund()
        self.count_shifts()
        self.replenish()
        return self.frames()

    # Prices, costs and promotions -------------------------------------------------------------

    def prices(self) -> None:
        rng, products, days = self.catalog_rng, self.products, self.days
        aisle = self.catalog.aisle
        self.tax_rate = np.where(rng.random(products) < 0.03, 0, VAT_BP).astype(np.int64)
        change_factor = np.ones((products, days))
        for product in range(products):
            for day in rng.integers(0, days, size=rng.poisson(days / 300)).tolist():
                change_factor[product, day] = rng.uniform(1.03, 1.09)
        clp = self.catalog.base_price[:, None] * np.cumprod(change_factor, axis=1)
        self.list_price = _shelf_prices(clp, self.minor_units)
        self.cost_ratio = rng.uniform(0.52, 0.74, size=products)
        self.unit_cost = np.floor(self.list_price * self.cost_ratio[:, None]).astype(np.int64)
        changed = change_factor > 1
        self.price_changed = np.where(changed.any(axis=1), days - 1 - np.argmax(changed[:, ::-1], axis=1), -1)

        self.promo = np.zeros((products, days))
        rows: list[tuple[int, int, int, float]] = []
        promotable = np.flatnonzero(rng.random(products) < 0.3)
        for product in promotable.tolist():
            for _ in range(rng.poisson(days / 150)):
                first = int(rng.integers(0, days))
                last = min(days - 1, first + int(rng.integers(3, 10)))
                cut = float(rng.choice((0.1, 0.15, 0.2, 0.25, 0.3)))
                self.promo[product, first : last + 1] = np.maximum(self.promo[product, first : last + 1], cut)
                rows.append((product, first, last, cut))
        promo_price = _shelf_prices(clp * (1 - self.promo), self.minor_units)
        smallest_step = 10 if self.minor_units == 0 else 1
        promo_price = np.minimum(promo_price, self.list_price - smallest_step)
        self.unit_discount = np.where(self.promo > 0, self.list_price - np.maximum(promo_price, 1), 0)
        self.promotion_rows = rows
        self.aisle_perishable = np.array([AISLES[index].perishable for index in aisle])

    # Demand ----------------------------------------------------------------------------------

    def demand(self) -> None:
        """Lines of purchase: `occurrences ~ Poisson(λ/basket)` per product-day, each of
        `1 + Poisson(basket - 1)` units, so slow items with big baskets are intermittent and lumpy
        (Croston-style) while fast movers sell every day."""
        rng, calendar, products, days = self.demand_rng, self.calendar, self.products, self.days
        aisles = [AISLES[index] for index in self.catalog.aisle.tolist()]
        popularity = np.array([aisle.popularity for aisle in aisles])
        base = DEMAND_SCALE * popularity * self.catalog.appeal * rng.lognormal(0, 0.7, size=products)
        slow = rng.random(products) < 0.15
        base = np.where(slow, base * rng.uniform(0.04, 0.25, size=products), base)
        basket = np.array([aisle.basket for aisle in aisles]) * rng.uniform(0.8, 1.2, size=products)
        basket = np.where(slow, np.maximum(basket, rng.uniform(1.5, 3.0, size=products)), basket)
        self.basket = np.maximum(basket, 1.0)

        week = np.array([aisle.week for aisle in aisles]) * rng.uniform(0.95, 1.05, size=(products, 7))
        week /= week.mean(axis=1, keepdims=True)
        angle = 2 * np.pi * (calendar.day_of_year[None, :] - self.catalog.season_peak[:, None]) / 365.25
        yearly = 1 + np.minimum(self.catalog.season_amplitude, 0.95)[:, None] * np.cos(angle)
        growth = rng.normal(0, 0.1, size=products)
        kind = rng.random(products)
        growth = np.where(kind < 0.12, rng.uniform(0.3, 0.7, size=products), growth)
        growth = np.where(kind > 0.88, rng.uniform(-0.6, -0.3, size=products), growth)
        years = (np.arange(days) - days / 2) / 365.25
        trend = np.exp(growth[:, None] * years[None, :])
        group = np.array([GROUPS.index(aisle.group) for aisle in aisles])
        elasticity = rng.uniform(1.5, 3.0, size=products)
        promo_lift = (1 - self.promo) ** -elasticity[:, None]

        is_new = rng.random(products) < 0.08 if days >= 90 else np.zeros(products, dtype=bool)
        launch_day = np.where(is_new, rng.integers(30, max(31, days - 14), size=products), 0)
        launch = np.minimum(calendar.next_open[np.minimum(launch_day, days - 1)], days - 1)
        age = np.arange(days)[None, :] - launch[:, None]
        ramp = np.where(age < 0, 0.0, np.where(is_new[:, None], 1 - np.exp(-(age + 1) / 14), 1.0))
        self.launch = launch
        self.is_new = is_new

        rate = (
            base[:, None]
            * week[:, calendar.weekday]
            * yearly
            * trend
            * calendar.lift[group]
            * promo_lift
            * ramp
            * calendar.is_open[None, :]
        )
        self.expected = rate
        traffic = rng.gamma(30, 1 / 30, size=days)
        noise = rng.gamma(6, 1 / 6, size=(products, days))
        occurrences = rng.poisson(rate * traffic[None, :] * noise / self.basket[:, None])
        cell = np.flatnonzero(occurrences.ravel())
        counts = occurrences.ravel()[cell]
        cells = np.repeat(cell, counts)
        self.purchase_product = cells // days
        self.purchase_day = cells % days
        self.purchase_quantity = 1 + rng.poisson(self.basket[self.purchase_product] - 1)

    # Tickets ---------------------------------------------------------------------------------

    def tickets(self) -> None:
        """Shuffle each day's lines into tickets of 1-6 lines (a product at most once per ticket),
        then give each ticket a time, a register, maybe a customer."""
        rng, calendar = self.ticket_rng, self.calendar
        order = np.lexsort((rng.random(len(self.purchase_day)), self.purchase_day))
        product, day = self.purchase_product[order], self.purchase_day[order]
        quantity = self.purchase_quantity[order]
        count = len(day)
        starts = rng.random(count) < TICKET_BREAK
        starts[np.flatnonzero(np.diff(day, prepend=-1))] = True
        while True:
            ticket = np.cumsum(starts) - 1
            first = np.flatnonzero(starts)
            overflow = (np.arange(count) - first[ticket]) == MAX_LINES_PER_TICKET
            if not overflow.any():
                break
            starts[overflow] = True
        key = ticket * self.products + product
        unique_keys, first_seen, inverse = np.unique(key, return_index=True, return_inverse=True)
        merged = np.bincount(inverse, weights=quantity).astype(np.int64)
        in_order = np.argsort(first_seen)
        line_ticket = unique_keys[in_order] // self.products
        line_product = unique_keys[in_order] % self.products
        line_quantity = merged[in_order]
        ticket_day = day[first]
        tickets = len(first)

        opens, closes = calendar.opens[ticket_day], calendar.closes[ticket_day]
        component = rng.choice(3, size=tickets, p=(0.3, 0.45, 0.25))
        minute = np.where(
            component == 0,
            rng.normal(13 * 60, 75, size=tickets),
            np.where(component == 1, rng.normal(19 * 60 + 15, 80, size=tickets), -1.0),
        )
        inside = (minute >= opens + 2) & (minute <= closes - 2)
        minute = np.where(inside, minute, rng.uniform(opens + 2, closes - 2))
        sold = calendar.midnight[ticket_day] + (minute * 60 * MICROS).astype(np.int64)
        sold += rng.integers(0, 60 * MICROS, size=tickets)
        weights = 0.7 ** np.arange(self.register_count)
        register = rng.choice(self.register_count, size=tickets, p=weights / weights.sum())
        customer = np.full(tickets, -1, dtype=np.int64)
        if self.customer_count:
            loyalty = 1 / np.arange(1, self.customer_count + 1) ** 0.6
            loyalty = loyalty[rng.permutation(self.customer_count)]
            with_customer = rng.random(tickets) < 0.2
            customer[with_customer] = rng.choice(
                self.customer_count, size=int(with_customer.sum()), p=loyalty / loyalty.sum()
            )
        keep = np.ones(tickets, dtype=bool) if self.cut is None else sold <= self.cut
        ticket_of_line = np.empty(count, dtype=np.int64)
        ticket_of_line[order] = ticket
        demanded = keep[ticket_of_line]
        cells = self.purchase_product * self.days + self.purchase_day
        self.demand_cells = np.bincount(
            cells[demanded], weights=self.purchase_quantity[demanded], minlength=self.products * self.days
        ).astype(np.int64)
        demand_keep = keep[line_ticket]

        kept = np.flatnonzero(keep)
        by_time = kept[np.argsort(sold[kept], kind="stable")]
        rank = np.full(tickets, -1, dtype=np.int64)
        rank[by_time] = np.arange(len(by_time))
        line_sale = rank[line_ticket[demand_keep]]
        line_order = np.argsort(line_sale, kind="stable")
        self.sale_day = ticket_day[by_time]
        self.sale_micros = sold[by_time]
        self.sale_register = register[by_time]
        self.sale_customer = customer[by_time]
        self.line_sale = line_sale[line_order]
        self.line_product = line_product[demand_keep][line_order]
        self.line_quantity = line_quantity[demand_keep][line_order]
        self.line_day = self.sale_day[self.line_sale]
        sales = len(by_time)
        self.line_position = np.arange(len(self.line_sale)) - np.searchsorted(self.line_sale, self.line_sale) + 1
        self.sale_first_line = np.searchsorted(self.line_sale, np.arange(sales + 1))

        numbers = np.zeros(sales, dtype=np.int64)
        by_register = np.lexsort((self.sale_micros, self.sale_register))
        register_sorted = self.sale_register[by_register]
        register_first = np.searchsorted(register_sorted, register_sorted)
        numbers[by_register] = np.arange(sales) - register_first + 1
        self.sale_number = numbers

        open_days = np.flatnonzero(calendar.is_open)
        self.shift_of_day = np.full(self.days, -1, dtype=np.int64)
        self.shift_of_day[open_days] = np.arange(len(open_days))
        self.sale_shift = self.shift_of_day[self.sale_day] * self.register_count + self.sale_register

    # Pricing and payment ---------------------------------------------------------------------

    def price_tickets(self) -> None:
        """Price every ticket with `price_sale` and pay it through `settle` (both pure, so equal
        baskets and equal payments share one result)."""
        rng = self.payment_rng
        sales = len(self.sale_day)
        product, day, quantity = self.line_product, self.line_day, self.line_quantity
        self.line_unit_price = self.list_price[product, day]
        self.line_discount = quantity * self.unit_discount[product, day]
        self.line_unit_cost = self.unit_cost[product, day]
        self.line_tax_rate = self.tax_rate[product]
        lines = list(
            zip(
                quantity.tolist(),
                self.line_unit_price.tolist(),
                self.line_tax_rate.tolist(),
                self.line_discount.tolist(),
                strict=True,
            )
        )
        bounds = self.sale_first_line.tolist()
        method_draw, card_share, exact_draw = rng.random((3, sales)).tolist()
        unit = self.cash_unit
        denominations = [unit * k for k in (1, 2, 5, 10, 20)]
        thresholds = np.cumsum((0.3, 0.25, 0.15, 0.17, 0.08, 0.05)).tolist()

        def in_cash(amount: int, index: int) -> TenderInput:
            draw = exact_draw[index]
            if draw < thresholds[0]:
                return TenderInput("cash", amount)
            denomination = next((d for d, t in zip(denominations, thresholds[1:], strict=True) if draw < t), unit)
            return TenderInput("cash", -(-amount // denomination) * denomination)

        baskets: dict[tuple[tuple[int, int, int, int], ...], PricedSale] = {}
        settlements: dict[tuple[int, tuple[TenderInput, ...]], Settlement] = {}
        priced_sales: list[PricedSale] = []
        settled_sales: list[Settlement] = []
        for index in range(sales):
            basket = tuple(lines[bounds[index] : bounds[index + 1]])
            priced = baskets.get(basket)
            if priced is None:
                priced = baskets[basket] = price_sale([LineInput(*line) for line in basket], tax_mode=self.tax_mode)
            total = priced.total
            draw = method_draw[index]
            small = total < 3 * unit
            tenders: tuple[TenderInput, ...]
            if draw < 0.05 and total >= 4 * unit:
                card = min(max(int(total * (0.3 + 0.5 * card_share[index])) // unit * unit, unit), total - 1)
                tenders = (TenderInput("card", card), in_cash(total - card, index))
            elif draw < (0.6 if small else 0.35):
                tenders = (in_cash(total, index),)
            elif draw < (0.66 if small else 0.47):
                tenders = (TenderInput("transfer", total),)
            else:
                tenders = (TenderInput("card", total),)
            settled = settlements.get((total, tenders))
            if settled is None:
                settled = settlements[(total, tenders)] = settle(total, tenders)
            priced_sales.append(priced)
            settled_sales.append(settled)

        def column(values: Any) -> Array:
            return np.fromiter(values, dtype=np.int64)

        self.line_tax = column(line.tax_amount for sale in priced_sales for line in sale.lines)
        self.line_total = column(line.total for sale in priced_sales for line in sale.lines)
        self.sale_subtotal = column(sale.subtotal for sale in priced_sales)
        self.sale_discount = column(sale.discount_total for sale in priced_sales)
        self.sale_tax = column(sale.tax_total for sale in priced_sales)
        self.sale_total = column(sale.total for sale in priced_sales)
        self.sale_paid = column(settled.paid_total for settled in settled_sales)
        self.sale_change = column(settled.change_total for settled in settled_sales)
        tender_count = column(len(settled.tenders) for settled in settled_sales)
        tenders_flat = [tender for settled in settled_sales for tender in settled.tenders]
        self.payment_sale = np.repeat(np.arange(sales), tender_count)
        self.payment_method = [tender.method for tender in tenders_flat]
        self.payment_amount = column(tender.amount for tender in tenders_flat)
        self.payment_change = column(tender.change for tender in tenders_flat)
        codes = rng.integers(100_000, 1_000_000, size=len(tenders_flat)).tolist()
        self.payment_reference = [
            f"{code:06d}" if method == "card" else f"TEF{code:09d}" if method == "transfer" else ""
            for method, code in zip(self.payment_method, codes, strict=True)
        ]

    # Returns ---------------------------------------------------------------------------------

    def refund(self) -> None:
        """A few returns: one whole line of a sale, at the same register, the same day or up to a
        week later, paid back with the sale's main tender."""
        rng, calendar = self.ticket_rng, self.calendar
        sales = len(self.sale_day)
        chosen = np.flatnonzero(rng.random(sales) < 0.002)
        delay = np.where(rng.random(len(chosen)) < 0.3, 0, rng.integers(1, 8, size=len(chosen)))
        target = np.minimum(self.sale_day[chosen] + delay, self.days)
        target = np.where(target < self.days, calendar.next_open[np.minimum(target, self.days - 1)], self.days)
        valid = target < self.days
        chosen, delay, target = chosen[valid], delay[valid], target[valid]
        opens, closes = calendar.opens[target], calendar.closes[target]
        same_day = self.sale_day[chosen] == target
        later = calendar.midnight[target] + (rng.uniform(opens + 2, closes - 2) * 60 * MICROS).astype(np.int64)
        soon = self.sale_micros[chosen] + (rng.uniform(10, 120, size=len(chosen)) * 60 * MICROS).astype(np.int64)
        when = np.where(same_day, soon, later)
        valid = when <= calendar.midnight[target] + (closes - 2) * 60 * MICROS
        if self.cut is not None:
            valid &= when <= self.cut
        chosen, target, when = chosen[valid], target[valid], when[valid]
        order = np.argsort(when, kind="stable")
        chosen, target, when = chosen[order], target[order], when[order]
        lines_in_sale = self.sale_first_line[chosen + 1] - self.sale_first_line[chosen]
        line = self.sale_first_line[chosen] + (rng.random(len(chosen)) * lines_in_sale).astype(np.int64)
        by_amount = np.lexsort((-self.payment_amount, self.payment_sale))
        sales_paid, first_payment = np.unique(self.payment_sale[by_amount], return_index=True)
        main_method = np.empty(sales, dtype=object)
        main_method[sales_paid] = np.array(self.payment_method, dtype=object)[by_amount[first_payment]]
        reasons = ("Producto vencido", "Producto dañado", "Cliente se arrepintió", "Error de cobro")
        reason = [reasons[index] for index in rng.integers(0, len(reasons), size=len(chosen)).tolist()]
        perishable = self.aisle_perishable[self.line_product[line]]
        damaged = np.array([text in reasons[:2] for text in reason], dtype=bool)
        self.refund_sale = chosen
        self.refund_line = line
        self.refund_micros = when
        self.refund_shift = self.shift_of_day[target] * self.register_count + self.sale_register[chosen]
        self.refund_method = main_method[chosen].tolist()
        self.refund_total = self.line_total[line]
        self.refund_restock = ~(perishable | damaged)
        self.refund_reason = reason
        self.refund_day = target

    # Shifts ----------------------------------------------------------------------------------

    def count_shifts(self) -> None:
        """One shift per register and open day: opened before the first sale with a float,
        closed after the last with a count per method (cash may come up a little short or over)."""
        rng, calendar = self.people_rng, self.calendar
        registers = self.register_count
        open_days = np.flatnonzero(calendar.is_open)
        day = np.repeat(open_days, registers)
        register = np.tile(np.arange(registers), len(open_days))
        shifts = len(day)
        opened = calendar.midnight[day] + (calendar.opens[day] * 60 - rng.integers(300, 1500, size=shifts)) * MICROS
        closed = calendar.midnight[day] + (calendar.closes[day] * 60 + rng.integers(300, 1800, size=shifts)) * MICROS
        opened += rng.integers(0, MICROS, size=shifts)
        closed += rng.integers(0, MICROS, size=shifts)
        opening_float = rng.integers(30, 61, size=shifts) * self.cash_unit
        week = day // 7
        cashier = (register + week) % registers
        status_closed = np.ones(shifts, dtype=bool)
        exists = np.ones(shifts, dtype=bool)
        if self.cut is not None:
            exists = opened <= self.cut
            status_closed = closed <= self.cut

        def per_shift(index: Array, values: Array) -> Array:
            return np.bincount(index, weights=values, minlength=shifts).astype(np.int64)

        methods = np.array(self.payment_method)
        shift_of_payment = self.sale_shift[self.payment_sale]
        refund_methods = np.array(self.refund_method, dtype=object)
        expected: dict[str, Array] = {}
        for method in PAYMENT_METHODS:
            paid = per_shift(shift_of_payment[methods == method], self.payment_amount[methods == method])
            returned = per_shift(
                self.refund_shift[refund_methods == method], self.refund_total[refund_methods == method]
            )
            expected[method] = paid - returned
        expected["cash"] += opening_float - per_shift(shift_of_payment, self.payment_change)
        off = rng.random(shifts) < 0.15
        step = 10 if self.minor_units == 0 else max(1, 10**self.minor_units // 100)
        difference = np.where(off, rng.integers(-150, 101, size=shifts) * step, 0)

        self.shift_day = day
        self.shift_register = register
        self.shift_opened = opened
        self.shift_closed = closed
        self.shift_float = opening_float
        self.shift_cashier = cashier
        self.shift_exists = exists
        self.shift_is_closed = status_closed & exists
        self.shift_expected = expected
        self.shift_difference = difference

    # Stock -----------------------------------------------------------------------------------

    def replenish(self) -> None:
        """Stock from receipts: an opening receipt, then a reorder whenever the evening count is at
        or below the reorder point (arriving `lead_time_days` later, before opening), and an urgent
        top-up on the rare morning when the day's sales would otherwise not be covered."""
        rng, calendar, products, days = self.stock_rng, self.calendar, self.products, self.days
        aisles = [AISLES[index] for index in self.catalog.aisle.tolist()]
        low = np.array([aisle.lead_time[0] for aisle in aisles])
        high = np.array([aisle.lead_time[1] for aisle in aisles])
        lead = rng.integers(low, high + 1)
        live = np.arange(days)[None, :] >= self.launch[:, None]
        mean = np.where(live, self.expected, 0).sum(axis=1) / np.maximum(live.sum(axis=1), 1)
        pack = np.where(mean >= 4, 12, np.where(mean >= 1, 6, 1))
        cover = lead + 1
        safety = 2 * np.sqrt(mean * (self.basket + 1) * cover)
        reorder_point = np.ceil(mean * cover * rng.uniform(1.1, 1.4, size=products) + safety).astype(np.int64)
        cycle = np.ceil(mean * rng.uniform(7, 14, size=products)).astype(np.int64)
        order_up_to = reorder_point + np.maximum(cycle, pack)
        self.lead_time = lead
        self.reorder_point = reorder_point

        sold = self.demand_cells.reshape(products, days)
        returns = np.zeros(products * days, dtype=np.int64)
        restocked = self.refund_restock
        np.add.at(
            returns,
            self.line_product[self.refund_line[restocked]] * days + self.refund_day[restocked],
            self.line_quantity[self.refund_line[restocked]],
        )
        returned = returns.reshape(products, days)
        arriving = np.zeros((products, days), dtype=np.int64)
        on_order = np.zeros(products, dtype=bool)
        stock = np.zeros(products, dtype=np.int64)
        receipt_product: list[Array] = []
        receipt_day: list[Array] = []
        receipt_quantity: list[Array] = []
        receipt_kind: list[Array] = []
        for day in range(days):
            launched = np.flatnonzero(self.launch == day)
            if len(launched):
                stock[launched] += order_up_to[launched]
                receipt_product.append(launched)
                receipt_day.append(np.full(len(launched), day))
                receipt_quantity.append(order_up_to[launched])
                receipt_kind.append(np.zeros(len(launched), dtype=np.int64))
            arrived = np.flatnonzero(arriving[:, day])
            if len(arrived):
                stock[arrived] += arriving[arrived, day]
                on_order[arrived] = False
                receipt_product.append(arrived)
                receipt_day.append(np.full(len(arrived), day))
                receipt_quantity.append(arriving[arrived, day])
                receipt_kind.append(np.ones(len(arrived), dtype=np.int64))
            short = np.flatnonzero(sold[:, day] > stock)
            if len(short):
                top_up = np.maximum(sold[short, day] - stock[short], order_up_to[short] - stock[short])
                stock[short] += top_up
                receipt_product.append(short)
                receipt_day.append(np.full(len(short), day))
                receipt_quantity.append(top_up)
                receipt_kind.append(np.full(len(short), 2))
            stock += returned[:, day] - sold[:, day]
            due = np.flatnonzero(~on_order & (stock <= reorder_point) & (self.launch <= day))
            if len(due) and calendar.is_open[day]:
                quantity = -(-(order_up_to[due] - stock[due]) // pack[due]) * pack[due]
                arrival = calendar.next_open[np.minimum(day + lead[due], days - 1)]
                arrival = np.where(day + lead[due] < days, arrival, days)
                on_order[due] = True
                inside = arrival < days
                arriving[due[inside], arrival[inside]] += quantity[inside]

        product = np.concatenate(receipt_product) if receipt_product else np.zeros(0, dtype=np.int64)
        day_of = np.concatenate(receipt_day) if receipt_day else np.zeros(0, dtype=np.int64)
        quantity = np.concatenate(receipt_quantity) if receipt_quantity else np.zeros(0, dtype=np.int64)
        kind = np.concatenate(receipt_kind) if receipt_kind else np.zeros(0, dtype=np.int64)
        before_opening = rng.integers(15 * 60, 75 * 60, size=len(day_of)) * MICROS
        when = calendar.midnight[day_of] + calendar.opens[day_of] * 60 * MICROS - before_opening
        when = np.where(kind == 0, when - 30 * 60 * MICROS, when)
        when += rng.integers(0, MICROS, size=len(day_of))
        if self.cut is not None:
            keep = when <= self.cut
            product, quantity, kind, when = product[keep], quantity[keep], kind[keep], when[keep]
        self.receipt_product = product
        self.receipt_quantity = quantity
        self.receipt_kind = kind
        self.receipt_micros = when

    # Assembling the tables ------------------------------------------------------------------

    def frames(self) -> DemoShop:
        rng, calendar, catalog = self.id_rng, self.calendar, self.catalog
        products, days = self.products, self.days
        hour = 3600 * MICROS

        category_count = len(catalog.category_names)
        category_created = self.history_start + np.arange(category_count) * MICROS
        category_id = time_ordered_ids(rng, category_created)
        categories = pd.DataFrame(
            {
                "id": category_id,
                "name": catalog.category_names,
                "parent_id": [None if parent is None else category_id[parent] for parent in catalog.category_parents],
                "created_at": _timestamps(category_created),
                "updated_at": _timestamps(category_created),
            }
        )

        established = int(calendar.midnight[0]) - rng.integers(30, 400, size=products) * 24 * hour
        product_created = np.where(self.is_new, calendar.midnight[self.launch] + 6 * hour, established)
        product_created += rng.integers(0, hour // 2, size=products)
        product_id = np.empty(products, dtype=object)
        by_creation = np.argsort(product_created, kind="stable")
        product_id[by_creation] = time_ordered_ids(rng, product_created[by_creation])
        repriced = calendar.midnight[np.maximum(self.price_changed, 0)] + 7 * hour
        product_updated = np.where(self.price_changed >= 0, np.maximum(product_created, repriced), product_created)

        registers = self.register_count
        register_created = self.history_start + np.arange(registers) * MICROS
        register_id = time_ordered_ids(rng, register_created)
        shift_id = time_ordered_ids(rng, self.shift_opened)
        sale_id = time_ordered_ids(rng, self.sale_micros)
        line_id = time_ordered_ids(rng, self.sale_micros[self.line_sale])
        refund_id = time_ordered_ids(rng, self.refund_micros)
        movements = self.movements(product_id, sale_id, refund_id)
        stock = np.bincount(movements["product"], weights=movements["delta"], minlength=products).astype(np.int64)

        products_frame = pd.DataFrame(
            {
                "id": product_id,
                "sku": catalog.sku,
                "barcode": catalog.barcode,
                "name": catalog.name,
                "description": "",
                "category_id": category_id[catalog.category],
                "price": self.list_price[:, -1],
                "cost": self.unit_cost[:, -1],
                "tax_rate_bp": self.tax_rate,
                "unit": "unit",
                "stock": stock,
                "reorder_point": self.reorder_point,
                "lead_time_days": self.lead_time,
                "is_active": True,
                "created_at": _timestamps(product_created),
                "updated_at": _timestamps(product_updated),
            }
        )
        registers_frame = pd.DataFrame(
            {
                "id": register_id,
                "code": [f"C{index + 1}" for index in range(registers)],
                "name": [f"Caja {index + 1}" for index in range(registers)],
                "last_number": np.bincount(self.sale_register, minlength=registers),
                "is_active": True,
                "created_at": _timestamps(register_created),
                "updated_at": _timestamps(register_created),
            }
        )

        exists = self.shift_exists
        closed = self.shift_is_closed[exists]
        shifts = pd.DataFrame(
            {
                "id": shift_id[exists],
                "register_id": register_id[self.shift_register[exists]],
                "status": np.where(closed, "closed", "open"),
                "opening_float": self.shift_float[exists],
                "cashier": self.shift_cashier[exists],
                "opened_at": _timestamps(self.shift_opened[exists]),
                "closed_at": _timestamps(self.shift_closed[exists]).where(closed),
                "note": np.where(closed & (self.shift_difference[exists] != 0), "Diferencia en el arqueo", ""),
            }
        )
        counted = np.flatnonzero(self.shift_is_closed)
        methods = PAYMENT_METHODS
        expected = np.stack([self.shift_expected[method][counted] for method in methods], axis=1).ravel()
        by_method = np.zeros((len(counted), len(methods)), dtype=np.int64)
        by_method[:, 0] = self.shift_difference[counted]
        difference = by_method.ravel()
        shift_counts = pd.DataFrame(
            {
                "shift_id": np.repeat(shift_id[counted], len(methods)),
                "method": list(methods) * len(counted),
                "expected": expected,
                "counted": expected + difference,
                "difference": difference,
            }
        )

        sales = pd.DataFrame(
            {
                "id": sale_id,
                "register_id": register_id[self.sale_register],
                "shift_id": shift_id[self.sale_shift],
                "number": self.sale_number,
                "invoice_number": [
                    f"C{register + 1}-{number}"
                    for register, number in zip(self.sale_register.tolist(), self.sale_number.tolist(), strict=True)
                ],
                "cashier": self.shift_cashier[self.sale_shift],
                "customer_id": None,
                "subtotal": self.sale_subtotal,
                "discount_total": self.sale_discount,
                "tax_total": self.sale_tax,
                "total": self.sale_total,
                "paid_total": self.sale_paid,
                "change_total": self.sale_change,
                "tax_mode": self.tax_mode,
                "sold_at": _timestamps(self.sale_micros),
            }
        )
        customers, customer_id = self.customers()
        sales["customer_id"] = _optional(customer_id, self.sale_customer)
        sale_lines = pd.DataFrame(
            {
                "id": line_id,
                "sale_id": sale_id[self.line_sale],
                "position": self.line_position,
                "product_id": product_id[self.line_product],
                "quantity": self.line_quantity,
                "unit_price": self.line_unit_price,
                "list_price": self.line_unit_price,
                "unit_cost": self.line_unit_cost,
                "discount": self.line_discount,
                "tax_rate_bp": self.line_tax_rate,
                "tax_amount": self.line_tax,
                "total": self.line_total,
            }
        )
        payments = pd.DataFrame(
            {
                "id": time_ordered_ids(rng, self.sale_micros[self.payment_sale]),
                "sale_id": sale_id[self.payment_sale],
                "method": self.payment_method,
                "amount": self.payment_amount,
                "change": self.payment_change,
                "reference": self.payment_reference,
            }
        )
        refunds = pd.DataFrame(
            {
                "id": refund_id,
                "sale_id": sale_id[self.refund_sale],
                "register_id": register_id[self.sale_register[self.refund_sale]],
                "shift_id": shift_id[self.refund_shift],
                "kind": "refund",
                "method": self.refund_method,
                "total": self.refund_total,
                "restock": self.refund_restock,
                "reason": self.refund_reason,
                "cashier": self.shift_cashier[self.refund_shift],
                "refunded_at": _timestamps(self.refund_micros),
            }
        )
        refund_lines = pd.DataFrame(
            {
                "id": time_ordered_ids(rng, self.refund_micros),
                "refund_id": refund_id,
                "sale_line_id": line_id[self.refund_line],
                "product_id": product_id[self.line_product[self.refund_line]],
                "quantity": self.line_quantity[self.refund_line],
                "amount": self.refund_total,
            }
        )
        inventory_movements = pd.DataFrame(
            {
                "id": movements["id"],
                "product_id": product_id[movements["product"]],
                "kind": movements["kind"],
                "delta": movements["delta"],
                "balance_after": movements["balance"],
                "cashier": movements["cashier"],
                "reason": movements["reason"],
                "reference_id": movements["reference"],
                "occurred_at": _timestamps(movements["micros"]),
            }
        )
        rows = self.promotion_rows
        promotions = pd.DataFrame(
            {
                "product_id": product_id[np.array([row[0] for row in rows], dtype=np.int64)],
                "starts_on": [calendar.dates[row[1]] for row in rows],
                "ends_on": [calendar.dates[row[2]] for row in rows],
                "discount_percent": [round(row[3] * 100) for row in rows],
            }
        )
        cells = np.flatnonzero(self.demand_cells)
        dates = np.array(calendar.dates, dtype="datetime64[D]")
        daily_demand = pd.DataFrame(
            {
                "product_id": product_id[cells // days],
                "date": pd.to_datetime(dates[cells % days]),
                "quantity": self.demand_cells[cells],
            }
        )
        return DemoShop(
            seed=self.seed,
            start=self.start,
            end=self.end,
            time_zone=TIME_ZONE,
            tax_mode=self.tax_mode,
            currency_minor_units=self.minor_units,
            categories=categories,
            products=products_frame,
            customers=customers,
            registers=registers_frame,
            shifts=shifts,
            shift_counts=shift_counts,
            sales=sales,
            sale_lines=sale_lines,
            payments=payments,
            refunds=refunds,
            refund_lines=refund_lines,
            inventory_movements=inventory_movements,
            promotions=promotions,
            _daily_demand=daily_demand,
            _expected_demand=pd.DataFrame(self.expected.T, index=pd.to_datetime(dates), columns=product_id),
        )

    def movements(self, product_id: Array, sale_id: Array, refund_id: Array) -> dict[str, Any]:
        """Receipts, one `sale` movement per line and one `refund` movement per restocked return,
        in time order, with each product's running balance."""
        restocked = np.flatnonzero(self.refund_restock)
        returned_line = self.refund_line[restocked]
        receipts = len(self.receipt_product)
        product = np.concatenate((self.receipt_product, self.line_product, self.line_product[returned_line]))
        micros = np.concatenate((self.receipt_micros, self.sale_micros[self.line_sale], self.refund_micros[restocked]))
        delta = np.concatenate((self.receipt_quantity, -self.line_quantity, self.line_quantity[returned_line]))
        kind = np.array(
            ["receipt"] * receipts + ["sale"] * len(self.line_product) + ["refund"] * len(restocked), dtype=object
        )
        reason = np.concatenate(
            (
                np.array(RECEIPT_REASONS, dtype=object)[self.receipt_kind],
                np.full(len(self.line_product), "", dtype=object),
                np.array(self.refund_reason, dtype=object)[restocked],
            )
        )
        reference = np.concatenate(
            (np.full(receipts, None, dtype=object), sale_id[self.line_sale], refund_id[restocked])
        )
        cashier = np.concatenate(
            (
                np.full(receipts, -1, dtype=np.int64),
                self.shift_cashier[self.sale_shift[self.line_sale]],
                self.shift_cashier[self.refund_shift[restocked]],
            )
        )
        high, low = _uuid7_parts(self.id_rng, micros)
        per_product = np.lexsort((low, high, micros, product))
        running = np.cumsum(delta[per_product])
        first = np.searchsorted(product[per_product], product[per_product])
        balance = np.empty(len(delta), dtype=np.int64)
        balance[per_product] = running - running[first] + delta[per_product][first]
        if (balance < 0).any():
            raise RuntimeError("a generated stock balance went negative")
        in_time = np.lexsort((low, high, micros))
        return {
            "id": _as_uuids(high[in_time], low[in_time]),
            "product": product[in_time],
            "kind": kind[in_time],
            "delta": delta[in_time],
            "balance": balance[in_time],
            "cashier": cashier[in_time],
            "reason": reason[in_time],
            "reference": reference[in_time],
            "micros": micros[in_time],
        }

    def customers(self) -> tuple[pd.DataFrame, Array]:
        """Customer cards with their purchase statistics, kept as the sale service keeps them:
        a visit and the total per sale, refunds taken off the total. A card exists before its
        first purchase."""
        rng, count = self.people_rng, self.customer_count
        cards = _customer_cards(rng, count)
        buyer = self.sale_customer >= 0
        who = self.sale_customer[buyer]
        visits = np.bincount(who, minlength=count)
        spent = np.bincount(who, weights=self.sale_total[buyer], minlength=count).astype(np.int64)
        refunded_by = self.sale_customer[self.refund_sale]
        refunded = refunded_by >= 0
        spent -= np.bincount(refunded_by[refunded], weights=self.refund_total[refunded], minlength=count).astype(
            np.int64
        )
        spent = np.maximum(spent, 0)
        last = np.full(count, -1, dtype=np.int64)
        np.maximum.at(last, who, self.sale_micros[buyer])
        first = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first, who, self.sale_micros[buyer])
        day = 24 * 3600 * MICROS
        start = int(self.calendar.midnight[0])
        end = int(self.calendar.midnight[-1]) + 10 * 3600 * MICROS
        if self.cut is not None:
            end = min(end, self.cut)
        unseen = start + (rng.random(count) * max(end - start, 1)).astype(np.int64)
        created = np.where(visits > 0, first - rng.integers(60 * MICROS, 60 * day, size=count), unseen)
        created = np.maximum(created, self.history_start)
        by_creation = np.argsort(created, kind="stable")
        customer_id = np.empty(count, dtype=object)
        customer_id[by_creation] = time_ordered_ids(rng, created[by_creation])
        frame = pd.DataFrame(
            {
                "id": customer_id,
                **cards,
                "visits": visits,
                "total_spent": spent,
                "last_purchase_at": _timestamps(np.maximum(last, 0)).where(visits > 0),
                "is_active": True,
                "created_at": _timestamps(created),
                "updated_at": _timestamps(np.maximum(created, last)),
            }
        )
        return frame, customer_id


RECEIPT_REASONS = ("Stock inicial", "Reposición de proveedor", "Reposición urgente")


def _optional(values: Array, index: Array) -> Array:
    """`values[index]`, with None where `index` is -1."""
    chosen = np.full(len(index), None, dtype=object)
    present = index >= 0
    chosen[present] = values[index[present]]
    return chosen
