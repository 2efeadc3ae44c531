// Steps a person takes in the browser that many tests share.
import { DESKTOP, PHONE, screenshot } from './browser.mjs';

/** Signs in through the login page, as a person does. */
export async function signIn(page, who) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Takes a screenshot at phone width, then returns to desktop width. */
export async function phoneShot(page, name) {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400);
  await screenshot(page, name);
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(300);
}
