import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fillLocation, register, signIn, snapshot, uniqueName } from './helpers';

// The repo's charge point simulator (built by `make end2end`), a real OCPP 1.6J client.
const targetDir = process.env.CARGO_TARGET_DIR ?? resolve(__dirname, '../../target');
const simulator = process.env.EMSP_SIM_BIN ?? join(targetDir, 'debug', 'charge-point-sim');
const port = process.env.EMSP_E2E_PORT ?? '3107';

let charger: ChildProcess | undefined;
test.afterEach(() => {
  charger?.kill();
  charger = undefined;
});

test('a simulated charger changes status live and answers the owner\'s Reset', async ({ page }) => {
  const username = uniqueName('ocpp');
  const identity = `CP-${username}`;
  await register(page, username);
  await signIn(page, username);
  await expect(page).toHaveURL(/\/dashboard/);

  await page.goto('/locations');
  await fillLocation(page, `Harbour hub ${username}`, 'Rotterdam', 'NL', '51.9225', '4.4792');
  await page.getByRole('button', { name: 'Add location' }).click();
  await expect(page.getByText('Location created')).toBeVisible();
  await page.getByLabel('EVSE ID').fill(`NL*${username.slice(-6).toUpperCase()}*E1`);
  const connector = page.locator('fieldset.connector').nth(0);
  await connector.getByLabel('Max voltage (V)').fill('230');
  await connector.getByLabel('Max amperage (A)').fill('32');
  await page.getByRole('button', { name: 'Add EVSE' }).click();
  await expect(page.getByText(/EVSE added/)).toBeVisible();

  // Add a charger holding the EVSE, and give it a key.
  await page.getByLabel(/Charge point identity/).fill(identity);
  await page.locator('input[name="evse_uids"]').first().check();
  await page.getByRole('button', { name: 'Add charger' }).click();
  await expect(page.getByText(`Charger ${identity} added`)).toBeVisible();
  await expect(page.getByTestId('connection')).toHaveText('Offline');
  await page.getByRole('button', { name: 'New key' }).click();
  const key = (await page.getByTestId('new-key').textContent())?.trim() ?? '';
  expect(key).toMatch(/^[0-9a-f]{40}$/);
  const badge = page.locator('.evses [data-testid="evse-status"]').first();
  await expect(badge).toHaveText('Unknown');
  await snapshot(page, 'charger-added');

  // The charger connects, reports Available, and Charging four seconds later: the open page
  // follows without a reload.
  charger = spawn(simulator, [
    '--endpoint', `ws://127.0.0.1:${port}/ocpp`, '--id', identity, '--key', key, '--evses', '1',
    '--script', '4:1:Charging', '--run-for', '60',
  ], { stdio: 'inherit' });
  const url = page.url();
  await expect(badge).toHaveText('Available', { timeout: 15_000 });
  await expect(page.getByTestId('connection')).toContainText('Connected');
  await expect(badge).toHaveText('Charging', { timeout: 15_000 });
  expect(page.url()).toBe(url);
  await snapshot(page, 'charger-live');

  await page.getByRole('button', { name: 'Reset (soft)' }).click();
  await expect(page.getByTestId('charger-answer')).toHaveText('The charger answered: Accepted');
  await snapshot(page, 'charger-reset');
});
