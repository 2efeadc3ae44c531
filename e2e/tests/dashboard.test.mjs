// The dashboards each role lands on, through a real browser against a real
// binary: a nurse with several patients finds the worst one first and opens
// their chart; a device's reading changes a row while she watches, without
// a reload; a family member with a vitals-only share sees the vitals and
// not the journal, and nobody who did not share with him.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { postAsDevice, signInApi } from '../lib/api.mjs';
import { launch, newPerson, screenshot } from '../lib/browser.mjs';
import { phoneShot, signIn } from '../lib/pages.mjs';
import { startTend } from '../lib/tend.mjs';

const ADMIN = { email: 'admin@example.org', name: 'Admin', password: 'admin password for e2e' };
const NURSE = { email: 'nurse@example.org', name: 'Lucía García', password: 'lucia password 1' };
const FAMILY = { email: 'lars@example.org', name: 'Lars Jensen', password: 'lars password 123' };
const HAROLD = { email: 'harold@example.org', name: 'Harold Jensen', password: 'harold password 1' };
const CARL = { email: 'carl@example.org', name: 'Carl Berg', password: 'carl password 12' };
const OLGA = { email: 'olga@example.org', name: 'Olga Lind', password: 'olga password 12' };
const ROSA = { email: 'rosa@example.org', name: 'Rosa Moretti', password: 'rosa password 12' };

let tend;
let browser;
const ids = {};
let oximeter;

const minutesAgo = (m) => new Date(Date.now() - m * 60_000).toISOString();

before(async () => {
  browser = await launch();
  tend = await startTend();
  tend.addUser({ ...ADMIN, roles: ['admin'] });
  ids.nurse = tend.addUser({ ...NURSE, roles: ['nurse'] }).id;
  tend.addUser({ ...FAMILY, roles: ['family'] });
  for (const [key, p] of Object.entries({ harold: HAROLD, carl: CARL, olga: OLGA, rosa: ROSA })) {
    ids[key] = tend.addUser({ ...p, roles: ['patient'] }).id;
  }
  const admin = await signInApi(tend.url, ADMIN);
  for (const [key, born] of [
    ['harold', '1938-01-30'],
    ['carl', '1946-05-14'],
    ['olga', '1952-11-03'],
    ['rosa', '1949-07-17'],
  ]) {
    await admin.patch(`/api/v1/users/${ids[key]}`, { profile: { timeZone: 'Europe/Oslo', birthDate: born } });
    await admin.post(`/api/v1/patients/${ids[key]}/care-team`, { userId: ids.nurse });
  }
  const nurse = await signInApi(tend.url, NURSE);
  const enter = (key, readings) => nurse.post(`/api/v1/patients/${ids[key]}/readings`, { readings });
  const bp = (sys, dia, at) => ({
    type: 'blood_pressure',
    unit: 'mm[Hg]',
    takenAt: at,
    components: [
      { key: 'systolic', value: sys },
      { key: 'diastolic', value: dia },
    ],
  });
  const one = (type, value, unit, at) => ({ type, value, unit, takenAt: at });
  // Carl is in trouble: a fast pulse and low saturation (a critical alert, NEWS2 high).
  await enter('carl', [
    one('heart_rate', 148, '/min', minutesAgo(20)),
    one('spo2', 86, '%', minutesAgo(20)),
    one('respiratory_rate', 24, '/min', minutesAgo(20)),
    one('body_temperature', 38.4, 'Cel', minutesAgo(20)),
  ]);
  // Harold and Olga are well; Rosa has not measured anything.
  await enter('harold', [bp(131, 84, minutesAgo(35)), one('heart_rate', 68, '/min', minutesAgo(35))]);
  await enter('olga', [
    bp(122, 78, minutesAgo(90)),
    one('heart_rate', 72, '/min', minutesAgo(90)),
    one('blood_glucose', 104, 'mg/dL', minutesAgo(90)),
    one('body_weight', 64.2, 'kg', minutesAgo(600)),
  ]);
  // Harold writes in his journal, and shares only his vitals with his son.
  const harold = await signInApi(tend.url, HAROLD);
  await harold.post(`/api/v1/patients/${ids.harold}/journal`, {
    kind: 'medication',
    name: 'Amlodipine',
    amount: '5 mg',
    occurredAt: minutesAgo(60),
  });
  await harold.post(`/api/v1/patients/${ids.harold}/grants`, { granteeEmail: FAMILY.email, scopes: ['vitals'] });
  // Olga's pulse oximeter.
  const made = await admin.post('/api/v1/devices', {
    kind: 'pulse_oximeter',
    maker: 'Nonin',
    model: '3230',
    serial: 'NN-3230-0077',
    patientId: ids.olga,
  });
  oximeter = { id: made.device.id, credential: made.credential };
});

after(async () => {
  await browser?.close();
  await tend?.stop();
});

const rowsOf = (page) => page.getByRole('table', { name: 'Patients' }).getByRole('row');

