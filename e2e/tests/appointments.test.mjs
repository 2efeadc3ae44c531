// Appointments through a real browser against a real binary: a doctor in
// Oslo publishes her weekly hours, a patient in New York books one of her
// open slots (seeing it on his own clock, hers beside it), the doctor finds
// it in her week view and her calendar feed, the patient cancels, and the
// doctor's calendar no longer shows it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signInApi } from '../lib/api.mjs';
import { DESKTOP, launch, newPerson, PHONE, screenshot, signIn } from '../lib/browser.mjs';
import { startTend } from '../lib/tend.mjs';

const ADMIN = { email: 'admin@example.org', name: 'Admin', password: 'admin password for e2e' };
const PATIENT = { email: 'harold@example.org', name: 'Harold Jensen', password: 'harold password 1' };
const DOCTOR = { email: 'dora@example.org', name: 'Dora Lindqvist', password: 'dora password 123' };

const DOCTOR_ZONE = 'Europe/Oslo';
const PATIENT_ZONE = 'America/New_York';

let tend;
let browser;
let patientId;

before(async () => {
  browser = await launch();
  tend = await startTend();
  tend.addUser({ ...ADMIN, roles: ['admin'] });
  patientId = tend.addUser({ ...PATIENT, roles: ['patient'] }).id;
  const doctorId = tend.addUser({ ...DOCTOR, roles: ['doctor'] }).id;
  const admin = await signInApi(tend.url, ADMIN);
  await admin.patch(`/api/v1/users/${patientId}`, { profile: { timeZone: PATIENT_ZONE } });
  await admin.post(`/api/v1/patients/${patientId}/care-team`, { userId: doctorId });
});

after(async () => {
  await browser?.close();
  await tend?.stop();
});

/** Screenshots at desktop width, then at phone width, then back. */
async function shots(page, name) {
  await page.waitForTimeout(300);
  await screenshot(page, name);
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(400);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(300);
}

/** The calendar date an instant falls on in a zone. */
function dateIn(iso, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(iso),
  );
}

