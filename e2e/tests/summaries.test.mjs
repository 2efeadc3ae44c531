// Clinical summaries and exports in a real browser against a real binary:
// a week of home blood pressure, a week of glucose every 15 minutes and two
// weeks of weights go in through the API; the nurse opens the patient and
// reads the summaries and the glucose profile, downloads the CSV (read back
// row by row) and the PDF report (read back with poppler and drawn to PNG);
// the patient sees the same on My readings.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signInApi } from '../lib/api.mjs';
import { ARTIFACTS, DESKTOP, launch, newPerson, PHONE, screenshot } from '../lib/browser.mjs';
import { phoneShot, signIn } from '../lib/pages.mjs';
import { startTend } from '../lib/tend.mjs';

const ADMIN = { email: 'admin@example.org', name: 'Admin', password: 'admin password for e2e' };
const PATIENT = { email: 'ingrid@example.org', name: 'Ingrid Solberg', password: 'ingrid password 1' };
const NURSE = { email: 'nurse@example.org', name: 'Nina Garcia', password: 'nina password 12' };
const ZONE = 'America/New_York';

let tend;
let browser;
let patientId;
const seeded = { bp: 0, glucose: 0, weight: 0 };

/** A repeatable pseudo-random number in [0, 1). */
function random(seed) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** The instant of a wall-clock time in New York, days before today there. */
function newYork(daysAgo, hour, minute) {
  const now = new Date();
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: ZONE, year: 'numeric', month: 'numeric', day: 'numeric' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day) - daysAgo, hour, minute);
  // New York is 4 or 5 hours behind UTC; find the offset that gives this wall time.
  for (const off of [4, 5]) {
    const t = wall + off * 3_600_000;
    const h = Number(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', hourCycle: 'h23' }).format(t));
    if (h === hour) return new Date(t);
  }
  return new Date(wall + 5 * 3_600_000);
}

before(async () => {
  browser = await launch();
  tend = await startTend();
  tend.addUser({ ...ADMIN, roles: ['admin'] });
  patientId = tend.addUser({ ...PATIENT, roles: ['patient'] }).id;
  const nurseId = tend.addUser({ ...NURSE, roles: ['nurse'] }).id;
  const admin = await signInApi(tend.url, ADMIN);
  await admin.patch(`/api/v1/users/${patientId}`, { profile: { timeZone: ZONE, birthDate: '1951-09-14', mrn: 'MRN-40417' } });
  await admin.post(`/api/v1/patients/${patientId}/care-team`, { userId: nurseId });

  // A week at home: two readings each morning and evening, the mornings higher.
  const rnd = random(7);
  const readings = [];
  for (let ago = 1; ago <= 7; ago++) {
    for (const [hour, base] of [
      [7, 141],
      [21, 128],
    ]) {
      for (const minute of [0, 3]) {
        const sys = Math.round(base + (rnd() - 0.5) * 12);
        const dia = Math.round(sys * 0.62 + (rnd() - 0.5) * 6);
        readings.push({
          type: 'blood_pressure',
          unit: 'mm[Hg]',
          takenAt: newYork(ago, hour, minute).toISOString(),
          components: [
            { key: 'systolic', value: sys },
            { key: 'diastolic', value: dia },
          ],
        });
        seeded.bp++;
      }
    }
  }
  // Glucose every 15 minutes for a week: low at night, peaks after meals, some spread.
  const end = Date.now() - 30 * 60_000;
  for (let t = end - 7 * 86_400_000; t < end; t += 15 * 60_000) {
    const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', hourCycle: 'h23' }).format(t));
    const meal = [8, 13, 19].reduce((m, h) => m + 70 * Math.exp(-(((hour - h - 1) / 1.3) ** 2)), 0);
    const value = Math.round(95 + meal + (rnd() - 0.5) * 50 + (hour < 5 ? -20 : 0));
    readings.push({ type: 'blood_glucose', unit: 'mg/dL', value, takenAt: new Date(t).toISOString() });
    seeded.glucose++;
  }
  // Two weeks of morning weights, slowly going down.
  for (let ago = 13; ago >= 1; ago--) {
    const value = Math.round((82.4 - 0.08 * (13 - ago) + (rnd() - 0.5) * 0.6) * 10) / 10;
    readings.push({ type: 'body_weight', unit: 'kg', value, takenAt: newYork(ago, 6, 45).toISOString() });
    seeded.weight++;
  }
  // The nurse asks for blood pressure at 07:00 and 21:00 New York time.
  const nurse = await signInApi(tend.url, NURSE);
  await nurse.post('/api/v1/schedules', {
    patientId,
    type: 'blood_pressure',
    times: ['07:00', '21:00'],
    earlyMinutes: 30,
    graceMinutes: 90,
  });
  const patient = await signInApi(tend.url, PATIENT);
  const answer = await patient.post(`/api/v1/patients/${patientId}/readings`, { readings });
  assert.equal(answer.stored, readings.length, `every reading is stored: ${JSON.stringify(answer).slice(0, 300)}`);
});

