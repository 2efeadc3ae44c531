// Monitoring through a real browser against a real binary: a device's
// out-of-range reading raises an alert that appears in the nurse's open
// inbox without a reload, and she acknowledges and resolves it; the nurse
// sets a measurement schedule and changes an alert rule on the patient's
// page; the patient sees what is due today and ticks off a medicine dose.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { postAsDevice, signInApi } from '../lib/api.mjs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, DESKTOP, launch, newPerson, PHONE, screenshot } from '../lib/browser.mjs';
import { phoneShot, signIn } from '../lib/pages.mjs';
import { startTend } from '../lib/tend.mjs';

const ADMIN = { email: 'admin@example.org', name: 'Admin', password: 'admin password for e2e' };
const PATIENT = { email: 'ruth@example.org', name: 'Ruth Okafor', password: 'ruth password 12' };
const NURSE = { email: 'nurse@example.org', name: 'Nina Garcia', password: 'nina password 12' };

let tend;
let browser;
let patientId;
let admin;

before(async () => {
  browser = await launch();
  tend = await startTend();
  tend.addUser({ ...ADMIN, roles: ['admin'] });
  patientId = tend.addUser({ ...PATIENT, roles: ['patient'] }).id;
  const nurseId = tend.addUser({ ...NURSE, roles: ['nurse'] }).id;
  admin = await signInApi(tend.url, ADMIN);
  await admin.patch(`/api/v1/users/${patientId}`, { profile: { timeZone: 'Europe/London', birthDate: '1951-03-09' } });
  await admin.post(`/api/v1/patients/${patientId}/care-team`, { userId: nurseId });
});

after(async () => {
  await browser?.close();
  await tend?.stop();
});

/** A screenshot of one part of the page at phone width, where a full page is too tall to read. */
async function regionShot(page, locator, name) {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400);
  mkdirSync(ARTIFACTS, { recursive: true });
  await locator.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(300);
}

test('an out-of-range device reading reaches the nurse’s open inbox live; she acknowledges and resolves it', async () => {
  const { device, credential } = await admin.post('/api/v1/devices', {
    kind: 'pulse_oximeter',
    maker: 'Nonin',
    model: '3230',
    serial: 'NN-3230-0042',
    patientId,
  });
  const { page, problems } = await newPerson(browser, tend.url);
  await signIn(page, NURSE);
  await page.getByRole('link', { name: 'Alerts' }).click();
  await page.getByRole('heading', { name: 'Alerts' }).waitFor();
  await page.getByText('No alerts', { exact: true }).waitFor();
  await page.getByTestId('live-status').getByText('Live').waitFor();
  await page.evaluate(() => (window.__sameDocument = true));

  const answer = await postAsDevice(tend.url, { id: device.id, credential }, [
    { type: 'spo2', value: 84, unit: '%', takenAt: new Date().toISOString(), externalId: 'nonin-1' },
  ]);
  assert.equal(answer.stored, 1, JSON.stringify(answer));

  const card = page.getByRole('listitem', { name: /alert: .*(SpO2|oxygen)/i }).first();
  await card.waitFor();
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the alert arrived without a reload');
  await card.getByRole('link', { name: PATIENT.name }).waitFor();
  await card.getByText('New', { exact: true }).waitFor();
  await page.getByRole('link', { name: /Alerts/ }).getByText('1').waitFor();
  await screenshot(page, '40-nurse-alert-arrived');
  await phoneShot(page, '40-nurse-alert-arrived-phone');

  // The bell has it too, unread.
  const bell = page.getByRole('button', { name: /^Notifications: \d+ unread$/ });
  await bell.click();
  await page.getByRole('list', { name: 'Latest notifications' }).getByText('Low oxygen saturation').first().waitFor();
  await page.waitForTimeout(300); // the dropdown fades in
  await screenshot(page, '40-nurse-bell');
  await page.keyboard.press('Escape');

  await card.getByRole('button', { name: /^Acknowledge/ }).click();
  await card.getByText(`Acknowledged by ${NURSE.name}`, { exact: false }).waitFor();
  await card.getByRole('button', { name: /^Resolve/ }).click();
  const form = page.getByRole('form', { name: 'Resolve the alert' });
  await form.getByRole('textbox', { name: /What was done/ }).fill('Probe had slipped; repeat reading 96 %.');
  await screenshot(page, '41-nurse-resolve-alert');
  await form.getByRole('button', { name: 'Resolve' }).click();
  await page.getByText('No alerts', { exact: true }).waitFor();

  // The resolved alert keeps its history: who acknowledged and resolved it, when, and why.
  await page.getByRole('group', { name: 'Show alerts that are' }).getByText('Resolved').click();
  const done = page.getByRole('listitem', { name: /alert: / }).first();
  await done.getByText('Probe had slipped', { exact: false }).waitFor();
  await done.getByRole('link').first().click();
  const history = page.getByLabel('History');
  await history.getByText(`Acknowledged · ${NURSE.name}`).waitFor();
  await history.getByText(`Resolved · ${NURSE.name}`).waitFor();
  await screenshot(page, '42-nurse-alert-history');
  await phoneShot(page, '42-nurse-alert-history-phone');

  // Her notification settings: alerts by email, quiet hours.
  await page.getByRole('link', { name: 'Notifications' }).click();
  const settings = page.getByRole('form', { name: 'Notification settings' });
  await settings.getByRole('combobox', { name: 'Alerts' }).click();
  await page.getByRole('option', { name: 'Also by email' }).click();
  await settings.getByRole('switch', { name: 'Keep quiet hours' }).focus();
  await page.keyboard.press('Space');
  await settings.getByLabel('From').waitFor();
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await settings.getByText('Saved.').waitFor();
  await phoneShot(page, '48-notification-settings-phone');
  // The login page's "who am I" answers 401 before signing in; anything else is a fault.
  assert.deepEqual(
    problems.filter((p) => !p.includes('401')),
    [],
  );
});