function mondayOf(ymd) {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

test('a doctor publishes hours, a patient books and cancels, the doctor’s calendar follows', async (t) => {
  const doctor = await newPerson(browser, tend.url, DESKTOP, { timezoneId: DOCTOR_ZONE });
  const patient = await newPerson(browser, tend.url, DESKTOP, { timezoneId: PATIENT_ZONE });
  let booked;

  await t.test('the doctor publishes weekly hours on her own clock, and a day off', async () => {
    const { page } = doctor;
    await signIn(page, DOCTOR);
    await page.getByRole('link', { name: 'My hours' }).click();
    await page.getByRole('heading', { name: 'My hours' }).waitFor();
    const form = page.getByRole('form', { name: 'Weekly hours' });
    // The device's zone is the starting point.
    assert.equal(await form.getByRole('combobox', { name: 'Your time zone' }).inputValue(), DOCTOR_ZONE);
    await form.getByRole('textbox', { name: 'Slot length (minutes)' }).fill('30');
    // Every day 09:00–12:00 in person, so a slot is open whatever day the test runs.
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) {
      await form.getByRole('button', { name: `Add hours on ${day}` }).click();
    }
    // …and on Tuesdays a video block in the afternoon as well.
    await form.getByRole('button', { name: 'Add hours on Tuesday' }).click();
    const second = form.getByRole('listitem', { name: 'Tuesday' });
    await second.getByLabel('Tuesday block 2 from').fill('13:00');
    await second.getByLabel('Tuesday block 2 to').fill('15:00');
    await second.locator('label', { hasText: 'Video' }).nth(1).click();
    await form.getByRole('button', { name: 'Publish hours' }).click();
    await page.getByText('Your hours are published').waitFor();
    await shots(page, '40-doctor-hours');

    // A day off far ahead shows in the list, and goes again.
    const ahead = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
    const add = page.getByRole('form', { name: 'Add an exception' });
    await add.getByLabel('First day').fill(ahead);
    await add.getByLabel('Note (optional)').fill('Conference');
    await add.getByRole('button', { name: 'Add days off' }).click();
    const list = page.getByRole('list', { name: 'Exceptions' });
    await list.getByText('Conference').waitFor();
    await shots(page, '41-doctor-hours-day-off');
    await list.getByRole('button', { name: /^Remove Day off/ }).click();
    await page.getByText('No days off or extra hours ahead.').waitFor();
  });

  await t.test('the patient books an open slot, on his clock with the doctor’s beside it', async () => {
    const { page } = patient;
    await signIn(page, PATIENT);
    await page.getByRole('link', { name: 'Appointments' }).click();
    await page.getByRole('heading', { name: 'Appointments', exact: true }).waitFor();
    await page.getByText('No appointments coming up').waitFor();
    const times = page.getByRole('group', { name: 'Open times' });
    await times.getByRole('button').first().waitFor();
    await page.getByText(`Dora Lindqvist works in ${DOCTOR_ZONE}`, { exact: false }).waitFor();
    await shots(page, '42-patient-open-times');

    const first = times.getByRole('button').first();
    await first.click();
    await page.getByRole('textbox', { name: 'Reason' }).fill('Blood pressure has been high in the mornings');
    await shots(page, '43-patient-booking');
    await page.getByRole('button', { name: /^Book (video )?appointment$/ }).click();
    await page.getByRole('status').filter({ hasText: 'Booked' }).waitFor();
    const upcoming = page.getByRole('list', { name: 'Upcoming' });
    await upcoming.getByText('With Dora Lindqvist').waitFor();
    await upcoming.getByText('Dora Lindqvist’s time:', { exact: false }).waitFor();
    await shots(page, '44-patient-booked');

    const api = await signInApi(tend.url, PATIENT);
    const now = new Date();
    const later = new Date(now.getTime() + 30 * 86_400_000);
    const { appointments } = await api.get(
      `/api/v1/patients/${patientId}/appointments?from=${now.toISOString()}&to=${later.toISOString()}`,
    );
    assert.equal(appointments.length, 1);
    booked = appointments[0];
    assert.equal(booked.status, 'booked');
    assert.equal(booked.professionalTime.timeZone, DOCTOR_ZONE);
    // What the button said is what was booked: 09:00 or later on the doctor's clock.
    assert.ok(booked.professionalTime.startClock >= '09:00', booked.professionalTime.startClock);
  });

  await t.test('the doctor sees it in her week view, with the patient’s clock and the reason', async () => {
    const { page } = doctor;
    await page.getByRole('link', { name: 'Calendar' }).click();
    await page.getByRole('heading', { name: 'Calendar', exact: true }).waitFor();
    const today = dateIn(new Date().toISOString(), DOCTOR_ZONE);
    if (mondayOf(dateIn(booked.start, DOCTOR_ZONE)) !== mondayOf(today)) {
      await page.getByRole('button', { name: 'Next week' }).click();
    }
    const week = page.getByRole('list', { name: 'Week' });
    const event = week.getByRole('button', { name: new RegExp(`${PATIENT.name}`) });
    await event.waitFor();
    await shots(page, '45-doctor-week');
    await event.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Blood pressure has been high in the mornings').waitFor();
    await dialog.getByText('Harold Jensen’s time:', { exact: false }).waitFor();
    await shots(page, '46-doctor-appointment');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.locator('label', { hasText: /^Day$/ }).click();
    await page.getByRole('button', { name: 'Today' }).waitFor();
  });

  await t.test('the doctor turns on her calendar feed, which carries the appointment', async () => {
    const { page } = doctor;
    await page.getByRole('button', { name: 'Turn on calendar feed' }).click();
    const url = (await page.getByTestId('feed-url').textContent()).trim();
    assert.match(url, /^http:\/\/.+\/calendar\/.+\.ics$/);
    await page.getByRole('button', { name: 'Copy feed address' }).waitFor();
    await shots(page, '47-doctor-feed');
    const ics = await (await fetch(url)).text();
    assert.match(ics, /BEGIN:VCALENDAR/);
    assert.match(ics, /Harold Jensen/);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByTestId('feed-url').waitFor({ state: 'detached' });
  });

  await t.test('the patient cancels with a reason', async () => {
    const { page } = patient;
    await page.getByRole('button', { name: 'Open the appointment with Dora Lindqvist' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await dialog.getByRole('textbox', { name: 'Why cancel?' }).fill('Feeling much better');
    await shots(page, '48-patient-cancel');
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await dialog.getByText('“Feeling much better”').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('list', { name: 'Upcoming' }).getByText('Cancelled').waitFor();
    await shots(page, '49-patient-cancelled');
  });

  await t.test('the doctor’s calendar no longer shows it', async () => {
    const { page, problems } = doctor;
    await page.locator('label', { hasText: /^Week$/ }).click();
    await page.reload();
    const week = page.getByRole('list', { name: 'Week' });
    await week.waitFor();
    assert.equal(await week.getByRole('button', { name: new RegExp(PATIENT.name) }).count(), 0);
    // Shown again, struck through, when she asks for cancelled ones.
    await screenshot(page, '50-doctor-week-after-cancel');
    await page.getByRole('switch', { name: 'Show cancelled' }).check({ force: true });
    await week.getByRole('button', { name: /cancelled/ }).waitFor();
    await shots(page, '51-doctor-week-show-cancelled');
    // Before signing in, the app asks who is there and hears 401: that one is expected.
    const unexpected = (who) => who.filter((p) => !/status of 401/.test(p));
    assert.deepEqual(unexpected(problems), []);
    assert.deepEqual(unexpected(patient.problems), []);
  });

  await t.test('the doctor books for the patient from his page', async () => {
    const { page } = doctor;
    await page.goto(`/patients/${patientId}`);
    await page.getByRole('heading', { name: 'Next appointments' }).waitFor();
    await page.getByText('Nothing booked').waitFor();
    await page.getByRole('button', { name: `Book for ${PATIENT.name}` }).click();
    const dialog = page.getByRole('dialog');
    const times = dialog.getByRole('group', { name: 'Open times' });
    await times.getByRole('button').nth(1).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('Follow-up');
    await dialog.getByRole('button', { name: /^Book (video )?appointment$/ }).click();
    await dialog.getByRole('status').filter({ hasText: 'Booked' }).waitFor();
    await shots(page, '52-doctor-books-for-patient');
    await page.keyboard.press('Escape');
    await page.getByRole('list', { name: 'Next appointments' }).getByText('With Dora Lindqvist').waitFor();
    await shots(page, '53-patient-page-next-appointments');
  });
});
