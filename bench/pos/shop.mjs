/**
 * A shop of the bench's own, through the API: registered at the apex, 25,000 products imported
 * as CSV (a fixed-seed generator: every run sells the same catalog), registers, a cashier with a
 * password and a PIN. Calls go to 127.0.0.1 with `X-Tenant-Subdomain`, which the server accepts
 * in place of the shop's host name.
 */
import { randomUUID } from 'node:crypto';
import { generator } from '../web/catalog.mjs';

export const PIN = '2468';

export function api(port, subdomain = null) {
  const base = `http://127.0.0.1:${port}`;
  return async function call(method, path, { token, json, body, contentType, headers = {} } = {}) {
    const response = await fetch(base + path, {
      method,
      headers: {
        ...(subdomain ? { 'x-tenant-subdomain': subdomain } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(json !== undefined ? { 'content-type': 'application/json' } : contentType ? { 'content-type': contentType } : {}),
        ...headers,
      },
      body: json !== undefined ? JSON.stringify(json) : body,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
}

const KINDS = [
  'Leche',
  'Yogur',
  'Queso',
  'Galletas',
  'Chocolate',
  'Café',
  'Té',
  'Arroz',
  'Fideos',
  'Aceite',
  'Azúcar',
  'Harina',
  'Atún',
  'Porotos',
  'Jugo',
  'Bebida',
  'Cerveza',
  'Vino',
  'Pan de molde',
  'Cereal',
  'Detergente',
  'Shampoo',
  'Jabón',
  'Papas fritas',
  'Caramelos',
];
const BRANDS = [
  'Colun',
  'Soprole',
  'Nestlé',
  'Costa',
  'McKay',
  'Carozzi',
  'Lucchetti',
  'Tucapel',
  'Chef',
  'Iansa',
  'Selecta',
  'Watt’s',
  'Andina',
  'Cachantún',
  'Cristal',
  'Quaker',
  'Savory',
  'Omo',
  'Dove',
  'Lays',
];
const VARIANTS = [
  'entera',
  'descremada',
  'natural',
  'frutilla',
  'vainilla',
  'chocolate',
  'limón',
  'light',
  'original',
  'integral',
  'premium',
  'familiar',
  'sin azúcar',
  'extra',
  'tradicional',
];
const SIZES = ['100 g', '250 g', '500 g', '1 kg', '350 ml', '1 L', '1,5 L', '2 L', '6 un'];

function ean13(body12) {
  const sum = [...body12].reduce((total, digit, index) => total + Number(digit) * (index % 2 ? 3 : 1), 0);
  return `${body12}${(10 - (sum % 10)) % 10}`;
}

/** `count` products: `{ sku, barcode, name, price }`, prices in whole pesos (CLP). */
export function catalog(count) {
  const random = generator(20261207);
  const pick = (list) => list[Math.floor(random() * list.length)];
  return Array.from({ length: count }, (_, index) => ({
    sku: `BP-${String(index + 1).padStart(6, '0')}`,
    barcode: ean13(`781${String(100_000_000 + (index + 1) * 7919).slice(-9)}`),
    name: `${pick(KINDS)} ${pick(BRANDS)} ${pick(VARIANTS)} ${pick(SIZES)}`,
    price: 290 + Math.floor(random() * 200) * 50,
  }));
}

function csv(rows) {
  const field = (value) => (/[",\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value));
  return `sku,barcode,name,price,stock\n${rows.map((row) => [row.sku, row.barcode, row.name, row.price, 10_000].map(field).join(',')).join('\n')}\n`;
}

/**
 * Register a shop (CLP, Santiago), import the catalog, add `registers` registers and a cashier
 * with a PIN. Returns what the phases need.
 */
export async function benchShop(port, { products, registers }) {
  const apex = api(port);
  const email = `bench-pos-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'bench-pos-correct-horse';
  const registered = await apex('POST', '/api/v1/auth/register', {
    json: { company_name: `Bench POS ${email.slice(10, 18)}`, admin_name: 'Bench Admin', email, password, currency: 'CLP', locale: 'es-CL', time_zone: 'America/Santiago' },
  });
  const subdomain = registered.subdomain;
  const call = api(port, subdomain);
  const token = registered.tokens.access_token;
  const rows = catalog(products);
  const importStarted = performance.now();
  for (let offset = 0; offset < rows.length; offset += 25_000) {
    await call('POST', '/api/v1/products/import', { token, body: csv(rows.slice(offset, offset + 25_000)), contentType: 'text/csv', headers: { 'idempotency-key': randomUUID() } });
  }
  const importSeconds = (performance.now() - importStarted) / 1000;
  const created = [];
  for (let index = 1; index <= registers; index += 1) {
    created.push(await call('POST', '/api/v1/registers', { token, json: { code: `B${index}`, name: `Bench ${index}` } }));
  }
  const cashierEmail = `cashier-${email}`;
  const cashierPassword = 'bench-pos-cashier-horse';
  const cashier = await call('POST', '/api/v1/users', { token, json: { email: cashierEmail, full_name: 'Bench Cashier', role: 'cashier', password: cashierPassword } });
  await call('PUT', `/api/v1/users/${cashier.id}/pin`, { token, json: { pin: PIN } });
  return {
    subdomain,
    origin: `http://${subdomain}.orbitengine.localhost:${port}`,
    call,
    token,
    admin: { email, password },
    cashier: { id: cashier.id, name: 'Bench Cashier', email: cashierEmail, password: cashierPassword },
    registers: created,
    rows,
    importSeconds,
  };
}
