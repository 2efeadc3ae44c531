import { screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { mockApi, NURSE, ok, PATIENT } from '../../test/mockApi';
import {
  alert,
  alertRoutes,
  monitoringRoutes,
  monitoringStore,
  rule,
  type MonitoringStore,
} from '../../test/monitoring';
import { patientDetail, recordRoutes } from '../../test/records';
import { renderApp } from '../../test/render';

function setup(m: MonitoringStore = monitoringStore(), alerts = { alerts: [alert({ title: 'Heart rate high' })] }) {
  const api = mockApi({
    'GET /api/v1/me': ok(NURSE),
    ...recordRoutes({
      patient: patientDetail({ access: 'care', scopes: ['vitals', 'journal', 'alerts', 'medications'] }),
      readings: [],
    }),
    ...alertRoutes(alerts),
    ...monitoringRoutes(m),
  });
  const view = renderApp('/patients/p1');
  return { api, m, ...view };
}

async function openTab(user: ReturnType<typeof setup>['user'], name: string) {
  const region = await screen.findByRole('region', { name: 'Monitoring' });
  await user.click(within(region).getByRole('tab', { name }));
  return region;
}

// The page's code loads lazily; load it once before the clock of the first test starts.
beforeAll(async () => {
  await import('../../pages/Patient/Patient');
}, 60_000);

describe('Monitoring on the patient page', () => {
  it('shows the NEWS2 beside the name, partial, and opens its parts and settings', async () => {
    const { user, api, m } = setup();
    const badge = await screen.findByRole('button', { name: 'NEWS2 6 · partial: open the score' });
    await user.click(badge);
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Medium risk');
    expect(dialog).toHaveTextContent('Partial: no recent respiration rate, consciousness.');
    const rows = within(within(dialog).getByRole('table', { name: 'NEWS2 parameters' })).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Pulse118');
    await user.click(await within(dialog).findByRole('radio', { name: 'Scale 2 (target 88–92 %)' }));
    await waitFor(() => expect(m.settings.scale).toBe(2));
    await user.click(within(dialog).getByRole('radio', { name: 'Oxygen' }));
    await waitFor(() => expect(m.settings.onOxygen).toBe(true));

    const form = within(dialog).getByRole('form', { name: 'Record an observation' });
    await user.click(within(form).getByRole('combobox', { name: 'Consciousness (ACVPU)' }));
    const list = await screen.findByRole('listbox', { name: 'Consciousness (ACVPU)', hidden: true });
    await user.click(within(list).getByRole('option', { name: 'New confusion', hidden: true }));
    await user.click(within(form).getByRole('button', { name: 'Record now' }));
    expect(await within(form).findByText('Recorded.')).toBeInTheDocument();
    expect(api.find('POST', '/api/v1/news2/observations')[0]!.body).toEqual({
      patientId: 'p1',
      consciousness: 'confusion',
    });
  });

  it('lists the patient’s open alerts and acknowledges one', async () => {
    const { user } = setup();
    const region = await screen.findByRole('region', { name: 'Monitoring' });
    const card = await within(region).findByRole('listitem', { name: 'Warning alert: Heart rate high' });
    await user.click(within(card).getByRole('button', { name: 'Acknowledge: Heart rate high' }));
    expect(await within(card).findByText(/Acknowledged by Nina Nurse/)).toBeInTheDocument();
  });

  it('adds, changes and stops a measurement schedule', async () => {
    const { user, api, m } = setup();
    const region = await openTab(user, 'Schedules');
    expect(await within(region).findByText('No schedules')).toBeInTheDocument();
    await user.click(within(region).getByRole('button', { name: 'Add schedule' }));
    const form = await screen.findByRole('form', { name: 'Add a measurement schedule' });
    await user.click(within(form).getByRole('button', { name: 'Add schedule' }));
    expect(within(form).getByText('Choose what to measure.')).toBeInTheDocument();

    // The reading form has a Measurement list too: take the one this field opens.
    const measurement = within(form).getByRole('combobox', { name: 'Measurement' });
    await user.click(measurement);
    await waitFor(() =>
      expect(document.getElementById(measurement.getAttribute('aria-controls') ?? '')).not.toBeNull(),
    );
    const types = document.getElementById(measurement.getAttribute('aria-controls')!)!;
    await user.click(within(types).getByRole('option', { name: 'Blood pressure', hidden: true }));
    await user.click(within(form).getByRole('button', { name: 'Add a time' }));
    await user.click(within(form).getByRole('checkbox', { name: 'Mon' }));
    await user.click(within(form).getByRole('checkbox', { name: 'Thu' }));
    const grace = within(form).getByRole('textbox', { name: 'Grace window (min after)' });
    await user.clear(grace);
    await user.type(grace, '60');
    await user.click(within(form).getByRole('button', { name: 'Add schedule' }));
    const list = await within(region).findByRole('list', { name: 'Schedules' });
    expect(list).toHaveTextContent('Blood pressure');
    expect(list).toHaveTextContent('08:00 and 20:00, Mon, Thu');
    expect(api.find('POST', '/api/v1/schedules')[0]!.body).toMatchObject({
      patientId: 'p1',
      type: 'blood_pressure',
      times: ['08:00', '20:00'],
      weekdays: ['mon', 'thu'],
      graceMinutes: 60,
    });

    // Every 6 hours instead.
    await user.click(within(list).getByRole('button', { name: 'Edit Blood pressure' }));
    const edit = await screen.findByRole('form', { name: 'Change the blood pressure schedule' });
    await user.click(within(edit).getByRole('radio', { name: 'Every few hours' }));
    await user.click(within(edit).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(api.find('PUT', `/api/v1/schedules/${m.schedules[0]!.id}`)).toHaveLength(1));
    expect(api.find('PUT', `/api/v1/schedules/${m.schedules[0]!.id}`)[0]!.body).toMatchObject({
      everyHours: 6,
      start: '06:00',
    });

    await user.click(await within(region).findByRole('button', { name: 'Stop Blood pressure' }));
    await user.click(await screen.findByRole('button', { name: 'Stop schedule' }));
    expect(await within(region).findByText('No schedules')).toBeInTheDocument();
  });

  it('changes a rule for the patient, turns one off, and resets it to the default', async () => {
    const m = monitoringStore({
      rules: [
        rule(),
        rule({
          key: 'spo2_low',
          name: 'Low oxygen saturation',
          measure: 'spo2',
          conditions: [{ op: '<=', value: 91, clear: 94 }],
        }),
      ],
    });
    const { user, api } = setup(m);
    const region = await openTab(user, 'Alert rules');
    const hr = await within(region).findByRole('listitem', { name: 'Heart rate above 130' });
    expect(hr).toHaveTextContent('above 130 /min (clears past 120)');
    await user.click(within(hr).getByRole('button', { name: 'Change Heart rate above 130' }));
    const form = await screen.findByRole('form', { name: 'Change “Heart rate above 130” for this patient' });
    const value = within(form).getByRole('textbox', { name: /Alert when is above/ });
    await user.clear(value);
    await user.type(value, '120');
    const clear = within(form).getByRole('textbox', { name: /Clears past/ });
    await user.clear(clear);
    await user.type(clear, '110');
    const row = within(form).getByRole('textbox', { name: 'Readings in a row' });
    await user.clear(row);
    await user.type(row, '3');
    await user.click(within(form).getByRole('button', { name: 'Save for this patient' }));
    await waitFor(() => expect(hr).toHaveTextContent('Changed for this patient'));
    expect(hr).toHaveTextContent('above 120 /min (clears past 110) · 3 readings in a row');
    expect(api.find('PATCH', '/api/v1/alert-rules/heart_rate_high')[0]!.body).toMatchObject({
      patientId: 'p1',
      consecutive: 3,
      conditions: [{ op: '>', value: 120, clear: 110 }],
    });

    const spo2 = within(region).getByRole('listitem', { name: 'Low oxygen saturation' });
    await user.click(within(spo2).getByRole('switch', { name: 'Low oxygen saturation on' }));
    await waitFor(() => expect(within(spo2).getByRole('switch')).not.toBeChecked());
    expect(api.find('PATCH', '/api/v1/alert-rules/spo2_low')[0]!.body).toEqual({ patientId: 'p1', enabled: false });

    await user.click(within(hr).getByRole('button', { name: 'Reset Heart rate above 130 to the default' }));
    await waitFor(() => expect(hr).not.toHaveTextContent('Changed for this patient'));
    expect(hr).toHaveTextContent('above 130 /min');
  });

  it('writes an escalation chain and returns to the default', async () => {
    const { user, m } = setup();
    const region = await openTab(user, 'Escalation');
    expect(await within(region).findByText('Default: the care team')).toBeInTheDocument();
    expect(within(region).getByRole('list', { name: 'Escalation steps' })).toHaveTextContent('1. Nina Nurse (nurse)');
    await user.click(within(region).getByRole('button', { name: 'Edit chain' }));
    const form = within(region).getByRole('form', { name: 'Escalation chain' });
    const wait = within(form).getByRole('textbox', { name: 'Then wait (min)' });
    await user.clear(wait);
    await user.type(wait, '5');
    await user.click(within(form).getByRole('button', { name: 'Save chain' }));
    expect(await within(region).findByText('Set for this patient')).toBeInTheDocument();
    expect(m.chain.steps[0]!.waitMinutes).toBe(5);
    expect(within(region).getByRole('list', { name: 'Escalation steps' })).toHaveTextContent(
      'The last step (waits 5 min).',
    );
    await user.click(within(region).getByRole('button', { name: 'Return to the default' }));
    expect(await within(region).findByText('Default: the care team')).toBeInTheDocument();
  });

  it('adds a medicine with its dose and times, shows the dose history, and stops it', async () => {
    const m = monitoringStore({
      doses: [
        {
          medicationId: 'old',
          name: 'Metformin',
          dose: '500 mg',
          dueAt: '2026-01-01T07:00:00Z',
          local: '08:00',
          windowEnd: '2026-01-01T09:00:00Z',
          status: 'missed',
        },
        {
          medicationId: 'old',
          name: 'Metformin',
          dose: '500 mg',
          dueAt: '2026-01-01T19:00:00Z',
          local: '20:00',
          windowEnd: '2026-01-01T21:00:00Z',
          status: 'taken',
          takenAt: '2026-01-01T19:10:00Z',
        },
      ],
    });
    const { user, api } = setup(m);
    const region = await openTab(user, 'Medicines');
    expect(await within(region).findByText('No medicines')).toBeInTheDocument();
    const doses = await within(region).findByRole('table', { name: 'Doses' });
    const rows = within(doses).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Taken');
    expect(rows[2]).toHaveTextContent('Missed');

    await user.click(within(region).getByRole('button', { name: 'Add medicine' }));
    const form = await screen.findByRole('form', { name: 'Add a medicine' });
    await user.click(within(form).getByRole('button', { name: 'Add medicine' }));
    expect(within(form).getByText('Give the medicine’s name.')).toBeInTheDocument();
    await user.type(within(form).getByRole('textbox', { name: 'Medicine' }), 'Ramipril');
    await user.type(within(form).getByRole('textbox', { name: 'Dose' }), '5 mg');
    await user.type(within(form).getByRole('textbox', { name: 'Instructions' }), 'In the morning');
    await user.click(within(form).getByRole('button', { name: 'Add medicine' }));
    const list = await within(region).findByRole('list', { name: 'Medicines' });
    expect(list).toHaveTextContent('Ramipril · 5 mg');
    expect(list).toHaveTextContent('08:00, every day');
    expect(api.find('POST', '/api/v1/medications')[0]!.body).toMatchObject({
      patientId: 'p1',
      name: 'Ramipril',
      dose: '5 mg',
      times: ['08:00'],
      remind: true,
    });

    await user.click(within(list).getByRole('button', { name: 'Stop Ramipril' }));
    await user.click(await screen.findByRole('button', { name: 'Stop medicine' }));
    expect(await within(region).findByText('No medicines')).toBeInTheDocument();
  });

  it('is not shown to the patient on their own page', async () => {
    mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes({ patient: patientDetail({ id: PATIENT.id, access: 'self', scopes: [] }), readings: [] }),
      'GET /api/v1/patients/:id/due-today': ok({ due: [] }),
      'GET /api/v1/patients/:id/medications/today': ok({ doses: [] }),
    });
    renderApp(`/patients/${PATIENT.id}`);
    expect(await screen.findByText('No readings yet')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Monitoring' })).not.toBeInTheDocument();
    expect(screen.queryByTestId('news2-badge')).not.toBeInTheDocument();
  });
});
