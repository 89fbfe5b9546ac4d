/**
 * A large shop of the bench's own for the product search: a tenant registered through the API
 * and N products imported as CSV (`POST /api/v1/products/import`, at most 50,000 rows a file),
 * with names built from grocery words the way a Chilean shop names them ("Galletas Costa
 * chocolate 140 g"), SKUs `BW-000001…` and EAN-13 barcodes `780…` with their check digit.
 *
 * Invariants: the catalog is a pure function of N (a fixed-seed generator), so every run
 * searches the same rows; SKUs and barcodes are unique.
 */
import { randomUUID } from 'node:crypto';
import { request } from './api.mjs';

const KINDS = [
  'Leche', 'Yogur', 'Queso', 'Mantequilla', 'Galletas', 'Chocolate', 'Café', 'Té', 'Arroz', 'Fideos',
  'Aceite', 'Azúcar', 'Harina', 'Sal', 'Atún', 'Jurel', 'Porotos', 'Lentejas', 'Garbanzos', 'Salsa de tomate',
  'Mayonesa', 'Ketchup', 'Mostaza', 'Jugo', 'Bebida', 'Agua mineral', 'Cerveza', 'Vino', 'Pisco', 'Pan de molde',
  'Cereal', 'Avena', 'Mermelada', 'Manjar', 'Helado', 'Detergente', 'Lavaloza', 'Cloro', 'Papel higiénico', 'Toalla de papel',
  'Shampoo', 'Jabón', 'Pasta dental', 'Desodorante', 'Pañales', 'Servilletas', 'Bolsas de basura', 'Esponja', 'Suavizante', 'Limpiavidrios',
  'Papas fritas', 'Ramitas', 'Maní', 'Caramelos', 'Chicle', 'Snack de arroz', 'Barra de cereal', 'Sopa', 'Caldo', 'Puré',
];
const BRANDS = [
  'Colun', 'Soprole', 'Nestlé', 'Costa', 'McKay', 'Carozzi', 'Lucchetti', 'Tucapel', 'Chef', 'Belmont',
  'Iansa', 'Selecta', 'Lobos', 'Van Camps', 'San José', 'Wasil', 'Hellmann\'s', 'Hellmann', 'Watt\'s', 'Andina',
  'Cachantún', 'Escudo', 'Cristal', 'Santa Rita', 'Concha y Toro', 'Capel', 'Ideal', 'Quaker', 'Savory', 'Omo',
  'Quix', 'Clorox', 'Confort', 'Nova', 'Sedal', 'Dove', 'Colgate', 'Rexona', 'Babysec', 'Virutex',
  'Lays', 'Evercrisp', 'Marco Polo', 'Ambrosoli', 'Arcor', 'Maggi', 'Knorr', 'Dos Caballos', 'Naturezza', 'Líder',
];
const VARIANTS = [
  'entera', 'descremada', 'sin lactosa', 'natural', 'frutilla', 'vainilla', 'chocolate', 'limón', 'naranja', 'durazno',
  'light', 'original', 'clásico', 'integral', 'grado 1', 'premium', 'familiar', 'orgánico', 'sin azúcar', 'extra',
  'picante', 'ahumado', 'tradicional', 'suave', 'intenso', 'tostado', 'merkén', 'con sal', 'sin sal', 'zero',
];
const SIZES = ['100 g', '140 g', '250 g', '400 g', '500 g', '1 kg', '2 kg', '200 ml', '350 ml', '500 ml', '1 L', '1,5 L', '2 L', '3 L', '6 un', '12 un'];

/** A tiny deterministic generator (mulberry32), so a catalog never changes between runs (bench/pos uses it too). */
export function generator(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IMPORT_FILE_ROWS = 25_000;

function ean13(body12) {
  const sum = [...body12].reduce((total, digit, index) => total + Number(digit) * (index % 2 ? 3 : 1), 0);
  return `${body12}${(10 - (sum % 10)) % 10}`;
}

function csvField(value) {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The catalog's rows: `{ sku, barcode, name, category, price }`, prices in whole pesos. */
export function catalog(count) {
  const random = generator(20261206);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const rows = [];
  for (let index = 1; index <= count; index += 1) {
    const kind = pick(KINDS);
    const name = `${kind} ${pick(BRANDS)} ${pick(VARIANTS)} ${pick(SIZES)}`;
    rows.push({
      sku: `BW-${String(index).padStart(6, '0')}`,
      barcode: ean13(`780${String(100_000_000 + index * 7919).slice(-9)}`),
      name,
      category: kind,
      price: 290 + Math.floor(random() * 200) * 50,
    });
  }
  return rows;
}

export function catalogCsv(rows) {
  const lines = ['sku,barcode,name,category,price,stock'];
  for (const row of rows) lines.push([row.sku, row.barcode, row.name, row.category, row.price, 100].map(csvField).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * Register a shop (CLP, Santiago) and import `count` products: `{ origin, email, password,
 * token, rows, import_s }`. Files of 25,000 rows: the import's documented limit is 50,000, but
 * a file of more than 32,766 rows fails (its `sku IN (…)` look-up binds one parameter per row,
 * over PostgreSQL's protocol limit of 32,767), see docs/benchmarks/web.md.
 */
export async function largeShop(port, count) {
  const email = `bench-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'bench-web-correct-horse';
  const registered = await request(`http://orbitengine.localhost:${port}`, 'POST', '/api/v1/auth/register', {
    json: { company_name: `Bench Web ${email.slice(6, 14)}`, admin_name: 'Bench Admin', email, password, currency: 'CLP', locale: 'es-CL', time_zone: 'America/Santiago' },
  });
  const origin = `http://${registered.body.subdomain}.orbitengine.localhost:${port}`;
  const token = registered.body.tokens.access_token;
  const rows = catalog(count);
  const started = performance.now();
  for (let offset = 0; offset < rows.length; offset += IMPORT_FILE_ROWS) {
    const csv = catalogCsv(rows.slice(offset, offset + IMPORT_FILE_ROWS));
    await request(origin, 'POST', '/api/v1/products/import', { token, body: csv, contentType: 'text/csv', headers: { 'idempotency-key': randomUUID() } });
  }
  return { origin, email, password, token, rows, import_s: (performance.now() - started) / 1000 };
}
