// Readings from a real device to the people who may see them, through a
// real browser against a real binary: the administrator registers a cuff
// and gives it to a patient, the cuff sends a reading while the nurse has
// the patient open (it appears without a reload), the patient enters one
// by hand and sees it charted, and a family member sees vitals only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInApi, postAsDevice } from '../lib/api.mjs';
import { DESKTOP, launch, newPerson, PHONE, screenshot } from '../lib/browser.mjs';
import { startTend } from '../lib/tend.mjs';

const ADMIN = { email: 'admin@example.org', name: 'Admin', password: 'admin password for e2e' };
const PATIENT = { email: 'harold@example.org', name: 'Harold Jensen', password: 'harold password 1' };
const NURSE = { email: 'nurse@example.org', name: 'Nina Garcia', password: 'nina password 12' };
const FAMILY = { email: 'lars@example.org', name: 'Lars Jensen', password: 'lars password 123' };

let tend;
let browser;
let patientId;

before(async () => {
  browser = await launch();
  tend = await startTend();
  tend.addUser({ ...ADMIN, roles: ['admin'] });
  patientId = tend.addUser({ ...PATIENT, roles: ['patient'] }).id;
  const nurseId = tend.addUser({ ...NURSE, roles: ['nurse'] }).id;
  tend.addUser({ ...FAMILY, roles: ['family'] });
  assert.ok(patientId && nurseId, 'tend admin user add printed ids');

  // Set-up a clinic does once, through the API: the patient lives in another
  // time zone than the browsers below, the nurse is on the care team, and
  // the son may see his father's vitals, not his journal.
  const admin = await signInApi(tend.url, ADMIN);
  await admin.patch(`/api/v1/users/${patientId}`, {
    profile: { timeZone: 'America/New_York', birthDate: '1944-06-02', sex: 'male' },
  });
  await admin.post(`/api/v1/patients/${patientId}/care-team`, { userId: nurseId });
  const patient = await signInApi(tend.url, PATIENT);
  await patient.post(`/api/v1/patients/${patientId}/grants`, { granteeEmail: FAMILY.email, scopes: ['vitals'] });
});

after(async () => {
  await browser?.close();
  await tend?.stop();
});

async function signIn(page, who) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function phoneShot(page, name) {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400);
  await screenshot(page, name);
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(300);
}

/** The number of points the chart draws (VitalChart sets it after each draw). */
async function chartPoints(page) {
  const v = await page.getByTestId('vital-chart').getAttribute('data-points');
  return Number(v ?? 0);
}