test('the nurse sets a measurement schedule and changes an alert rule on the patient’s page', async () => {
  const { page, problems } = await newPerson(browser, tend.url);
  await signIn(page, NURSE);
  await page.getByRole('heading', { name: 'My patients' }).waitFor();
  await page.getByRole('link', { name: PATIENT.name }).click();
  await page.getByRole('heading', { name: PATIENT.name }).waitFor();
  await page.getByTestId('news2-badge').waitFor();
  const monitoring = page.getByRole('region', { name: 'Monitoring' });
  await monitoring.waitFor();

  // A blood pressure schedule at 08:00 and 20:00 on weekdays, due within an hour.
  await monitoring.getByRole('tab', { name: 'Schedules' }).click();
  await monitoring.getByText('No schedules').waitFor();
  await monitoring.getByRole('button', { name: 'Add schedule' }).click();
  const form = page.getByRole('form', { name: 'Add a measurement schedule' });
  await form.getByRole('combobox', { name: 'Measurement' }).click();
  await page.getByRole('option', { name: 'Blood pressure', exact: true }).click();
  await form.getByLabel('Time 1', { exact: true }).fill('08:00');
  await form.getByRole('button', { name: 'Add a time' }).click();
  await form.getByLabel('Time 2', { exact: true }).fill('20:00');
  for (const d of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) await form.getByText(d, { exact: true }).click();
  await form.getByLabel('Grace window (min after)').fill('60');
  await screenshot(page, '43-nurse-schedule-form');
  await form.getByRole('button', { name: 'Add schedule' }).click();
  const schedules = monitoring.getByRole('list', { name: 'Schedules' });
  await schedules.getByText('08:00 and 20:00, Mon, Tue, Wed, Thu, Fri').waitFor();
  await schedules.getByText('to 60 min after', { exact: false }).waitFor();

  // The high heart rate rule, for this patient only: above 120, two readings in a row.
  await monitoring.getByRole('tab', { name: 'Alert rules' }).click();
  const rule = monitoring.getByRole('listitem', { name: 'Heart rate above 130' });
  await rule.getByRole('button', { name: /^Change/ }).click();
  const ruleForm = page.getByRole('form', { name: 'Change “Heart rate above 130” for this patient' });
  await ruleForm.getByLabel(/^Alert when/).fill('120');
  await ruleForm.getByLabel(/^Clears past/).fill('110');
  await ruleForm.getByLabel('Readings in a row').fill('2');
  await ruleForm.getByRole('button', { name: 'Save for this patient' }).click();
  await rule.getByText('Changed for this patient').waitFor();
  await rule.getByText('above 120', { exact: false }).waitFor();
  await rule.getByText('2 readings in a row', { exact: false }).waitFor();
  await screenshot(page, '44-nurse-patient-monitoring');
  await phoneShot(page, '44-nurse-patient-monitoring-phone');
  await regionShot(page, monitoring, '45-nurse-alert-rules-phone');

  // Back to the default.
  await rule.getByRole('button', { name: /^Reset/ }).click();
  await rule.getByText('Changed for this patient').waitFor({ state: 'detached' });

  // The server kept both changes as the nurse made them.
  const nurse = await signInApi(tend.url, NURSE);
  const { schedules: saved } = await nurse.get(`/api/v1/patients/${patientId}/schedules`);
  assert.equal(saved.length, 1);
  assert.deepEqual(saved[0].times, ['08:00', '20:00']);
  assert.equal(saved[0].graceMinutes, 60);
  assert.deepEqual(
    problems.filter((p) => !p.includes('401')),
    [],
  );
});

