import { expect, test, type Page } from '@playwright/test';
import { apiToken, bearer, expectAccessible, signIn } from './fixtures';

/** A register code of this run: 1–8 capital letters or digits. */
function uniqueCode(): string {
  return `E${Date.now().toString(36).toUpperCase().slice(-7)}`;
}

async function registerAction(page: Page, code: string, action: RegExp) {
  await page.getByRole('button', { name: new RegExp(`(actions for register|acciones para la caja) ${code}$`, 'i') }).click();
  await page.getByRole('menuitem', { name: action }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  return dialog;
}

test.describe('registers and devices', () => {
  test('a manager adds a register, pairs a device with a one-time code, and revokes it', async ({ page }) => {
    const code = uniqueCode();
    const deviceName = `Tablet ${code}`;
    await signIn(page, 'manager', '/registers');
    await expect(page.getByRole('heading', { level: 1, name: /registers & devices|cajas y dispositivos/i })).toBeVisible();

    await page.getByRole('button', { name: /add register|agregar caja/i }).click();
    const create = page.getByRole('dialog');
    await create.getByLabel(/^(code|código)$/i).fill(code.toLowerCase());
    await expect(create.getByLabel(/^(code|código)$/i)).toHaveValue(code);
    await create.getByLabel(/^(name|nombre)$/i).fill(`Front ${code}`);
    await expectAccessible(page);
    await create.getByRole('button', { name: /add register|agregar caja/i }).click();
    await expect(create).toBeHidden();
    const registers = page.getByRole('table', { name: /^(registers|cajas)$/i });
    const row = registers.getByRole('row').filter({ hasText: code });
    await expect(row).toContainText(`Front ${code}`);
    await expect(row).toContainText(/no device|sin dispositivo/i);
    await expectAccessible(page);

    const pairing = await registerAction(page, code, /pair a device|vincular un dispositivo/i);
    await pairing.getByRole('button', { name: /make a code|generar código/i }).click();
    const shown = pairing.getByLabel(/pairing code|código de vinculación/i);
    await expect(shown).toHaveText(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    await expect(pairing.getByRole('timer')).toHaveText(/(expires in|vence en) (10:00|9:5\d)/i);
    await expectAccessible(page);
    const pairingCode = (await shown.textContent()) ?? '';

    // The device types the code: no sign-in, just the code and its name.
    const paired = await page.request.post('/api/v1/sync/pairing', { data: { code: pairingCode.toLowerCase(), name: deviceName } });
    expect(paired.status()).toBe(201);
    const credentials = await paired.json();
    expect(credentials.credential).toBeTruthy();
    await expect(pairing.getByRole('status').filter({ hasText: deviceName })).toContainText(code);

    // The code worked once.
    const again = await page.request.post('/api/v1/sync/pairing', { data: { code: pairingCode, name: 'Intruder' } });
    expect(again.status()).toBe(422);
    expect((await again.json()).code).toBe('pairing_code_invalid');

    await pairing.getByRole('button', { name: /^(done|listo)$/i }).click();
    await expect(row).toContainText(deviceName);
    const devices = page.getByRole('table', { name: /pos devices|dispositivos de punto de venta/i });
    const deviceRow = devices.getByRole('row').filter({ hasText: deviceName });
    await expect(deviceRow).toContainText(code);
    await expect(deviceRow.getByText(/^(active|activo)$/i)).toBeVisible();

    await deviceRow.getByRole('button', { name: new RegExp(`(revoke device|revocar el dispositivo) ${deviceName}`, 'i') }).click();
    const confirm = page.getByRole('dialog');
    await expect(confirm).toContainText(deviceName);
    await expectAccessible(page);
    await confirm.getByRole('button', { name: /revoke device|revocar dispositivo/i }).click();
    await expect(confirm).toBeHidden();
    await expect(deviceRow).toContainText(/revoked|revocado/i);
    await expect(row).toContainText(/no device|sin dispositivo/i);

    // The revoked device's credential no longer syncs.
    const token = await apiToken(page.request, 'cashier');
    const heartbeat = await page.request.post('/api/v1/sync/heartbeat', {
      headers: { ...bearer(token), 'x-device-id': credentials.device.id, 'x-device-key': credentials.credential },
      data: {},
    });
    expect(heartbeat.status()).toBe(403);
  });

  test('a register is renamed and deactivated, and the list reads on a phone', async ({ page }) => {
    const token = await apiToken(page.request, 'admin');
    const code = uniqueCode();
    const created = await page.request.post('/api/v1/registers', { headers: bearer(token), data: { code, name: `Back ${code}` } });
    expect(created.status()).toBe(201);

    await signIn(page, 'admin', '/registers');
    const row = page.getByRole('table', { name: /^(registers|cajas)$/i }).getByRole('row').filter({ hasText: code });
    const rename = await registerAction(page, code, /^(rename|renombrar)$/i);
    await rename.getByLabel(/^(name|nombre)$/i).fill(`Terrace ${code}`);
    await rename.getByRole('button', { name: /^(rename|renombrar)$/i }).click();
    await expect(rename).toBeHidden();
    await expect(row).toContainText(`Terrace ${code}`);

    const deactivate = await registerAction(page, code, /^(deactivate|desactivar)$/i);
    await expectAccessible(page);
    await deactivate.getByRole('button', { name: /^(deactivate|desactivar)$/i }).click();
    await expect(deactivate).toBeHidden();
    await expect(row.getByText(/^(inactive|inactivo)$/i)).toBeVisible();

    await page.setViewportSize({ width: 375, height: 800 });
    await expect(row).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  });
});