test('a device’s readings reach the nurse live; the patient enters one; family sees vitals only', async (t) => {
  const admin = await newPerson(browser, tend.url);
  const nurse = await newPerson(browser, tend.url);
  const patient = await newPerson(browser, tend.url);
  const family = await newPerson(browser, tend.url);
  const cuff = {};

  await t.test('the administrator registers a cuff, assigns it to the patient, and sees its credential once', async () => {
    const { page } = admin;
    await signIn(page, ADMIN);
    await page.getByRole('link', { name: 'Devices' }).click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor();
    await page.getByText('No devices yet').waitFor();
    await page.getByRole('link', { name: 'Register device' }).first().click();
    const form = page.getByRole('form', { name: 'Register device' });
    await form.getByRole('combobox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: 'Blood pressure monitor' }).click();
    await form.getByRole('textbox', { name: 'Maker' }).fill('Omron');
    await form.getByRole('textbox', { name: 'Model' }).fill('M7 Intelli IT');
    await form.getByRole('textbox', { name: 'Serial number' }).fill('OM-2041-7781');
    await form.getByRole('textbox', { name: 'Label' }).fill('Harold’s cuff');
    await form.getByRole('combobox', { name: 'Assign to patient' }).click();
    await page.getByRole('option', { name: /Harold Jensen/ }).click();
    await screenshot(page, '10-admin-register-device');
    await form.getByRole('button', { name: 'Register device' }).click();

    await page.getByRole('heading', { name: 'Device registered' }).waitFor();
    await page.getByText('Tend shows it only this once', { exact: false }).waitFor();
    cuff.id = (await page.getByTestId('device-id').textContent()).trim();
    cuff.credential = (await page.getByTestId('device-credential').textContent()).trim();
    assert.match(cuff.credential, /\S{16,}/, 'a credential is shown');
    await screenshot(page, '11-admin-device-credential');
    await phoneShot(page, '11-admin-device-credential-phone');

    // Shown once: the device's own page never shows it again.
    await page.getByRole('link', { name: 'Open device' }).click();
    await page.getByRole('heading', { name: 'Harold’s cuff' }).waitFor();
    await page.getByRole('link', { name: 'Harold Jensen' }).first().waitFor();
    assert.equal(await page.getByTestId('device-credential').count(), 0, 'the credential is not shown again');
    assert.equal(await page.getByText(cuff.credential).count(), 0, 'the secret is nowhere on the page');
  });

  await t.test('the nurse opens the patient, who has no readings yet', async () => {
    const { page } = nurse;
    await signIn(page, NURSE);
    await page.getByRole('heading', { name: 'My patients' }).waitFor();
    await page.getByRole('link', { name: PATIENT.name }).click();
    await page.getByRole('heading', { name: PATIENT.name }).waitFor();
    await page.getByText('No readings yet').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByText('Harold’s time zone is America/New_York', { exact: false }).waitFor();
  });

  await t.test('the cuff posts a reading and it appears on the nurse’s open page, in the table and the chart', async () => {
    const { page } = nurse;
    await page.evaluate(() => (window.__sameDocument = true));
    const now = Date.now();
    const answer = await postAsDevice(tend.url, cuff, [
      {
        type: 'blood_pressure',
        components: [
          { key: 'systolic', value: 152 },
          { key: 'diastolic', value: 94 },
        ],
        unit: 'mmHg',
        takenAt: new Date(now - 60_000).toISOString(),
        externalId: 'omron-1',
        flags: ['cuff-too-loose'],
        batteryPercent: 64,
      },
      { type: 'heart_rate', value: 900, unit: '/min', takenAt: new Date(now).toISOString(), externalId: 'omron-2' },
    ]);
    assert.equal(answer.stored, 1, JSON.stringify(answer));
    assert.equal(answer.refused, 1, 'the impossible heart rate is refused');

    const table = page.getByRole('table', { name: 'Readings' });
    const row = table.getByRole('row').filter({ hasText: '152/94 mmHg' });
    await row.waitFor({ timeout: 10_000 });
    await row.getByText('Harold’s cuff').waitFor();
    await row.getByText('Cuff too loose').waitFor();
    await page.getByRole('button', { name: /^Blood pressure: 152\/94 mmHg/ }).waitFor();
    await page.getByTestId('chart-summary').filter({ hasText: '1 reading' }).waitFor();
    await page.locator('[data-testid=vital-chart][data-drawn]').waitFor();
    assert.ok((await chartPoints(page)) >= 1, 'the chart draws the reading');
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload happened');
    await screenshot(page, '12-nurse-live-reading');
    await phoneShot(page, '12-nurse-live-reading-phone');
  });

  await t.test('the patient enters a blood pressure by hand and sees it charted', async () => {
    const { page } = patient;
    await signIn(page, PATIENT);
    await page.getByRole('heading', { name: 'My readings' }).waitFor();
    await page.getByRole('button', { name: /^Blood pressure: 152\/94/ }).waitFor();
    const form = page.getByRole('form', { name: 'Add a reading' });
    assert.equal(await form.getByRole('combobox', { name: 'Measurement' }).inputValue(), 'Blood pressure');
    await form.getByRole('textbox', { name: 'Systolic' }).fill('300');
    await form.getByRole('textbox', { name: 'Diastolic' }).fill('250');
    await form.getByRole('button', { name: 'Save reading' }).click();
    // The server's refusal, beside the field it is about.
    await form.getByText(/outside the plausible range/).first().waitFor();
    await form.getByRole('textbox', { name: 'Diastolic' }).fill('82');
    await form.getByRole('textbox', { name: 'Systolic' }).fill('128');
    await form.getByRole('button', { name: 'Save reading' }).click();
    await form.getByText('Saved: blood pressure 128/82 mmHg.').waitFor();

    await page.getByRole('button', { name: /^Blood pressure: 128\/82 mmHg/ }).waitFor();
    await page.getByTestId('chart-summary').filter({ hasText: '2 readings' }).waitFor();
    const row = page.getByRole('table', { name: 'Readings' }).getByRole('row').filter({ hasText: '128/82 mmHg' });
    await row.getByText('Entered by hand').waitFor();
    await row.getByText('You').waitFor();
    await page.locator('[data-testid=vital-chart][data-readings="2"][data-drawn]').waitFor();

    const journal = page.getByRole('form', { name: 'Add to the journal' });
    await journal.locator('label').filter({ hasText: /^Medication$/ }).click();
    await journal.getByRole('textbox', { name: 'Medicine' }).fill('Amlodipine');
    await journal.getByRole('textbox', { name: 'Dose' }).fill('5 mg');
    await journal.getByRole('button', { name: 'Add to journal' }).click();
    await page.getByRole('list', { name: 'Journal entries' }).getByText('Amlodipine, 5 mg').waitFor();
    await screenshot(page, '13-patient-my-readings');
    await phoneShot(page, '13-patient-my-readings-phone');
  });

  await t.test('the nurse sees the patient’s own entry arrive too', async () => {
    const { page } = nurse;
    await page.getByRole('table', { name: 'Readings' }).getByText('128/82 mmHg').waitFor({ timeout: 10_000 });
    await page.getByRole('list', { name: 'Journal entries' }).getByText('Amlodipine, 5 mg').waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'still no reload');
  });

  await t.test('the family member sees the vitals but not the journal', async () => {
    const { page } = family;
    await signIn(page, FAMILY);
    await page.getByRole('heading', { name: 'Family' }).waitFor();
    await page.getByRole('link', { name: 'Open Harold’s page' }).click();
    await page.getByRole('heading', { name: PATIENT.name }).waitFor();
    await page.getByRole('table', { name: 'Readings' }).getByText('128/82 mmHg').waitFor();
    await page.locator('[data-testid=vital-chart][data-drawn]').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Journal' }).count(), 0, 'no journal section');
    assert.equal(await page.getByText('Amlodipine').count(), 0, 'no journal entry anywhere');
    await screenshot(page, '14-family-vitals-only');
    await phoneShot(page, '14-family-vitals-only-phone');
  });

  await t.test('the administrator sees when the cuff was last heard from, its battery and what it had refused', async () => {
    const { page } = admin;
    await page.reload();
    await page.getByRole('heading', { name: 'Harold’s cuff' }).waitFor();
    await page.getByText('64%').waitFor();
    const refusals = page.getByRole('table', { name: 'Refused readings' });
    await refusals.getByText('Value impossible for a living body').waitFor();
    await screenshot(page, '15-admin-device');
    await page.getByRole('link', { name: 'Devices', exact: true }).first().click();
    await page.getByRole('table', { name: 'Devices' }).getByText('Harold’s cuff').waitFor();
    await screenshot(page, '16-admin-devices');
    await phoneShot(page, '16-admin-devices-phone');
  });

  for (const who of [admin, nurse, patient, family]) {
    const crashes = who.problems.filter((p) => p.startsWith('page error'));
    assert.deepEqual(crashes, [], 'the app threw in the browser');
    await who.context.close();
  }
});
