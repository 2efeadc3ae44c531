// The first day of a clinic on Tend, through a real browser against a real
// binary: the administrator adds a patient and a nurse, the patient shares
// with the nurse, the nurse sees the patient, and the patient sees that.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DESKTOP, launch, newPerson, PHONE, screenshot } from '../lib/browser.mjs';
import { startTend } from '../lib/tend.mjs';

const ADMIN = { email: 'admin@example.org', name: 'Admin', password: 'admin password for e2e' };
const PATIENT = { email: 'margaret@example.org', name: 'Margaret Hill', password: 'margaret password 1' };
const NURSE = { email: 'nina@example.org', name: 'Nina Garcia', password: 'nina password 12' };

let tend;
let browser;

before(async () => {
  // Launch the browser first: without Chromium the test must fail, not skip.
  browser = await launch();
  tend = await startTend();
  const created = tend.addUser({ ...ADMIN, roles: ['admin'] });
  assert.equal(created.email, ADMIN.email, `admin user add printed ${JSON.stringify(created)}`);
});

after(async () => {
  await browser?.close();
  await tend?.stop();
});

/** Screenshots the page as a phone shows it, then goes back to the desktop size. */
async function phoneShot(page, name) {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400); // the navigation drawer slides away on narrow screens
  await screenshot(page, name);
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(400);
}

async function signIn(page, who) {
  await page.goto('/');
  await page.waitForURL('**/login');
  await page.getByLabel('Email').fill(who.email);
  await page.getByRole('textbox', { name: 'Password' }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Log out' }).filter({ visible: true }).first().click();
  await page.waitForURL('**/login');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

async function addUser(page, { email, name, password, role, profile }) {
  await page.getByRole('link', { name: 'Add user' }).click();
  await page.getByRole('heading', { name: 'Add user' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Full name').fill(name);
  await page.getByRole('checkbox', { name: role, exact: true }).check();
  await page.getByRole('textbox', { name: 'Initial password' }).fill(password);
  if (profile) {
    await page.getByLabel('Date of birth').fill(profile.birthDate);
    await page.getByRole('combobox', { name: 'Sex' }).click();
    await page.getByRole('option', { name: profile.sexLabel }).click();
    await page.getByLabel('Medical record number (MRN)').fill(profile.mrn);
  }
  return async function submit() {
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('User added').waitFor();
  };
}

test('a clinic’s first day: add people, share, see, and see who saw', async (t) => {
  const admin = await newPerson(browser, tend.url);
  const patient = await newPerson(browser, tend.url);
  const nurse = await newPerson(browser, tend.url);

  await t.test('the administrator signs in and sees the users', async () => {
    const { page } = admin;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await screenshot(page, '01-login');
    await signIn(page, ADMIN);
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('table', { name: 'Users' }).getByText(ADMIN.email).waitFor();
    await screenshot(page, '02-admin-users');
  });

  await t.test('the administrator adds a patient with a clinical profile', async () => {
    const { page } = admin;
    const submit = await addUser(page, {
      ...PATIENT,
      role: 'Patient',
      profile: { birthDate: '1948-03-14', sexLabel: 'Female', mrn: 'MRN-0042' },
    });
    await screenshot(page, '03-admin-add-patient');
    await submit();
    await page.getByRole('heading', { name: PATIENT.name }).waitFor();
    await page.getByRole('heading', { name: 'Care team' }).waitFor();
    await screenshot(page, '04-admin-patient-created');
  });

  await t.test('the administrator adds a nurse', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'All users' }).click();
    const submit = await addUser(page, { ...NURSE, role: 'Nurse' });
    await submit();
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    const table = page.getByRole('table', { name: 'Users' });
    await table.getByText(NURSE.email).waitFor();
    await table.getByText(PATIENT.email).waitFor();
    await screenshot(page, '05-admin-users-three');
    await phoneShot(page, '05-admin-users-three-phone');
    await signOut(page);
  });

  await t.test('the patient signs in and shares vitals and alerts with the nurse', async () => {
    const { page } = patient;
    await signIn(page, PATIENT);
    // A patient starts on their own readings; sharing is one step away.
    await page.getByRole('heading', { name: 'My readings' }).waitFor();
    await page.getByRole('link', { name: 'Sharing' }).click();
    await page.getByRole('heading', { name: 'Sharing' }).waitFor();
    await page.getByText('Nobody but you').waitFor();
    await page.getByLabel('Their email').fill(NURSE.email);
    const vitals = page.getByRole('checkbox', { name: 'Vitals' });
    if (!(await vitals.isChecked())) await vitals.check();
    await page.getByRole('checkbox', { name: 'Alerts' }).check();
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    const list = page.getByRole('list', { name: 'People with access' });
    await list.getByText(NURSE.name).waitFor();
    const item = list.getByRole('listitem').filter({ hasText: NURSE.name });
    await item.getByText('Vitals').waitFor();
    await item.getByText('Alerts').waitFor();
    assert.equal(await item.getByText('Journal').count(), 0, 'only the ticked scopes are shared');
    await screenshot(page, '06-patient-sharing');
    await phoneShot(page, '06-patient-sharing-phone');
  });

  await t.test('the nurse sees the patient in My patients and opens the patient page', async () => {
    const { page } = nurse;
    await signIn(page, NURSE);
    await page.getByRole('heading', { name: 'My patients' }).waitFor();
    const row = page.getByRole('table', { name: 'Patients' }).getByRole('row').filter({ hasText: PATIENT.name });
    await row.getByText('Shared').waitFor();
    await row.getByText('None').waitFor(); // the alerts column: shared, and none open
    await screenshot(page, '07-nurse-my-patients');
    await row.getByRole('link', { name: PATIENT.name }).click();
    await page.getByRole('heading', { name: PATIENT.name }).waitFor();
    await page.getByText('MRN-0042').waitFor();
    await page.getByText(`${PATIENT.name} shared their data with you.`).waitFor();
    await screenshot(page, '08-nurse-patient-page');
    await phoneShot(page, '08-nurse-patient-page-phone');
  });

  await t.test('the patient sees the nurse in “Who accessed my data”', async () => {
    const { page } = patient;
    await page.getByRole('link', { name: 'Who accessed my data' }).click();
    await page.getByRole('heading', { name: 'Who accessed my data' }).waitFor();
    const table = page.getByRole('table', { name: 'Access events' });
    await table.getByRole('row').filter({ hasText: NURSE.name }).first().waitFor();
    await screenshot(page, '09-patient-access-log');
    await phoneShot(page, '09-patient-access-log-phone');
  });

  for (const who of [admin, patient, nurse]) {
    const crashes = who.problems.filter((p) => p.startsWith('page error'));
    assert.deepEqual(crashes, [], 'the app threw in the browser');
    await who.context.close();
  }
});
