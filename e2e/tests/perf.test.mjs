// How fast the patient page becomes usable with a year of minute-by-minute
// heart rate (525,600 readings), in headless Chromium against the real
// binary on SQLite. Issue 5 asks for at most 1 s; the figures are written to
// artifacts/perf.json and printed, not asserted to the millisecond, since a
// timed test on a shared two-core machine would fail for reasons that are
// not the app's.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signInApi } from '../lib/api.mjs';
import { ARTIFACTS, DESKTOP, launch, PHONE, screenshot } from '../lib/browser.mjs';
import { startTend } from '../lib/tend.mjs';

const PATIENT = { email: 'olav@example.org', name: 'Olav Berg', password: 'olav password 123' };
const NURSE = { email: 'nurse@example.org', name: 'Nina Garcia', password: 'nina password 12' };
const ADMIN = { email: 'admin@example.org', name: 'Admin', password: 'admin password for e2e' };

const MINUTE = 60_000;
const YEAR_MINUTES = 365 * 24 * 60; // 525,600
const CHUNK = 10_000;

let tend;
let browser;
let patientId;
let loaded = { stored: 0, ms: 0 };

/** A plausible resting-and-active heart rate for minute i: a daily rhythm, slow drift and noise. */
function heartRate(t) {
  const hour = new Date(t).getUTCHours() + new Date(t).getUTCMinutes() / 60;
  const daily = 8 * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
  const season = 3 * Math.sin((t / (365 * 24 * 60 * MINUTE)) * 2 * Math.PI);
  return Math.round(68 + daily + season + (Math.random() - 0.5) * 10);
}

before(async () => {
  browser = await launch();
  tend = await startTend();
  tend.addUser({ ...ADMIN, roles: ['admin'] });
  patientId = tend.addUser({ ...PATIENT, roles: ['patient'] }).id;
  const nurseId = tend.addUser({ ...NURSE, roles: ['nurse'] }).id;
  const admin = await signInApi(tend.url, ADMIN);
  await admin.post(`/api/v1/patients/${patientId}/care-team`, { userId: nurseId });

  // A year of minute-by-minute heart rate through the batch door, 10,000 a
  // request. A device's readings from before its assignment are refused (it
  // may have been someone else's), so a year of history comes in as the
  // patient importing their own data through the same door, not as a device
  // registered today.
  const patient = await signInApi(tend.url, PATIENT);
  const end = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const start = end - (YEAR_MINUTES - 1) * MINUTE;
  const t0 = Date.now();
  const chunks = [];
  for (let i = 0; i < YEAR_MINUTES; i += CHUNK) chunks.push(i);
  // Two requests at a time: one being built while the other is stored.
  let next = 0;
  async function worker() {
    while (next < chunks.length) {
      const from = chunks[next++];
      const readings = [];
      for (let k = from; k < Math.min(from + CHUNK, YEAR_MINUTES); k++) {
        const t = start + k * MINUTE;
        readings.push({
          type: 'heart_rate',
          value: heartRate(t),
          unit: '/min',
          takenAt: new Date(t).toISOString(),
          externalId: `hr-${k}`,
        });
      }
      const ans = await patient.post('/api/v1/readings', { patientId, readings });
      assert.equal(ans.refused, 0, `refused: ${JSON.stringify(ans.results.find((r) => r.outcome === 'refused'))}`);
      loaded.stored += ans.stored + ans.duplicate;
    }
  }
  await Promise.all([worker(), worker()]);
  loaded.ms = Date.now() - t0;
  assert.equal(loaded.stored, YEAR_MINUTES);
});

after(async () => {
  await browser?.close();
  await tend?.stop();
});

/**
 * Records, from the very start of every page, long tasks, when the chart's
 * readout first shows a value, and when the pointer first moved over the chart.
 */
