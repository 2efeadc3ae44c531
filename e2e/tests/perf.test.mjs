// How fast the patient page becomes usable with a year of minute-by-minute
// heart rate (525,600 readings), in headless Chromium against the real
// binary on SQLite. Issue 5 asks for at most 1 s; the figures are written to
// artifacts/perf.json and printed, not asserted to the millisecond, since a
// timed test on a shared two-core machine would fail for reasons that are
// not the app's. How a visit is timed is in lib/firstvisit.mjs (a cold
// visit opens its address once the new browser window has started);
// bench/first-visit.mjs compares two builds the same way.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signInApi } from '../lib/api.mjs';
import { ARTIFACTS, DESKTOP, launch, PHONE, screenshot } from '../lib/browser.mjs';
import {
  chartResponds,
  chartSpot,
  cookiesOf,
  holdPointer,
  median,
  NURSE,
  openAndTime,
  PATIENT,
  readoutShown,
  seedYear,
  timedContext,
  YEAR_MINUTES,
} from '../lib/firstvisit.mjs';
import { startTend } from '../lib/tend.mjs';

let tend;
let browser;
let patientId;
let loaded = { stored: 0, ms: 0 };

before(async () => {
  browser = await launch();
  tend = await startTend();
  const seeded = await seedYear(tend);
  patientId = seeded.patientId;
  loaded = { stored: seeded.stored, ms: seeded.ms };
  assert.equal(loaded.stored, YEAR_MINUTES);
});

after(async () => {
  await browser?.close();
  await tend?.stop();
});

test('the patient page with a year of minute-level heart rate becomes interactive fast', async (t) => {
  const cookies = cookiesOf(await signInApi(tend.url, NURSE), tend.url);
  // The machine is shared: every figure is the median of three tries.
  const RUNS = 3;
  const at = await chartSpot(browser, tend.url, cookies, patientId, DESKTOP);

  // Cold: a new browser profile each time, nothing cached, the patient's
  // address opened directly in its window once the window has started.
  // Also timed the way this test did before session 6, with the address
  // opened the instant the window is: Chromium's own start-up of the window
  // (its address-bar popup, about 1.5 s of one of the two cores) then runs
  // alongside the page. Both go in the report; the first is the figure.
  const colds = [];
  const coldsFreshWindow = [];
  for (let i = 0; i < RUNS; i++) {
    for (const settle of [true, false]) {
      const c = await timedContext(browser, tend.url, cookies, DESKTOP, { settle });
      (settle ? colds : coldsFreshWindow).push(await openAndTime(c.page, at, patientId));
      await c.context.close();
    }
  }
  // Warm: the page opened again in a tab that has the app's files cached.
  const cold = await timedContext(browser, tend.url, cookies, DESKTOP);
  await openAndTime(cold.page, at, patientId);
  const warms = [];
  for (let i = 0; i < RUNS; i++) warms.push(await openAndTime(cold.page, at, patientId));
  // In the app: from My patients, a click on the patient (no page load at all).
  const navs = [];
  for (let i = 0; i < RUNS; i++) {
    await cold.page.goto('/patients');
    await cold.page.getByRole('link', { name: PATIENT.name }).waitFor();
    await cold.page.waitForTimeout(300);
    await cold.page.evaluate(() => performance.mark('tend:click'));
    const shown = readoutShown(cold.page);
    await cold.page.getByRole('link', { name: PATIENT.name }).click();
    navs.push(await chartResponds(cold.page, 'tend:click', shown, holdPointer(cold.page, at)));
  }
  const pick = (runs) => ({
    chartDrawnMs: median(runs.map((r) => r.chartDrawnMs)),
    interactiveMs: median(runs.map((r) => r.interactiveMs)),
    mainThreadQuietMs: median(runs.map((r) => r.mainThreadQuietMs)),
    inputToReadoutMs: median(runs.map((r) => r.inputToReadoutMs)),
    runs,
  });
  const first = colds[0];
  assert.ok(first.readingsInChart > 10_000, `the week chart draws a week of minutes (${first.readingsInChart})`);

  const { page } = cold;
  // Responsive: the pointer over the chart reads out a bucket at once.
  const box = await page.getByTestId('vital-chart').boundingBox();
  await page.mouse.move(1, 1);
  await page.waitForTimeout(200);
  const hoverStart = Date.now();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  await page.getByTestId('chart-readout').filter({ hasText: /Heart rate \d+/ }).waitFor();
  const hoverMs = Date.now() - hoverStart;

  // The whole year, from the server's hourly summaries.
  const yearStart = Date.now();
  await page.getByText('Year', { exact: true }).click();
  // The year ends now, and began a minute or so after the oldest reading: all but a few are in it.
  const wholeYear = () => Number(document.querySelector('[data-testid=vital-chart][data-drawn]')?.dataset.readings) > 525_000;
  await page.waitForFunction(wholeYear);
  const yearMs = Date.now() - yearStart;
  await page.getByTestId('chart-summary').filter({ hasText: /525,\d{3} readings/ }).waitFor();
  await screenshot(page, '20-nurse-year-of-heart-rate');

  // Zooming into a day of the year asks for finer buckets.
  const zoomStart = Date.now();
  await page.mouse.move(box.x + box.width * 0.5, box.y + 60);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.51, box.y + 60, { steps: 3 });
  await page.mouse.up();
  await page.getByRole('button', { name: 'Back to year' }).waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=vital-chart]')?.dataset.readings) < 100_000);
  const zoomMs = Date.now() - zoomStart;
  await screenshot(page, '21-nurse-heart-rate-zoomed');
  await page.setViewportSize(PHONE);
  await page.getByRole('button', { name: 'Back to year' }).click();
  await page.waitForFunction(wholeYear);
  await page.waitForTimeout(400);
  await screenshot(page, '20-nurse-year-of-heart-rate-phone');
  assert.deepEqual(cold.problems, [], 'the app threw in the browser');
  await cold.context.close();

  const result = {
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    readings: YEAR_MINUTES,
    loadSeconds: +(loaded.ms / 1000).toFixed(1),
    loadPerSecond: Math.round(YEAR_MINUTES / (loaded.ms / 1000)),
    coldPage: pick(colds),
    coldPageWindowJustOpened: pick(coldsFreshWindow),
    warmPage: pick(warms),
    inAppNavigation: pick(navs),
    hoverReadoutMs: hoverMs,
    switchToYearMs: yearMs,
    zoomToFinerBucketsMs: zoomMs,
  };
  writeFileSync(join(ARTIFACTS, 'perf.json'), `${JSON.stringify(result, null, 2)}\n`);
  t.diagnostic(`perf: ${JSON.stringify(result)}`);
  // A loose bound that only a real regression breaks; the target (1 s) is reported above.
  assert.ok(result.warmPage.interactiveMs < 5000, `interactive after ${result.warmPage.interactiveMs} ms`);
});
