// Times a first visit to a patient's page the way a person meets it: a
// pointer held where the chart appears until the chart's readout answers.
// Used by tests/perf.test.mjs (issue 5's figures) and bench/first-visit.mjs
// (paired comparisons of two builds).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { signInApi } from './api.mjs';

export const PATIENT = { email: 'olav@example.org', name: 'Olav Berg', password: 'olav password 123' };
export const NURSE = { email: 'nurse@example.org', name: 'Nina Garcia', password: 'nina password 12' };
export const ADMIN = { email: 'admin@example.org', name: 'Admin', password: 'admin password for e2e' };

const MINUTE = 60_000;
export const YEAR_MINUTES = 365 * 24 * 60; // 525,600
const CHUNK = 10_000;

/** A plausible resting-and-active heart rate for minute i: a daily rhythm, slow drift and noise. */
function heartRate(t) {
  const hour = new Date(t).getUTCHours() + new Date(t).getUTCMinutes() / 60;
  const daily = 8 * Math.sin(((hour - 9) / 24) * 2 * Math.PI);
  const season = 3 * Math.sin((t / (365 * 24 * 60 * MINUTE)) * 2 * Math.PI);
  return Math.round(68 + daily + season + (Math.random() - 0.5) * 10);
}

/**
 * Sends a year of minute-by-minute heart rate, ending a minute ago, through
 * the batch door, 10,000 a request, as the patient (`api`, signed in).
 * A device's readings from before its assignment are refused (it may have
 * been someone else's), so a year of history comes in as the patient
 * importing their own data through the same door, not as a device
 * registered today. Returns how many were stored.
 */
export async function loadYearOfHeartRate(api, patientId) {
  const end = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
  const start = end - (YEAR_MINUTES - 1) * MINUTE;
  const chunks = [];
  for (let i = 0; i < YEAR_MINUTES; i += CHUNK) chunks.push(i);
  let stored = 0;
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
      const ans = await api.post('/api/v1/readings', { patientId, readings });
      assert.equal(ans.refused, 0, `refused: ${JSON.stringify(ans.results.find((r) => r.outcome === 'refused'))}`);
      stored += ans.stored + ans.duplicate;
    }
  }
  await Promise.all([worker(), worker()]);
  return stored;
}

/**
 * The perf test's people in a running tend (`startTend`): an administrator,
 * the patient and a nurse on the patient's care team; then the patient's
 * year of heart rate. Returns the patient's id, how many readings were
 * stored and how long that took.
 */
export async function seedYear(tend) {
  tend.addUser({ ...ADMIN, roles: ['admin'] });
  const patientId = tend.addUser({ ...PATIENT, roles: ['patient'] }).id;
  const nurseId = tend.addUser({ ...NURSE, roles: ['nurse'] }).id;
  const admin = await signInApi(tend.url, ADMIN);
  await admin.post(`/api/v1/patients/${patientId}/care-team`, { userId: nurseId });
  const t0 = Date.now();
  const stored = await loadYearOfHeartRate(await signInApi(tend.url, PATIENT), patientId);
  return { patientId, stored, ms: Date.now() - t0 };
}

/** The cookies of a client from signInApi, for a browser context on baseURL. */
export function cookiesOf(api, baseURL) {
  const { hostname } = new URL(baseURL);
  return api.cookie.split('; ').map((c) => {
    const [name, ...rest] = c.split('=');
    return { name, value: rest.join('='), domain: hostname, path: '/' };
  });
}

/**
 * Records, from the very start of every page, long tasks, when the chart's
 * readout first shows a value, and when the pointer first moved over the chart.
 */
const READOUT_SHOWN = 'tend:readout-shown';
export const LONG_TASKS = () => {
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

/**
 * CPU time (ms) used so far by each process this one started, and theirs:
 * the browser's and tend's. Read from /proc, so Linux only; ticks are taken
 * as 10 ms (CLK_TCK 100, as on Debian).
 */
function descendantsCpu() {
  const parentOf = new Map();
  const cpu = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After "pid (command) ": state, ppid, … utime is the 12th, stime the 13th.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(name), Number(f[1]));
      cpu.set(Number(name), (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the process ended while being read
    }
  }
  const ours = new Map();
  for (const pid of cpu.keys()) {
    for (let p = parentOf.get(pid); p && p !== 1; p = parentOf.get(p)) {
      if (p === process.pid) {
        ours.set(pid, cpu.get(pid));
        break;
      }
    }
  }
  return ours;
}

/**
 * Waits until the browser (and everything else this process started) has
 * used no CPU for 300 ms, or 10 s have passed. Opening a browser context
 * opens a window, and Chromium 156 then builds that window's address-bar
 * popup as a page of its own: some 1.5 s of one core, in a renderer of its
 * own, whatever page is opened. A person opens their browser before typing
 * an address; a test that navigates in the same instant times Chromium's
 * window as well as the page, on a machine with two cores.
 */
export async function browserSettled({ quietMs = 300, maxMs = 10_000 } = {}) {
  if (!existsSync('/proc/self/stat')) {
    // No /proc (not Linux): a fixed wait, longer than the window's start-up took here.
    await new Promise((r) => setTimeout(r, 3000));
    return;
  }
  const until = Date.now() + maxMs;
  let before = descendantsCpu();
  let quiet = 0;
  while (quiet < quietMs && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    const now = descendantsCpu();
    let used = 0;
    for (const [pid, ms] of now) used += Math.max(0, ms - (before.get(pid) ?? 0));
    before = now;
    // One tick is noise: a timer firing somewhere.
    quiet = used <= 10 ? quiet + 100 : 0;
  }
}

/**
 * A new browser context (empty cache) signed in with `cookies`, recording
 * from the page's start. Its window is opened on a blank page and left to
 * settle (browserSettled) before it is handed over, unless `settle` is false.
 */
export async function timedContext(browser, baseURL, cookies, viewport, { settle = true } = {}) {
  const context = await browser.newContext({ baseURL, viewport, locale: 'en-GB', timezoneId: 'Europe/London' });
  await context.addCookies(cookies);
  await context.addInitScript(LONG_TASKS);
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  if (settle) {
    await page.goto('about:blank');
    await browserSettled();
  }
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
export function holdPointer(page, at) {
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
export function readoutShown(page) {
  return page.waitForEvent('console', { predicate: (m) => m.text() === READOUT_SHOWN, timeout: 30_000 });
}

/**
 * Waits until the chart has answered the pointer held over it, then reads
 * the page's own clock: when the chart was drawn, when the readout first
 * showed a value (interactive), and when the main thread was last busy.
 * Times are from `since` (a mark's name) or the navigation. `shown` is
 * readoutShown(page), asked for before the page was opened.
 */
export async function chartResponds(page, since, shown, release) {
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
export async function openAndTime(page, at, patientId) {
  const shown = readoutShown(page);
  await page.goto(`/patients/${patientId}`, { waitUntil: 'commit' });
  return chartResponds(page, null, shown, holdPointer(page, at));
}

/** Where the chart's middle is on the page at this viewport: learnt from a visit of its own. */
export async function chartSpot(browser, baseURL, cookies, patientId, viewport) {
  const { context, page } = await timedContext(browser, baseURL, cookies, viewport);
  await page.goto(`/patients/${patientId}`);
  await page.locator('[data-testid=vital-chart][data-drawn]').waitFor();
  const box = await page.getByTestId('vital-chart').boundingBox();
  await context.close();
  return { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