test('the patient sees what is due today, and ticks off a medicine dose', async () => {
  // A schedule and a medicine at the same time about an hour ahead on the
  // patient's clock. Only windows that open after they were made count, and a
  // dose may be recorded from an hour before its time, so the test waits for
  // the next minute: then both windows are open. The patient's zone is one
  // where that hour and its window fall well inside today, whatever time of
  // day the test runs.
  const at = Math.ceil((Date.now() + 60 * 60_000) / 60_000) * 60_000 + 60_000;
  const clock = (timeZone) =>
    new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      new Date(at),
    );
  const zone = ['Europe/London', 'America/New_York', 'Asia/Tokyo', 'America/Los_Angeles', 'Asia/Kolkata'].find(
    (z) => {
      const h = Number(clock(z).slice(0, 2));
      return h >= 3 && h <= 20;
    },
  );
  await admin.patch(`/api/v1/users/${patientId}`, { profile: { timeZone: zone, birthDate: '1951-03-09' } });
  const time = clock(zone);
  const nurse = await signInApi(tend.url, NURSE);
  await nurse.post('/api/v1/schedules', { patientId, type: 'body_weight', times: [time], earlyMinutes: 60, graceMinutes: 60 });
  await nurse.post('/api/v1/medications', { patientId, name: 'Ramipril', dose: '5 mg', times: [time] });
  await new Promise((r) => setTimeout(r, Math.max(0, at - 60 * 60_000 - Date.now() + 1500)));

  const { page, problems } = await newPerson(browser, tend.url);
  await signIn(page, PATIENT);
  await page.getByRole('heading', { name: 'My readings' }).waitFor();
  const due = page.getByRole('list', { name: 'Due today' });
  const weight = due.getByRole('listitem', { name: `Body weight at ${time}` });
  await weight.getByText('Due now').waitFor();
  await weight.getByText('until', { exact: false }).waitFor();
  const meds = page.getByRole('list', { name: 'Medicines today' });
  const dose = meds.getByRole('listitem', { name: `Ramipril 5 mg at ${time}` });
  await dose.getByRole('button', { name: /^Taken/ }).waitFor();
  await screenshot(page, '46-patient-today');
  await phoneShot(page, '46-patient-today-phone');

  await dose.getByRole('button', { name: /^Taken/ }).click();
  await dose.getByText('Taken', { exact: true }).waitFor();
  await dose.getByText('taken at', { exact: false }).waitFor();

  // A weight from elsewhere (a scale, another tab) fulfils the schedule on the open page.
  await page.evaluate(() => (window.__sameDocument = true));
  const patient = await signInApi(tend.url, PATIENT);
  await patient.post(`/api/v1/patients/${patientId}/readings`, {
    readings: [{ type: 'body_weight', value: 71.4, unit: 'kg', takenAt: new Date().toISOString() }],
  });
  await weight.getByText('Done').waitFor();
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'updated without a reload');
  await screenshot(page, '47-patient-today-done');
  assert.deepEqual(
    problems.filter((p) => !p.includes('401')),
    [],
  );
});
