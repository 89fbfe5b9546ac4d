"""The demo shop's aisles, in the order the generator draws them (the order is part of the seed:
reordering them changes every shop). A table of data read top to bottom, kept in one module on
purpose: it is longer than a module should be, but it holds no logic to split."""

from __future__ import annotations

from server.demo.assortment import EVERY_DAY, HOUSEHOLD, SUMMER, WEEKEND, WINTER, Aisle, family

PARENTS = ("Bebidas", "Botillería")

AISLES: tuple[Aisle, ...] = (
    Aisle(
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
            family(
                "Coca-Cola|Coca-Cola Sin Azúcar|Fanta Naranja|Sprite|Pepsi|Pepsi Zero|Bilz|Pap|Kem Piña|"
                "Canada Dry Ginger Ale|Crush Naranja|7Up|Inca Kola|Limón Soda",
                "lata 350 ml:1|591 ml:1.3|1,5 L:2.1|2 L:2.5|3 L:3.3",
                790,
                appeal=2.0,
            ),
        ),
    ),
    Aisle(
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
            family(
                "Agua Mineral Cachantun Con Gas|Agua Mineral Cachantun Sin Gas|Agua Benedictino Sin Gas|"
                "Agua Vital Con Gas|Agua Vital Sin Gas|Agua Puyehue Sin Gas",
                "500 ml:1|1,6 L:1.7|bidón 6 L:3.2",
                690,
                appeal=1.0,
            ),
            family(
                "Néctar Andina del Valle Durazno|Néctar Andina del Valle Naranja|Jugo Watt's Durazno|"
                "Jugo Watt's Naranja|Jugo Watt's Piña|Néctar Watt's Frambuesa|Jugo Frutos del Maipo Naranja",
                "caja 200 ml:1|1 L:2.9|1,5 L:3.8",
                450,
            ),
            family(
                "Jugo en Polvo Zuko Naranja|Jugo en Polvo Zuko Piña|Jugo en Polvo Zuko Durazno|"
                "Jugo en Polvo Zuko Frutilla|Jugo en Polvo Livean Naranja Mango|Jugo en Polvo Livean Piña",
                "sobre:1|pack 5 sobres:4.4",
                290,
                appeal=0.6,
            ),
            family(
                "Bebida Energética Red Bull|Bebida Energética Monster|Bebida Energética Score|"
                "Bebida Isotónica Gatorade Naranja|Bebida Isotónica Powerade Mora",
                "lata:1|pack 4:3.6",
                1690,
                appeal=0.6,
            ),
        ),
    ),
    Aisle(
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
            family(
                "Leche Entera Soprole|Leche Descremada Soprole|Leche Semidescremada Colun|Leche Entera Colun|"
                "Leche Sin Lactosa Loncoleche|Leche Cultivada Frutilla Soprole|Leche Chocolate Soprole|"
                "Leche Frutilla Colun",
                "1 L:1|200 ml:0.45",
                1190,
                appeal=2.5,
            ),
            family(
                "Yogur Batido Frutilla Soprole|Yogur Batido Vainilla Soprole|Yogur Batido Mora Colun|"
                "Yogur Griego Natural Colun|Yogur Protein Frutilla Soprole|Yogur Trozos Durazno Soprole|"
                "Yogur Bebible Frutilla Colun|Yogur Light Piña Soprole",
                "125 g:1|pack 4 x 125 g:3.6|1 kg:5.2",
                390,
            ),
            family(
                "Queso Gauda Colun|Queso Mantecoso Soprole|Queso Chanco Quillayes|Queso Gauda Laminado Calo|"
                "Quesillo Colun|Queso Crema Philadelphia|Queso Parmesano Rallado Soprole",
                "250 g:1|500 g:1.85",
                3190,
                appeal=1.2,
            ),
            family(
                "Mantequilla con Sal Colun|Mantequilla sin Sal Soprole|Margarina Calo|Margarina Sureña|"
                "Mantequilla Light Colun",
                "125 g:1|250 g:1.8",
                1490,
            ),
            family(
                "Manjar Colun|Manjar Nestlé|Leche Condensada Nestlé|Crema de Leche Nestlé|Leche Evaporada Ideal",
                "lata chica:1|envase familiar:2.3",
                1390,
                appeal=0.6,
            ),
            family(
                "Postre Danette Chocolate|Flan Vainilla Soprole|Sémola con Leche Soprole|Arroz con Leche Colun",
                "pote:1|pack 4:3.5",
                490,
                appeal=0.6,
            ),
            family(
                "Huevos Blancos|Huevos de Color|Huevos de Campo|Huevos Extra Grandes de Color",
                "bandeja 6 u:1|bandeja 12 u:1.85|bandeja 30 u:4.1",
                1690,
                appeal=2.5,
            ),
        ),
        perishable=True,
    ),
    Aisle(
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
            family(
                "Marraqueta|Hallulla|Pan Amasado|Coliza|Dobladita|Pan Frica|Pan de Completo|Pan Integral|"
                "Baguette|Pan de Huevo",
                "unidad:1|bolsa 1/2 kg:4.6",
                250,
                appeal=6.0,
            ),
            family(
                "Pan de Molde Blanco Ideal|Pan de Molde Integral Ideal|Pan de Molde Castaño|Pan Pita Castaño|"
                "Pan Hot Dog Ideal|Pan Hamburguesa Ideal",
                "bolsa:1|bolsa XL:1.45",
                2290,
                in_store=False,
                appeal=0.8,
            ),
            family(
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
    Aisle(
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
            family(
                "Arroz Grado 1 Tucapel|Arroz Grado 2 Miraflores|Arroz Integral Tucapel|Arroz Pregraneado Banquete|"
                "Arroz Largo Ancho Aruba",
                "1 kg:1|2 kg:1.9|5 kg:4.4",
                1490,
                appeal=1.5,
            ),
            family(
                "Spaghetti 5 Carozzi|Corbatas Carozzi|Tallarín 87 Lucchetti|Espirales Lucchetti|"
                "Cabello de Ángel Carozzi|Quifaros Don Vittorio|Penne Rigate Don Vittorio|Fetuccini Carozzi|"
                "Rigatoni Lucchetti|Coditos Carozzi",
                "400 g:1|1 kg:2.2",
                990,
                appeal=1.5,
            ),
            family(
                "Aceite Vegetal Belmont|Aceite Maravilla Chef|Aceite Canola Natura|Aceite Vegetal Miraflores",
                "900 ml:1|1 L:1.1|5 L:4.6",
                2690,
            ),
            family("Aceite de Oliva Extra Virgen Talliani|Aceite de Oliva Chef", "500 ml:1|1 L:1.8", 5990, appeal=0.4),
            family(
                "Azúcar Granulada Iansa|Azúcar Flor Iansa|Azúcar Rubia Iansa|Harina Selecta|"
                "Harina con Polvos de Hornear Mont Blanc|Harina Integral Collico",
                "1 kg:1|5 kg:4.6",
                1390,
            ),
            family("Sal de Mesa Lobos|Sal de Mar Lobos|Sal Parrillera Lobos", "1 kg:1", 590, appeal=0.8),
            family(
                "Atún Lomitos en Agua Van Camp's|Atún Lomitos en Aceite Robinson Crusoe|Jurel Natural San José|"
                "Choclo en Grano Minuto Verde|Arvejas Minuto Verde|Duraznos en Mitades Dos Caballos|"
                "Piña en Rodajas Dos Caballos|Sardinas en Salsa de Tomate Colorado|"
                "Champiñones Laminados Minuto Verde|Palmitos Enteros Aconcagua",
                "lata:1|pack 3 latas:2.8",
                1590,
            ),
            family(
                "Salsa de Tomate Pomarola|Salsa de Tomate Italiana Carozzi|Tomate Triturado Carozzi|"
                "Pasta de Tomate Malloa",
                "sachet 200 g:1|pack 3 sachets:2.7",
                590,
            ),
            family(
                "Mayonesa Hellmann's|Mayonesa JB|Ketchup JB|Mostaza JB|Ají Color Marco Polo|"
                "Salsa de Ají Traverso|Salsa de Soya Kikkoman|Vinagre de Vino Tinto Traverso|"
                "Jugo de Limón Traverso",
                "envase chico:1|envase familiar:2.4",
                1290,
                appeal=1.2,
            ),
            family(
                "Café Instantáneo Nescafé Tradición|Café Instantáneo Nescafé Fina Selección|"
                "Café Instantáneo Monterrey|Café Molido Cafetto|Cacao en Polvo Milo|Cacao en Polvo Cola Cao",
                "170 g:1|400 g:2.1",
                3990,
                season=(WINTER, 0.15),
            ),
            family(
                "Té Supremo Ceylán|Té Club Ceylán|Té Lipton Yellow Label|Té Verde Supremo|"
                "Agua de Hierbas Cachantun Manzanilla|Agua de Hierbas Supremo Boldo|Té Negro Dilmah",
                "20 bolsitas:1|100 bolsitas:3.6",
                990,
                season=(WINTER, 0.25),
            ),
            family(
                "Sopa Maggi Pollo Fideos|Sopa Maggi Costilla|Sopa Maggi Verduras|Crema Knorr Espárragos|"
                "Crema Knorr Zapallo|Crema Knorr Champiñón|Caldo Maggi Gallina|Caldo Knorr Carne",
                "sobre:1|caja 12 u:10.5",
                590,
                season=(WINTER, 0.5),
            ),
            family(
                "Lentejas Banquete|Porotos Hallados Banquete|Garbanzos Banquete|Porotos Negros Wasil|"
                "Arvejas Partidas Wasil|Lentejas Wasil",
                "500 g:1|1 kg:1.85",
                1290,
                season=(WINTER, 0.2),
            ),
            family(
                "Avena Tradicional Quaker|Avena Instantánea Quaker|Cereal Chocapic|Cereal Zucaritas|"
                "Cereal Corn Flakes Kellogg's|Cereal Trix|Granola Costa",
                "caja 330 g:1|caja 730 g:1.9",
                2490,
            ),
            family(
                "Mermelada Frutilla Watt's|Mermelada Damasco Watt's|Mermelada Mora Watt's|"
                "Mantequilla de Maní Selecta|Miel de Ulmo Apícola del Sur",
                "250 g:1|500 g:1.7",
                1390,
            ),
        ),
    ),
    Aisle(
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
            family(
                "Detergente Líquido Omo|Detergente en Polvo Omo|Detergente Líquido Ariel|Detergente Popeye|"
                "Detergente Drive|Suavizante Fuzol|Suavizante Soft",
                "1 L:1|3 L:2.6|5 L:3.9",
                3490,
            ),
            family(
                "Lavalozas Quix Limón|Lavalozas Quix Manzana|Lavalozas Magistral|Cloro Clorox|Cloro Gel Clorox|"
                "Limpiador Cif Crema|Limpiapisos Poett Lavanda|Limpiapisos Virginia|Desinfectante Lysol|"
                "Limpiavidrios Cif",
                "500 ml:1|1 L:1.7|2 L:3",
                1190,
            ),
            family(
                "Papel Higiénico Elite Doble Hoja|Papel Higiénico Noble|Papel Higiénico Confort|"
                "Toalla de Papel Nova|Toalla de Papel Elite|Servilletas Elite",
                "4 rollos:1|12 rollos:2.6|24 rollos:4.7",
                2190,
                appeal=1.5,
            ),
            family(
                "Esponja Virutex|Bolsas de Basura Virutex 70x90|Paño Multiuso Virutex|Guantes de Goma Virutex|"
                "Fósforos Copihue|Velas Blancas|Encendedor Bic|Pilas AA Duracell|Pilas AAA Energizer|"
                "Ampolleta LED 9 W",
                "unidad:1|pack 3:2.6",
                990,
                appeal=0.6,
            ),
        ),
    ),
    Aisle(
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
            family(
                "Papas Fritas Lay's Clásicas|Papas Fritas Lay's Corte Americano|Papas Fritas Marco Polo Merkén|"
                "Ramitas Evercrisp|Doritos Queso|Cheetos|Tortillas Evercrisp|Maní Salado Marco Polo|"
                "Suflés de Maíz Evercrisp",
                "45 g:1|140 g:2.2|250 g:3.3",
                790,
                appeal=1.5,
            ),
            family(
                "Galletas Tritón Chocolate|Galletas Oreo|Galletas Morocha|Galletas Tuareg|Galletas Champaña Costa|"
                "Galletas Frac|Galletas Obsesión|Galletas Chips Chocolate McKay|Galletas Soda McKay|"
                "Galletas Vino Costa|Galletas Kuky|Galletas Criollitas",
                "paquete:1|pack 3:2.7",
                790,
            ),
            family(
                "Chocolate Sahne-Nuss|Chocolate Trencito|Chocolate Costa Leche|Chocolate Costa Bitter 70 %|"
                "Chocolate Ambrosoli Leche|Chocolate Nestlé Crunch",
                "30 g:1|150 g:3.8",
                590,
            ),
            family(
                "Super 8|Chocolito|Negrita|Cabsha|Mentitas Ambrosoli|Caramelos Ambrosoli Frutas|"
                "Chicle Beldent Menta|Gomitas Frugelé|Calugas Pelayo|Alfajor Costa|Rolls Costa|Privilegio",
                "unidad:1|bolsa surtida:6",
                350,
                appeal=1.8,
            ),
        ),
    ),
    Aisle(
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
            family(
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
    Aisle(
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
            family(
                "Helado Savory Chocolate|Helado Savory Vainilla|Helado Savory Frutilla|Helado Savory Lúcuma|"
                "Helado Bresler Frambuesa|Helado Colun Piña|Helado Cassata Savory|Helado Bresler Cookies",
                "1 L:1|2,5 L:2.1",
                3490,
            ),
            family(
                "Helado Trendy|Helado Centella|Helado Chocolito|Helado Loly|Helado Danky|Helado Piña Savory|"
                "Helado Mega|Helado Kriko|Helado Cola de Mono",
                "unidad:1|caja 6 u:5.2",
                790,
            ),
        ),
    ),
    Aisle(
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
            family(
                "Tomate|Cebolla|Papa|Zanahoria|Palta Hass|Limón|Plátano|Manzana Fuji|Manzana Verde|Pera|Ajo|"
                "Zapallo Camote|Pimentón Rojo",
                "1 kg:1|malla 3 kg:2.6",
                1490,
                appeal=2.0,
            ),
            family(
                "Lechuga Costina|Lechuga Escarola|Pepino Ensalada|Choclo|Apio|Cilantro|Perejil|Zapallo Italiano|"
                "Brócoli|Coliflor",
                "unidad:1",
                890,
            ),
            family(
                "Sandía|Melón Tuna|Durazno|Nectarín|Ciruela|Uva Red Globe|Frutillas|Cerezas|Damasco",
                "1 kg:1",
                1990,
                season=(SUMMER, 0.95),
            ),
            family("Mandarina|Naranja|Kiwi|Pomelo", "1 kg:1|malla 3 kg:2.6", 1290, season=(WINTER, 0.7)),
        ),
        in_store=True,
        perishable=True,
    ),
    Aisle(
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
            family(
                "Longaniza La Preferida|Chorizo Parrillero La Preferida|Chorizo Parrillero Llanquihue|"
                "Vienesas Llanquihue|Vienesas San Jorge|Vienesas de Pollo Sopraval|Prieta La Preferida|"
                "Salchicha Alemana PF",
                "pack 5 u:1|pack 10 u:1.8|1 kg:3.4",
                2290,
                in_store=False,
                appeal=1.5,
            ),
            family(
                "Lomo Vetado|Posta Rosada|Asiento|Plateada|Tapapecho|Punta de Ganso|Lomo Liso|Carne Molida 5 % Grasa",
                "bandeja 1 kg:1|bandeja 500 g:0.55",
                10990,
                appeal=0.7,
            ),
            family(
                "Costillar de Cerdo|Chuleta de Cerdo|Pulpa de Cerdo|Pechuga de Pollo Deshuesada|"
                "Trutro Entero de Pollo|Alitas de Pollo",
                "bandeja 1 kg:1|bandeja 500 g:0.55",
                5490,
            ),
            family(
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
    Aisle(
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
            family(
                "Alimento Perro Adulto Dog Chow|Alimento Perro Cachorro Dog Chow|Alimento Perro Adulto Master Dog|"
                "Alimento Perro Adulto Pedigree|Alimento Perro Champion Dog|Alimento Gato Adulto Cat Chow|"
                "Alimento Gato Whiskas|Alimento Gato Master Cat|Alimento Gato Champion Cat",
                "1 kg:1|3 kg:2.7|8 kg:6.3|15 kg:10.8",
                2890,
            ),
            family(
                "Sobre Húmedo Whiskas Pollo|Sobre Húmedo Whiskas Carne|Sobre Húmedo Cat Chow Pescado|"
                "Lata Pedigree Carne|Lata Dog Chow Pollo|Snack Dentastix Pedigree",
                "unidad:1|pack 4:3.6",
                690,
            ),
            family("Arena Sanitaria Perfect Cat|Arena Sanitaria Fancy Cat", "4 kg:1|8 kg:1.8", 3990, appeal=0.6),
        ),
    ),
    Aisle(
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
            family(
                "Pañales Huggies Active Sec|Pañales Babysec Premium|Pañales Pampers Confort Sec|"
                "Pañales Huggies Natural Care",
                "talla P:1|talla M:1|talla G:1.05|talla XG:1.1|talla XXG:1.15",
                10990,
                appeal=1.2,
            ),
            family(
                "Toallitas Húmedas Huggies|Toallitas Húmedas Babysec|Toallitas Húmedas Pampers",
                "48 u:1|80 u:1.5|pack 3 x 80 u:4",
                1590,
            ),
            family("Leche Nido Etapa 1+|Leche NAN 1|Leche NAN 2|Cereal Infantil Nestum", "400 g:1|800 g:1.85", 7990),
            family(
                "Compota Gerber Pera|Compota Gerber Manzana|Colado Nestlé Verduras|Colado Nestlé Carne",
                "unidad:1|pack 4:3.6",
                890,
            ),
        ),
    ),
    Aisle(
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
            family(
                "Cerveza Cristal|Cerveza Escudo|Cerveza Heineken|Cerveza Kunstmann Torobayo|"
                "Cerveza Austral Calafate|Cerveza Corona|Cerveza Royal Guard|Cerveza Stella Artois|"
                "Cerveza Becker|Cerveza Báltica|Cerveza Kunstmann Sin Alcohol|Cerveza Budweiser",
                "lata 470 ml:1|botella 330 ml:0.95|pack 6 latas 350 ml:4.4|pack 12 latas 350 ml:8.1",
                1190,
                appeal=1.5,
            ),
        ),
    ),
    Aisle(
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
            family(
                "Vino Casillero del Diablo Cabernet Sauvignon|Vino Casillero del Diablo Carmenere|"
                "Vino Santa Rita 120 Carmenere|Vino Santa Rita 120 Sauvignon Blanc|Vino Gato Negro Merlot|"
                "Vino Gato Negro Cabernet Sauvignon|Vino Concha y Toro Reservado Carmenere|"
                "Vino Frontera Cabernet Sauvignon|Vino Misiones de Rengo Carmenere|Vino Undurraga Aliwen Reserva|"
                "Vino Cono Sur Bicicleta Pinot Noir|Vino Santa Carolina Reservado",
                "750 ml:1|1,5 L:1.75",
                4490,
            ),
            family("Vino Tinto Gato|Vino Blanco Gato|Vino Tinto Clos de Pirque", "caja 1 L:1|caja 2 L:1.8", 2490),
        ),
    ),
    Aisle(
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
            family(
                "Pisco Mistral 35°|Pisco Alto del Carmen 35°|Pisco Capel 35°|Pisco Control C 35°|"
                "Pisco Mistral Nobel 40°|Ron Bacardí Blanco|Ron Havana Club Añejo Especial|"
                "Whisky Johnnie Walker Red Label|Whisky Ballantine's|Vodka Absolut|Gin Beefeater|"
                "Fernet Branca|Tequila José Cuervo|Licor de Oro Araucano",
                "750 ml:1|1 L:1.3",
                7990,
            ),
            family("Chicha Dulce Cacique|Chicha de Manzana Cacique", "1 L:1|1,5 L:1.4", 2490, appeal=0.4),
        ),
    ),
    Aisle(
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
            family(
                "Shampoo Pantene|Shampoo Head & Shoulders|Shampoo Sedal|Acondicionador Sedal|"
                "Acondicionador Pantene|Jabón Líquido Dove",
                "200 ml:1|400 ml:1.7",
                2790,
            ),
            family("Jabón Dove|Jabón Lux|Jabón Protex|Jabón Le Sancy", "unidad:1|pack 3:2.7", 990),
            family(
                "Pasta Dental Colgate Total 12|Pasta Dental Colgate Triple Acción|Pasta Dental Pepsodent|"
                "Pasta Dental Aquafresh|Cepillo Dental Colgate|Enjuague Bucal Listerine",
                "unidad:1|pack 3:2.6",
                1890,
            ),
            family(
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
