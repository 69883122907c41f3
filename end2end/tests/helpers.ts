import { expect, type Page } from '@playwright/test';

/** A 64 × 48 PNG, the kind of file an owner uploads. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAEAAAAAwCAIAAAAuKetIAAAAZElEQVR4nO3PsQkAIBDAwO8dzk3cv3QIi0MIZIDLrLO/brigAS1oQAsa0IIGtKABLWhACxrQgga0oAEtaEALGtCCBrSgAS1oQAsa0IIGtKABLWhACxrQgga0oAEtaEALGtCCxy7k+WCIxZRhbwAAAABJRU5ErkJggg==',
  'base64',
);

export function png(name: string) {
  return { name, mimeType: 'image/png', buffer: PNG };
}

/** Saves what a person sees, for looking at later (end2end/test-results/, ignored by git). */
export async function snapshot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

export const PASSWORD = 'correct horse battery';

export function uniqueName(prefix: string) {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** Registers a CPO owner through the form; returns its username. */
export async function register(page: Page, username: string) {
  await page.goto('/register');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Company (CPO owner) name').fill(`${username} Charging`);
  await page.getByLabel('Contact name').fill('Maria Santos');
  await page.getByLabel('Contact number').fill('+31 20 555 0101');
  await page.getByLabel('Contact email').fill(`${username}@example.com`);
  await page.getByLabel('Our charge points are OCPP-ready').check();
  await page.getByLabel('Password (at least 10 characters)').fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await snapshot(page, 'register-filled');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page).toHaveURL(/\/sign-in\?registered=1/);
}

export async function signIn(page: Page, username: string, password = PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Fills the new-location form of "My locations" (the page must be open). */
export async function fillLocation(page: Page, name: string, city: string, country: string, lat: string, lng: string) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Address').fill('Harbour Road 3');
  await page.getByLabel('City').fill(city);
  await page.getByLabel('Country code').fill(country);
  await page.getByLabel('Latitude').fill(lat);
  await page.getByLabel('Longitude').fill(lng);
}