async function rowNames(page) {
  const rows = rowsOf(page);
  const n = await rows.count();
  const out = [];
  for (let i = 1; i < n; i++) out.push(await rows.nth(i).getAttribute('aria-label'));
  return out;
}

test('the nurse finds the worst patient first, watches a reading arrive, and opens the chart', async (t) => {
  const { page, problems } = await newPerson(browser, tend.url);

  await t.test('the worst patient is first, with the values that make them so', async () => {
    await signIn(page, NURSE);
    await page.getByRole('heading', { name: 'My patients' }).waitFor();
    await page.getByRole('table', { name: 'Patients' }).waitFor();
    const names = await rowNames(page);
    assert.equal(names[0], CARL.name, `worst first: ${names.join(', ')}`);
    assert.deepEqual([...names].sort(), [CARL.name, HAROLD.name, OLGA.name, ROSA.name].sort());
    const carl = page.getByRole('row', { name: CARL.name });
    await carl.getByLabel(/^148 \/min, out of range \(critical\)/).waitFor();
    await carl.getByLabel(/^NEWS2 \d+, partial: high risk/).waitFor();
    await carl.getByLabel(/open alerts?, critical/).first().waitFor();
    await page.getByRole('row', { name: ROSA.name }).getByText('Never').waitFor();
    await page.getByText('● Live').waitFor();
    await screenshot(page, '50-nurse-dashboard');
    await phoneShot(page, '50-nurse-dashboard-phone');
  });

  await t.test('a device’s reading changes Olga’s row while the nurse watches, without a reload', async () => {
    await page.evaluate(() => (window.__sameDocument = true));
    const olga = page.getByRole('row', { name: OLGA.name });
    await olga.getByText('None').waitFor(); // no alerts yet
    const answer = await postAsDevice(tend.url, oximeter, [
      { type: 'spo2', value: 85, unit: '%', takenAt: new Date().toISOString(), externalId: 'nonin-77-1' },
      { type: 'heart_rate', value: 118, unit: '/min', takenAt: new Date().toISOString(), externalId: 'nonin-77-2' },
    ]);
    assert.equal(answer.stored, 2, JSON.stringify(answer));
    await olga.getByLabel(/^85 %, out of range \(critical\), just now/).waitFor();
    await olga.getByLabel(/open alerts?, critical/).waitFor();
    await olga.getByText('just now').waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the row changed without a reload');
    // Olga now has a critical alert too, so she moves up among the first two.
    const names = await rowNames(page);
    assert.ok(names.indexOf(OLGA.name) <= 1, `Olga moved up: ${names.join(', ')}`);
    await screenshot(page, '51-nurse-dashboard-live');
  });

  await t.test('filters narrow the list, and Enter on the worst row opens the chart', async () => {
    await page.locator('label', { hasText: 'With open alerts' }).click();
    assert.deepEqual((await rowNames(page)).sort(), [CARL.name, OLGA.name].sort());
    await page.getByRole('searchbox', { name: 'Search patients by name' }).fill('carl');
    assert.deepEqual(await rowNames(page), [CARL.name]);
    await page.getByRole('row', { name: CARL.name }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: CARL.name }).waitFor();
    await page.locator('[data-testid=vital-chart][data-drawn]').waitFor();
    assert.match(new URL(page.url()).pathname, new RegExp(`/patients/${ids.carl}$`));
  });

  // The one expected refusal: asking who is signed in before signing in.
  assert.deepEqual(
    problems.filter((p) => !p.includes('401')),
    [],
    'no errors in the browser',
  );
});

test('a family member sees what his father shares, says what is not, and nobody else', async () => {
  const { page, problems } = await newPerson(browser, tend.url);
  await signIn(page, FAMILY);
  await page.getByRole('heading', { name: 'Family' }).waitFor();
  const harold = page.getByRole('region', { name: HAROLD.name });
  await harold.getByText(/^Harold measured (blood pressure|heart rate) at \d\d:\d\d today/).waitFor();
  await harold.getByText('131/84').waitFor();
  await harold.getByText(/Not shared with you: journal, medications, messages, alerts and appointments/).waitFor();
  assert.equal(await page.getByText('Amlodipine').count(), 0, 'no journal entry anywhere');
  assert.equal(await page.getByText(/journal entry/).count(), 0, 'no journal line');
  for (const other of [CARL, OLGA, ROSA]) {
    assert.equal(await page.getByText(other.name).count(), 0, `${other.name} did not share and is absent`);
  }
  await screenshot(page, '52-family-view');
  await phoneShot(page, '52-family-view-phone');
  await harold.getByRole('link', { name: 'Open Harold’s page' }).click();
  await page.getByRole('heading', { name: HAROLD.name }).waitFor();
  // The one expected refusal: asking who is signed in before signing in.
  assert.deepEqual(
    problems.filter((p) => !p.includes('401')),
    [],
    'no errors in the browser',
  );
});
