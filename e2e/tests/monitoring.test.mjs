// Monitoring through a real browser against a real binary: a device's
// out-of-range reading raises an alert that appears in the nurse's open
// inbox without a reload, and she acknowledges and resolves it; the nurse
// sets a measurement schedule and changes an alert rule on the patient's
// page; the patient sees what is due today and ticks off a medicine dose.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { postAsDevice, signInApi } from '../lib/api.mjs';
import { launch, newPerson, screenshot } from '../lib/browser.mjs';
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
  // The login page's "who am I" answers 401 before signing in; anything else is a fault.
  assert.deepEqual(
    problems.filter((p) => !p.includes('401')),
    [],
  );
});
