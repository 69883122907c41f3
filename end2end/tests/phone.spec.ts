import { test, expect } from '@playwright/test';
import { snapshot } from './helpers';

test.describe('on a 360 px phone', () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test('pages fit the screen without sideways scrolling', async ({ page }) => {
    for (const [path, name] of [['/', 'phone-home'], ['/register', 'phone-register'], ['/browse', 'phone-browse']]) {
      await page.goto(path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
      await snapshot(page, name);
    }
  });
});