after(async () => {
  await browser?.close();
  await tend?.stop();
});

/** Waits for a download the click starts and keeps it among the artifacts. */
async function download(page, click, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = join(ARTIFACTS, name);
  await dl.saveAs(path);
  return { path, suggested: dl.suggestedFilename() };
}

/** Splits RFC 4180 CSV into rows of fields (quotes, doubled quotes, CRLF). */
function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || row.length) throw new Error('the last row does not end in CRLF');
  return rows;
}

test('the nurse reads the summaries and takes the CSV and the PDF report; the patient sees them too', async (t) => {
  const nurse = await newPerson(browser, tend.url);

  await t.test('the nurse sees the home blood pressure, glucose profile and weight trend', async () => {
    const { page } = nurse;
    await signIn(page, NURSE);
    await page.getByRole('link', { name: PATIENT.name }).first().click();
    await page.getByRole('heading', { name: PATIENT.name }).waitFor();
    const section = page.getByRole('region', { name: 'Summaries' });
    await section.waitFor();
    const bp = section.getByRole('region', { name: 'Blood pressure at home' });
    await bp.getByText(/\d+ readings on 6 days|\d+ readings on 7 days/).waitFor();
    const morning = bp.getByRole('row', { name: /Morning/ });
    assert.match(await morning.textContent(), /At or above/, 'morning means near 141 systolic reach 135/85');
    const glucose = section.getByRole('region', { name: 'Glucose' });
    await glucose.getByText(`· ${seeded.glucose} readings ·`, { exact: false }).waitFor();
    await glucose.getByText('take them as a sketch', { exact: false }).waitFor();
    await glucose.locator('[data-testid="agp-chart"][data-drawn="true"]').waitFor();
    const weight = section.getByRole('region', { name: 'Weight' });
    await weight.getByText(`· ${seeded.weight} weighings`, { exact: false }).waitFor();
    await screenshot(page, '40-nurse-summaries');
    await section.screenshot({ path: join(ARTIFACTS, '40-nurse-summaries-section.png') });
    await phoneShot(page, '40-nurse-summaries-phone');
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(400);
    await section.screenshot({ path: join(ARTIFACTS, '40-nurse-summaries-section-phone.png') });
    await page.setViewportSize(DESKTOP);
    // The one 401 is the app asking who is signed in before anyone is.
    assert.deepEqual(nurse.problems.filter((p) => !p.includes('401')), [], 'no errors in the page');
  });

  await t.test('the charts draw the alert thresholds and when measurements are due', async () => {
    const { page } = nurse;
    const vitals = page.getByRole('region', { name: 'Vitals' });
    await vitals.getByText('shaded: when a scheduled measurement is due', { exact: false }).waitFor();
    await vitals.getByText('dashed: alert thresholds', { exact: false }).waitFor();
    await vitals.screenshot({ path: join(ARTIFACTS, '44-nurse-blood-pressure-windows.png') });
    await vitals.getByRole('button', { name: /^Blood glucose/ }).click();
    const chart = vitals.getByRole('img', { name: /^Blood glucose from .*alert: < 70.*alert: > 180/ });
    await chart.waitFor();
    await vitals.screenshot({ path: join(ARTIFACTS, '44-nurse-glucose-thresholds.png') });
  });

  await t.test('the CSV holds one row per reading, with UTC and New York times', async () => {
    const { page } = nurse;
    const section = page.getByRole('region', { name: 'Summaries' });
    const { path, suggested } = await download(
      page,
      () => section.getByRole('link', { name: 'Download CSV' }).click(),
      '41-readings.csv',
    );
    assert.match(suggested, /^readings-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parseCSV(readFileSync(path, 'utf8'));
    const header = rows[0];
    assert.equal(rows.length - 1, seeded.bp + seeded.glucose + seeded.weight, 'one row per reading in the last 30 days');
    const col = (r, name) => r[header.indexOf(name)];
    const bp = rows.find((r) => col(r, 'type') === 'blood_pressure');
    assert.equal(col(bp, 'time_zone'), ZONE);
    assert.match(col(bp, 'taken_at_utc'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    assert.match(col(bp, 'taken_at_local'), /^\d{4}-\d{2}-\d{2}T0[67]:0[03]:00-0[45]:00$/, 'a morning reading in New York');
    assert.equal(col(bp, 'loinc'), '85354-9');
    assert.ok(Number(col(bp, 'systolic')) > 100 && Number(col(bp, 'diastolic')) > 50);
    assert.equal(col(bp, 'entered_by'), PATIENT.name);
    assert.equal(col(bp, 'status'), 'final');
    assert.ok(rows.every((r) => r.length === header.length), 'every row has every column');
  });

  await t.test('the PDF report opens, names the patient and period, and draws its charts', async () => {
    const { page } = nurse;
    const section = page.getByRole('region', { name: 'Summaries' });
    const { path, suggested } = await download(
      page,
      () => section.getByRole('link', { name: 'PDF report (14 days)' }).click(),
      '42-report.pdf',
    );
    assert.match(suggested, /^tend-report-\d{4}-\d{2}-\d{2}\.pdf$/);
    assert.equal(readFileSync(path).subarray(0, 5).toString(), '%PDF-');
    const text = execFileSync('pdftotext', ['-layout', path, '-']).toString().replace(/\s+/g, ' ');
    for (const want of [
      'Home readings report',
      PATIENT.name,
      'MRN MRN-40417',
      `times in ${ZONE}`,
      'Blood pressure at home',
      'Ambulatory glucose profile',
      `${seeded.glucose} readings`,
      `${seeded.weight} weighings`,
      `for ${NURSE.name}`,
    ]) {
      assert.ok(text.includes(want), `the report says "${want}"`);
    }
    const pages = /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path]).toString());
    assert.equal(pages?.[1], '2', 'two pages');
    // Drawn as a person sees it, for the artifacts.
    execFileSync('pdftoppm', ['-r', '70', '-png', path, join(ARTIFACTS, '42-report-page')]);
  });

  await t.test('the patient sees the summaries on My readings', async () => {
    const me = await newPerson(browser, tend.url);
    const { page } = me;
    await signIn(page, PATIENT);
    await page.getByRole('link', { name: 'My readings' }).first().click();
    const section = page.getByRole('region', { name: 'Summaries' });
    await section.getByRole('region', { name: 'Glucose' }).locator('[data-testid="agp-chart"][data-drawn="true"]').waitFor();
    await section.getByText('7 days', { exact: true }).click();
    await section.getByTestId('summary-period').filter({ hasText: '(7 days)' }).waitFor();
    await screenshot(page, '43-patient-summaries');
    await phoneShot(page, '43-patient-summaries-phone');
    assert.deepEqual(me.problems.filter((p) => !p.includes('401')), [], 'no errors in the page');
  });
});
