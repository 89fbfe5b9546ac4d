import { expect, test, type Page } from '@playwright/test';
import { createCategory, createProduct, expectNoHorizontalOverflow, unique, useLanguage } from './catalog';
import { apiToken, expectAccessible, signIn } from './fixtures';

function categoriesTable(page: Page) {
  return page.getByRole('table', { name: /categories, each under its parent/i });
}

function categoryRow(page: Page, name: string) {
  return categoriesTable(page)
    .getByRole('row')
    .filter({ has: page.getByTestId('category-name').getByText(name, { exact: true }) });
}

test.describe('categories', () => {
  test.beforeEach(async ({ page }) => useLanguage(page, 'en'));

  test('create one inside another, rename it, and delete it after confirming', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const parent = await createCategory(page.request, token, `Drinks ${unique()}`);
    const name = `Juices ${unique()}`;
    const renamed = `Nectars ${unique()}`;

    await signIn(page, 'manager', '/categories');
    await expect(categoriesTable(page).getByRole('row').nth(1)).toBeVisible();
    await expectAccessible(page);

    const form = page.getByRole('region', { name: /new category/i });
    await form.getByRole('button', { name: /add category/i }).click();
    await expect(form.getByText(/^required$/i)).toBeVisible();
    await form.getByLabel(/^name$/i).fill(name);
    await form.getByLabel(/^inside$/i).selectOption({ label: parent.name });
    await form.getByRole('button', { name: /add category/i }).click();
    await expect(form.getByLabel(/^name$/i)).toHaveValue('');
    const row = categoryRow(page, name);
    await expect(row).toBeVisible();
    await expect(row.getByRole('cell').nth(1)).toHaveText(parent.name);

    // A second category of the same name is refused at the name.
    await form.getByLabel(/^name$/i).fill(name.toUpperCase());
    await form.getByRole('button', { name: /add category/i }).click();
    await expect(form.getByText(/another category already has this name/i)).toBeVisible();

    await row.getByRole('button', { name: `Rename or move ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
    await expect(dialog).toBeVisible();
    await expectAccessible(page);
    // It can't be moved inside itself.
    await expect(dialog.getByLabel(/^inside$/i).locator('option', { hasText: name })).toHaveCount(0);
    await dialog.getByLabel(/^name$/i).fill(renamed);
    await dialog.getByRole('button', { name: /^save$/i }).click();
    await expect(dialog).toBeHidden();
    await expect(categoryRow(page, renamed)).toBeVisible();
    await expect(categoryRow(page, name)).toHaveCount(0);

    await categoryRow(page, renamed)
      .getByRole('button', { name: `Delete ${renamed}` })
      .click();
    const confirm = page.getByRole('dialog', { name: `Delete ${renamed}?` });
    await expect(confirm).toBeVisible();
    await expectAccessible(page);
    await confirm.getByRole('button', { name: /delete category/i }).click();
    await expect(confirm).toBeHidden();
    await expect(categoryRow(page, renamed)).toHaveCount(0);
  });

  test('a category that still has products is not deleted, and the dialog says why', async ({ page }) => {
    const token = await apiToken(page.request, 'manager');
    const category = await createCategory(page.request, token, `Snacks ${unique()}`);
    await createProduct(page.request, token, { categoryId: category.id });

    await signIn(page, 'manager', '/categories');
    await categoryRow(page, category.name)
      .getByRole('button', { name: `Delete ${category.name}` })
      .click();
    const confirm = page.getByRole('dialog', { name: `Delete ${category.name}?` });
    await confirm.getByRole('button', { name: /delete category/i }).click();
    await expect(confirm.getByRole('alert')).toHaveText(/still has products or subcategories/i);
    await expectAccessible(page);
    await confirm.getByRole('button', { name: /^cancel$/i }).click();
    await expect(categoryRow(page, category.name)).toBeVisible();
  });

  test('on a phone the categories fit the screen', async ({ page }) => {
    await signIn(page, 'manager', '/categories');
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(categoriesTable(page).getByRole('row').nth(1)).toBeVisible();
    await expectNoHorizontalOverflow(page, 375);
  });
});
