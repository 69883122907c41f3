import { test, expect, type Page } from '@playwright/test';
import { fillLocation, register, signIn, snapshot, uniqueName } from './helpers';

// axe-core from npm (pinned in package.json), injected into each page. Injecting a script needs
// the page's Content-Security-Policy bypassed, which this test context alone does.
const AXE = require.resolve('axe-core/axe.min.js');

/** axe's violations of impact serious or critical, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<any> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n: any) => n.target.join(' ')) }));
  });
  return violations
    .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
    .map((v: { id: string; impact: string; targets: string[] }) => `${v.impact} ${v.id}: ${v.targets.slice(0, 3).join(', ')}`);
}

/** Visits `path`, waits until it is hydrated, checks its title and runs axe over it. */
async function check(page: Page, path: string, title: string, label: string) {
  await page.goto(path);
  await page.waitForLoadState('networkidle');
  await expect(page, `${path} on ${label}`).toHaveTitle(title);
  expect(await seriousViolations(page), `${path} on ${label}`).toEqual([]);
}

const SIZES: [string, { width: number; height: number }][] = [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 360, height: 740 }],
];

test.describe('accessibility and titles', () => {
  test.use({ bypassCSP: true });

  test('every page of the journey has a title and passes axe, signed out and in, desktop and phone', async ({ page }) => {
    const username = uniqueName('axe');
    const place = `Axe Plaza ${username}`;
    await register(page, username);
    await signIn(page, username);
    await expect(page).toHaveURL(/\/dashboard/);
    await page.goto('/locations');
    await fillLocation(page, place, 'Oslo', 'NO', '59.91', '10.75');
    await page.getByRole('button', { name: 'Add location' }).click();
    await expect(page.getByText('Location created')).toBeVisible();
    const mine = new URL(page.url()).pathname;
    const id = mine.split('/').pop();
    await page.getByLabel('EVSE ID').fill(`NO*${username.slice(-6).toUpperCase()}*E1`);
    await page.locator('fieldset.connector').nth(0).getByLabel('Max voltage (V)').fill('230');
    await page.locator('fieldset.connector').nth(0).getByLabel('Max amperage (A)').fill('32');
    await page.getByRole('button', { name: 'Add EVSE' }).click();
    await expect(page.getByText(/EVSE added/)).toBeVisible();
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect(page.getByRole('button', { name: 'Unpublish' })).toBeVisible();

    for (const [label, size] of SIZES) {
      await page.setViewportSize(size);
      await check(page, '/dashboard', 'Dashboard · EMSP', label);
      await check(page, '/locations', 'My locations · EMSP', label);
      await check(page, mine, `${place} · EMSP`, label);
    }

    // None of its EVSEs available: the badge says so without the green of "available".
    await page.setViewportSize(SIZES[0][1]);
    await page.goto(mine);
    await page.getByLabel('Status', { exact: false }).first().selectOption('OUTOFORDER');
    await page.getByRole('button', { name: 'Save status' }).click();
    await expect(page.locator('.evses .badge')).toHaveText('Out of order');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/$/);

    await page.goto(`/browse?q=${encodeURIComponent(username.slice(-8))}`);
    const badge = page.getByTestId('availability');
    await expect(badge).toHaveText('0 of 1 available');
    await expect(badge).not.toHaveClass(/(^|\s)available(\s|$)/);
    await expect(badge).toHaveClass(/none-available/);
    await snapshot(page, 'browse-none-available');
    await page.goto(`/browse/${id}`);
    await expect(page.getByTestId('operator')).toContainText(`${username} Charging`);
    await expect(page.locator('meta[name="description"]')).toHaveAttribute('content', new RegExp(place));
    await snapshot(page, 'public-location-operator');

    for (const [label, size] of SIZES) {
      await page.setViewportSize(size);
      await check(page, '/', 'Charging data for charge point operators · EMSP', label);
      await check(page, '/browse', 'Find a charging location · EMSP', label);
      await check(page, `/browse/${id}`, `${place} · EMSP`, label);
      await check(page, '/register', 'Register your company · EMSP', label);
      await check(page, '/sign-in', 'Sign in · EMSP', label);
      await check(page, '/no/such/page', 'Page not found · EMSP', label);
    }
  });

  test.describe('without JavaScript', () => {
    test.use({ javaScriptEnabled: false });

    test('pages carry their title in the HTML itself', async ({ page }) => {
      for (const [path, title] of [
        ['/', 'Charging data for charge point operators · EMSP'],
        ['/browse', 'Find a charging location · EMSP'],
        ['/sign-in', 'Sign in · EMSP'],
        ['/register', 'Register your company · EMSP'],
        ['/no/such/page', 'Page not found · EMSP'],
      ]) {
        await page.goto(path);
        await expect(page, path).toHaveTitle(title);
      }
    });
  });
});