const READOUT_SHOWN = 'tend:readout-shown';
const LONG_TASKS = () => {
  // This runs in the page, which sees none of this file's names.
  const READOUT_SHOWN = 'tend:readout-shown';
  window.__longTasks = [];
  window.__readoutAt = 0;
  window.__pointerAt = 0;
  addEventListener(
    'pointermove',
    (e) => {
      if (!window.__pointerAt && e.target.closest?.('[data-testid=vital-chart]')) window.__pointerAt = e.timeStamp;
    },
    true,
  );
  new MutationObserver(() => {
    const el = document.querySelector('[data-testid=chart-readout]');
    if (!window.__readoutAt && el && /\d/.test(el.textContent)) {
      window.__readoutAt = performance.now();
      // Tells the test without it having to poll the page (see readoutShown).
      console.log(READOUT_SHOWN);
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, end: e.startTime + e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long-task timing in this browser
  }
};

async function nurseContext(cookies, viewport = DESKTOP) {
  const context = await browser.newContext({ baseURL: tend.url, viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
  await context.addCookies(cookies);
  await context.addInitScript(LONG_TASKS);
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  return { context, page, problems };
}

/**
 * Keeps a pointer moving over `at` (where the chart is about to be drawn)
 * until the chart's readout answers it, as a person waiting to read a value
 * would. Each move waits until the page has taken it, so the first answer
 * comes as soon as the chart is drawn and the page's main thread is free:
 * that moment is when the page is interactive. (Pointing only after the
 * test has seen the chart drawn would add the test's own round trips to
 * Chromium, some 200–300 ms here, to every figure; so would waiting to see
 * the chart's element before pointing.) The moves start as soon as the
 * page's document is there: on this machine they left when the chart is
 * drawn unchanged (median of nine first visits 1,156 and 1,169 ms with
 * them, 1,120 and 1,209 ms without). A move that Chromium never answers
 * (one sent while a tab changes process can be lost) is given up after a
 * second, so one lost move cannot stop the rest.
 */
function holdPointer(page, at) {
  let stop = false;
  const done = (async () => {
    for (let i = 0; !stop; i++) {
      const move = page.mouse.move(at.x + (i % 2), at.y).catch(() => {});
      await Promise.race([move, new Promise((r) => setTimeout(r, 1000))]);
      await new Promise((r) => setTimeout(r, 16));
    }
  })();
  return async () => {
    stop = true;
    await done;
  };
}

/**
 * Resolves when the page says (on its console) that the chart's readout first
 * showed a value. The test listens rather than polls: Playwright's
 * waitForFunction first puts its own script of some hundreds of kilobytes
 * into the page, and compiling and running it took the page's main thread
 * about 130 ms in the middle of a first visit (a trace shows it as a script
 * without an address), which the figure then counted as the app's: over 15
 * first visits in turns, interactive came a median 118 ms later with it.
 */
function readoutShown(page) {
  return page.waitForEvent('console', { predicate: (m) => m.text() === READOUT_SHOWN, timeout: 30_000 });
}

/**
 * Waits until the chart has answered the pointer held over it, then reads
 * the page's own clock: when the chart was drawn, when the readout first
 * showed a value (interactive), and when the main thread was last busy.
 * Times are from `since` (a mark's name) or the navigation. `shown` is
 * readoutShown(page), asked for before the page was opened.
 */
async function chartResponds(page, since, shown, release) {
  try {
    await shown;
  } finally {
    await release();
  }
  // Let work after the draw show up as long tasks before reading them.
  await page.waitForTimeout(800);
  return page.evaluate((sinceMark) => {
    const t0 = sinceMark ? performance.getEntriesByName(sinceMark).at(-1).startTime : 0;
    const drawn = performance.getEntriesByName('tend:chart-drawn').at(-1).startTime;
    const busyUntil = Math.max(drawn, ...window.__longTasks.filter((x) => x.start >= t0).map((x) => x.end));
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      chartDrawnMs: Math.round(drawn - t0),
      interactiveMs: Math.round(window.__readoutAt - t0),
      // How long the page took to answer the pointer once it moved: its own responsiveness.
      inputToReadoutMs: Math.round(window.__readoutAt - window.__pointerAt),
      mainThreadQuietMs: Math.round(busyUntil - t0),
      domContentLoadedMs: sinceMark ? undefined : Math.round(nav.domContentLoadedEventEnd),
      longTasks: window.__longTasks.filter((x) => x.start >= t0).length,
      readingsInChart: Number(document.querySelector('[data-testid=vital-chart]').dataset.readings),
    };
  }, since);
}

/** Opens the patient's address in the tab, with the pointer held where the chart appears, and times it. */
async function openAndTime(page, at) {
  const shown = readoutShown(page);
  await page.goto(`/patients/${patientId}`, { waitUntil: 'commit' });
  return chartResponds(page, null, shown, holdPointer(page, at));
}

/** Where the chart's middle is on the page at this viewport: learnt from a visit of its own. */
async function chartSpot(cookies) {
  const { context, page } = await nurseContext(cookies);
  await page.goto(`/patients/${patientId}`);
  await page.locator('[data-testid=vital-chart][data-drawn]').waitFor();
  const box = await page.getByTestId('vital-chart').boundingBox();
  await context.close();
  return { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('the patient page with a year of minute-level heart rate becomes interactive fast', async (t) => {
  const nurseApi = await signInApi(tend.url, NURSE);
  const url = new URL(tend.url);
  const cookies = nurseApi.cookie.split('; ').map((c) => {
    const [name, ...rest] = c.split('=');
    return { name, value: rest.join('='), domain: url.hostname, path: '/' };
  });
  // The machine is shared: every figure is the median of three tries.
  const RUNS = 3;
  const at = await chartSpot(cookies);

  // Cold: a new browser profile each time, nothing cached, the patient's address opened directly.
  const colds = [];
  for (let i = 0; i < RUNS; i++) {
    const c = await nurseContext(cookies);
    colds.push(await openAndTime(c.page, at));
    await c.context.close();
  }
  // Warm: the page opened again in a tab that has the app's files cached.
  const cold = await nurseContext(cookies);
  await openAndTime(cold.page, at);
  const warms = [];
  for (let i = 0; i < RUNS; i++) warms.push(await openAndTime(cold.page, at));
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
