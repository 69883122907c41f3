import { test, expect } from '@playwright/test';
import { snapshot } from './helpers';


test('the home page is rendered on the server and works once hydrated', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));

  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await expect(page.getByRole('heading', { level: 1 })).toContainText('charging network');

  // The estimator's inputs are disabled until the wasm bundle has hydrated the page:
  // filling them proves the client-side reactivity runs.
  const energy = page.getByLabel('Energy to add (kWh)');
  const power = page.getByLabel('Charger power (kW)');
  await expect(energy).toBeEnabled();
  await energy.fill('45');
  await power.fill('50');
  await expect(page.getByTestId('estimate')).toHaveText('About 1 h 00 min');
  await power.fill('0');
  await expect(page.getByTestId('estimate')).toHaveText('Enter an energy and a power above zero');
  await snapshot(page, 'home');

  // Nothing the page does may be blocked by its own Content-Security-Policy.
  expect(problems).toEqual([]);
});

test('an unknown address shows a proper not-found page', async ({ page }) => {
  const response = await page.goto('/no/such/page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await snapshot(page, 'not-found');
  const unknownLocation = await page.goto('/browse/999999999');
  expect(unknownLocation?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});
