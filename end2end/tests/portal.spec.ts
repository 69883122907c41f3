import { test, expect } from '@playwright/test';
import { PASSWORD, png, register, signIn, snapshot, uniqueName } from './helpers';

test('a CPO owner registers, manages a location and finds it in the public browser', async ({ page }) => {
  const username = uniqueName('owner');
  const place = `Fira Sunset ${username}`;
  await register(page, username);
  await signIn(page, username);
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${username} Charging`);
  await snapshot(page, 'dashboard');

  await page.getByLabel('PNG, JPEG or WebP, at most 5 MiB').setInputFiles(png('logo.png'));
  await expect(page.getByTestId('logo-preview')).toBeVisible();
  await page.getByRole('button', { name: 'Upload logo' }).click();
  await expect(page.getByText('Your logo is updated.')).toBeVisible();
  await expect(page.getByTestId('logo')).toBeVisible();
  await snapshot(page, 'dashboard-logo');

  await page.goto('/locations');
  // A country code the server refuses comes back next to its field.
  await page.getByLabel('Name', { exact: true }).fill(place);
  await page.getByLabel('Address').fill('Caldera Path 7');
  await page.getByLabel('City').fill('Fira');
  await page.getByLabel('Country code').fill('G1');
  await page.getByLabel('Latitude').fill('36.4167');
  await page.getByLabel('Longitude').fill('25.4318');
  await page.getByRole('button', { name: 'Add location' }).click();
  await expect(page.locator('label', { hasText: 'Country code' }).getByRole('alert')).toContainText('two-letter ISO 3166-1');
  await snapshot(page, 'new-location-field-error');
  await page.getByLabel('Name', { exact: true }).fill(place);
  await page.getByLabel('Address').fill('Caldera Path 7');
  await page.getByLabel('City').fill('Fira');
  await page.getByLabel('Country code').fill('GR');
  // OCPI allows 45 characters of address: the owner is told before saving what partners will see.
  const warning = page.locator('label', { hasText: 'Address' }).getByRole('status');
  await page.getByLabel('Address').fill('Caldera Path 7, above the old port of Fira, by the cable car');
  await expect(warning).toHaveText('Roaming partners (OCPI) will see only the first 45 characters.');
  await page.getByLabel('Address').fill('Caldera Path 7');
  await expect(warning).toBeHidden();
  // The time zone follows the coordinates until the owner types one.
  await page.getByLabel('Latitude').fill('36.4167');
  await page.getByLabel('Longitude').fill('25.4318');
  await page.getByLabel('Cafe').check();
  await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Athens');
  await page.getByLabel('Wi-Fi available').check();
  await page.getByLabel('On-street parking').check();
  await snapshot(page, 'new-location');
  await page.getByRole('button', { name: 'Add location' }).click();
  await expect(page.getByText('Location created')).toBeVisible();
  const locationUrl = page.url();

  await page.getByLabel('EVSE ID').fill(`GR*${username.slice(-6).toUpperCase()}*E1`);
  const connectors = page.locator('fieldset.connector');
  await connectors.nth(0).getByLabel('Standard').selectOption('IEC_62196_T2');
  await connectors.nth(0).getByLabel('Max voltage (V)').fill('230');
  await connectors.nth(0).getByLabel('Max amperage (A)').fill('32');
  await connectors.nth(1).getByLabel('Standard').selectOption('IEC_62196_T2_COMBO');
  await connectors.nth(1).getByLabel('Format').selectOption('CABLE');
  await connectors.nth(1).getByLabel('Power type').selectOption('DC');
  await connectors.nth(1).getByLabel('Max voltage (V)').fill('920');
  await connectors.nth(1).getByLabel('Max amperage (A)').fill('200');
  await page.getByRole('button', { name: 'Add EVSE' }).click();
  await expect(page.getByText('EVSE added with 2 connectors')).toBeVisible();

  await page.getByLabel(/Add photos/).setInputFiles([png('front.png'), png('bays.png')]);
  await page.getByRole('button', { name: 'Upload photos' }).click();
  await expect(page.getByText('2 photos added')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Photos (2 of 5)' })).toBeVisible();

  // Refusals a person would try: a text file as a photo, then too many photos.
  await page.getByLabel(/Add photos/).setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just text') });
  await page.getByRole('button', { name: 'Upload photos' }).click();
  await expect(page.getByTestId('page-error')).toContainText('only PNG, JPEG and WebP');
  await page.getByLabel(/Add photos/).setInputFiles([png('a.png'), png('b.png'), png('c.png'), png('d.png')]);
  await page.getByRole('button', { name: 'Upload photos' }).click();
  await expect(page.locator('label', { hasText: 'Add photos' }).getByRole('alert')).toContainText('at most 5');
  await expect(page.getByRole('heading', { name: 'Photos (2 of 5)' })).toBeVisible();
  await snapshot(page, 'location-refused-photo');

  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByRole('button', { name: 'Unpublish' })).toBeVisible();
  await snapshot(page, 'location-published');

  // Edit: the form comes filled in; change the address and an EVSE's status.
  const edit = page.locator('section', { has: page.getByRole('heading', { name: 'Edit details' }) });
  await expect(edit.getByLabel('Name')).toHaveValue(place);
  await expect(edit.getByLabel('Cafe')).toBeChecked();
  await edit.getByLabel('Address').fill('Caldera Path 9');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Changes saved')).toBeVisible();
  await expect(page.getByText('Caldera Path 9').first()).toBeVisible();
  await page.getByLabel('Status', { exact: false }).first().selectOption('CHARGING');
  await page.getByRole('button', { name: 'Save status' }).click();
  await expect(page.locator('.evses .badge')).toHaveText('Charging');

  // Full edit of a connector: its rating.
  await page.getByText(/Edit .* and its connectors/).click();
  const second = page.locator('form.connector').nth(1);
  await second.getByLabel('Max amperage (A)').fill('250');
  await second.getByRole('button', { name: 'Save connector' }).click();
  await expect(page.getByText('Connector saved')).toBeVisible();
  await expect(page.getByRole('cell', { name: '230.0' })).toBeVisible();
  // Remove the first connector again: the EVSE keeps the fast one.
  await page.getByText(/Edit .* and its connectors/).click();
  await page.getByRole('button', { name: 'Delete connector 1' }).click();
  await expect(page.getByRole('cell', { name: 'Type 2 (Mennekes)' })).toHaveCount(0);
  await expect(page.getByRole('cell', { name: 'CCS2 (Combo 2)' })).toBeVisible();

  await page.goto(`/browse?q=${encodeURIComponent(username.slice(-8))}`);
  await expect(page.getByTestId('results')).toContainText(place);
  await snapshot(page, 'browse');
  await page.getByRole('link', { name: place }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(place);
  await expect(page.getByText('Cafe, Wi-Fi available')).toBeVisible();
  await expect(page.locator('.gallery img')).toHaveCount(2);
  await expect(page.getByRole('cell', { name: 'CCS2 (Combo 2)' })).toBeVisible();
  await expect(page.locator('.evses .badge')).toHaveText('Charging');
  await snapshot(page, 'public-location');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto(locationUrl);
  await expect(page).toHaveURL(/\/sign-in/);
});

test('a bad email is flagged while typing and a wrong password gets one message', async ({ page }) => {
  await page.goto('/register');
  const email = page.getByLabel('Contact email');
  await expect(email).toBeEditable();
  await email.pressSequentially('not-an-email');
  await expect(page.locator('#field-contact_email-error')).toContainText('must be an email address');
  await snapshot(page, 'register-inline-error');

  const username = uniqueName('pw');
  await register(page, username);
  await signIn(page, username, 'not the password');
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong username or password.' })).toBeVisible();
  await signIn(page, uniqueName('ghost'), 'not the password');
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong username or password.' })).toBeVisible();
  await snapshot(page, 'sign-in-refused');
});

test("another owner's location cannot be edited by URL", async ({ page }) => {
  const first = uniqueName('first');
  await register(page, first);
  await signIn(page, first);
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto('/locations');
  await page.getByLabel('Name', { exact: true }).fill('Private Depot');
  await page.getByLabel('Address').fill('Dock 1');
  await page.getByLabel('City').fill('Delft');
  await page.getByLabel('Country code').fill('NL');
  await page.getByLabel('Latitude').fill('52.01');
  await page.getByLabel('Longitude').fill('4.36');
  await page.getByRole('button', { name: 'Add location' }).click();
  await expect(page.getByText('Location created')).toBeVisible();
  const url = page.url();
  await page.getByRole('button', { name: 'Sign out' }).click();

  const second = uniqueName('second');
  await register(page, second);
  await signIn(page, second);
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete location' })).toHaveCount(0);
  await snapshot(page, 'foreign-location');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('registration and sign-in work as plain HTML forms', async ({ page }) => {
    const username = uniqueName('nojs');
    await register(page, username);
    await signIn(page, username, PASSWORD);
    await expect(page).toHaveURL(/\/dashboard/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${username} Charging`);
    await snapshot(page, 'dashboard-no-js');
  });
});
