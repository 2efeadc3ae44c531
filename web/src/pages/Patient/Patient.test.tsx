import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeWebSocket } from '../../test/fakeSocket';
import { mockApi, NURSE, ok, problem, user as makeUser } from '../../test/mockApi';
import { bp, device, entry, patientDetail, reading, recordRoutes } from '../../test/records';
import { renderApp } from '../../test/render';

const FAMILY = makeUser({ id: 'fam-1', email: 'emma@example.org', name: 'Emma Hill', roles: ['family'] });

describe('Patient page', () => {
  it('shows the patient’s name, profile and what the viewer may see', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      ...recordRoutes({ patient: patientDetail({ access: 'share', scopes: ['vitals', 'alerts'] }), readings: [] }),
    });
    renderApp('/patients/p1');
    expect(await screen.findByRole('heading', { name: 'Pat Patient' })).toBeInTheDocument();
    expect(await screen.findByText('Female')).toBeInTheDocument();
    expect(screen.getByText('Europe/Paris')).toBeInTheDocument();
    expect(screen.getByText('MRN-77')).toBeInTheDocument();
    expect(screen.getByText('Pat Patient shared their data with you.')).toBeInTheDocument();
    expect(within(screen.getByText('You may see').parentElement!).getByText('Vitals')).toBeInTheDocument();
    expect(screen.getByRole('main').querySelector('a[href="/patients"]')).toHaveTextContent('My patients');
    expect(await screen.findByText('No readings yet')).toBeInTheDocument();
  });

  it('says plainly when the patient cannot be seen', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/patients/:id': problem(404, 'No such patient.') });
    renderApp('/patients/nope');
    expect(await screen.findByRole('heading', { name: 'Patient not found' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(/not on their care team/);
  });

  it('marks fields that were never recorded', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      ...recordRoutes({
        patient: patientDetail({ id: 'p2', name: 'Quinn', email: 'q@example.org', profile: {}, scopes: [] }),
        readings: [],
      }),
    });
    renderApp('/patients/p2');
    expect(await screen.findByRole('heading', { name: 'Quinn' })).toBeInTheDocument();
    expect(await screen.findAllByText('Not recorded')).toHaveLength(4);
    expect(screen.getByText('You are on this patient’s care team.')).toBeInTheDocument();
    expect(screen.getByText('Nothing of their health is shared with you')).toBeInTheDocument();
  });

  it('shows the latest of each vital, a chart summary, and the readings with source, device, who and flags', async () => {
    const store = {
      patient: patientDetail({ scopes: ['vitals', 'journal'] }),
      readings: [
        bp(142, 91, { flags: ['cuff-too-loose'] }),
        reading({ value: 64, takenAt: new Date(Date.now() - 3 * 60_000).toISOString() }),
        reading({
          type: 'blood_glucose',
          loinc: '41653-7',
          value: 108,
          unit: 'mg/dL',
          source: 'manual',
          deviceId: undefined,
          enteredBy: 'p1',
        }),
        reading({
          type: 'body_weight',
          loinc: '29463-7',
          value: 71.5,
          unit: 'kg',
          source: 'manual',
          deviceId: undefined,
          enteredBy: 'n9',
          enteredByName: 'Nina Care',
        }),
      ],
      devices: [device()],
      entries: [entry({ enteredBy: 'f7', enteredByName: 'Fay Family' })],
    };
    mockApi({ 'GET /api/v1/me': ok(NURSE), ...recordRoutes(store) });
    renderApp('/patients/p1');

    const latest = await screen.findByRole('group', { name: 'Latest readings' });
    expect(within(latest).getByRole('button', { name: /Blood pressure: 142\/91 mmHg/ })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    expect(within(latest).getByRole('button', { name: /Heart rate: 64 \/min/ })).toBeInTheDocument();
    expect(await screen.findByTestId('chart-summary')).toHaveTextContent('1 reading · average 142/91');

    const table = await screen.findByRole('table', { name: 'Readings' });
    const bpRow = within(table).getByText('142/91 mmHg').closest('tr')!;
    expect(bpRow).toHaveTextContent('Omron M7');
    expect(bpRow).toHaveTextContent('Cuff too loose');
    const glucoseRow = within(table).getByText('108 mg/dL').closest('tr')!;
    expect(glucoseRow).toHaveTextContent('Entered by hand');
    expect(glucoseRow).toHaveTextContent('Pat Patient');
    expect(within(table).getByText('71.5 kg').closest('tr')!).toHaveTextContent('Nina Care');

    // The patient lives in another zone than the viewer's browser (UTC here): both times are shown.
    expect(screen.getByTestId('zone-note')).toHaveTextContent('Pat’s time zone is Europe/Paris');
    expect(within(table).getAllByText(/patient’s time/).length).toBeGreaterThan(0);

    expect(await screen.findByRole('heading', { name: 'Journal' })).toBeInTheDocument();
    expect(await screen.findByText('Porridge, 1 bowl')).toBeInTheDocument();
    expect(screen.getByText('Entered by Fay Family')).toBeInTheDocument();
    const devices = screen.getByRole('list', { name: 'Patient’s devices' });
    expect(within(devices).getByText('Omron M7')).toBeInTheDocument();
    expect(within(devices).getByText('Battery 64%')).toBeInTheDocument();
  });

  it('changes the chart when another vital is picked', async () => {
    const store = {
      patient: patientDetail(),
      readings: [bp(130, 80), reading({ value: 70 }), reading({ value: 90 })],
    };
    const api = mockApi({ 'GET /api/v1/me': ok(NURSE), ...recordRoutes(store) });
    const { user } = renderApp('/patients/p1');
    await user.click(await screen.findByRole('button', { name: /Heart rate: / }));
    await waitFor(() => expect(screen.getByTestId('chart-summary')).toHaveTextContent('2 readings · average 80'));
    expect(screen.getByTestId('chart-summary')).toHaveTextContent('lowest 70 · highest 90 /min');
    await user.click(screen.getByRole('radio', { name: 'Year' }));
    await waitFor(() => {
      const asked = api.find('GET', '/api/v1/patients/p1/readings/buckets').at(-1)!;
      const span = Date.parse(asked.query.get('to')!) - Date.parse(asked.query.get('from')!);
      expect(span).toBe(365 * 24 * 3600_000);
    });
  });

  it('shows values in the units the viewer prefers', async () => {
    localStorage.setItem('tend.units', JSON.stringify({ glucose: 'mmol/L', temperature: '[degF]' }));
    const store = {
      patient: patientDetail(),
      readings: [
        reading({ type: 'blood_glucose', value: 180.16, unit: 'mg/dL' }),
        reading({ type: 'body_temperature', value: 37, unit: 'Cel' }),
      ],
    };
    mockApi({ 'GET /api/v1/me': ok(NURSE), ...recordRoutes(store) });
    renderApp('/patients/p1');
    const table = await screen.findByRole('table', { name: 'Readings' });
    expect(within(table).getByText('10.0 mmol/L')).toBeInTheDocument();
    expect(within(table).getByText('98.6 °F')).toBeInTheDocument();
  });

  it('shows a family member with vitals only the vitals, and no journal', async () => {
    const store = {
      patient: patientDetail({ access: 'share', scopes: ['vitals'] }),
      readings: [bp(128, 82)],
      entries: [entry({ name: 'Secret snack' })],
    };
    const api = mockApi({ 'GET /api/v1/me': ok(FAMILY), ...recordRoutes(store) });
    renderApp('/patients/p1');
    expect(await screen.findByRole('table', { name: 'Readings' })).toHaveTextContent('128/82 mmHg');
    expect(screen.queryByRole('heading', { name: 'Journal' })).not.toBeInTheDocument();
    expect(screen.queryByText('Secret snack')).not.toBeInTheDocument();
    expect(api.find('GET', '/api/v1/patients/p1/journal')).toHaveLength(0);
    // A family member sees, but does not correct, what others recorded.
    expect(screen.queryByRole('button', { name: /^Actions for/ })).not.toBeInTheDocument();
  });

  it('shows a reading the moment the live door announces it, without a reload', async () => {
    const store = { patient: patientDetail(), readings: [bp(120, 80)], devices: [device()] };
    mockApi({ 'GET /api/v1/me': ok(NURSE), ...recordRoutes(store) });
    renderApp('/patients/p1');
    const table = await screen.findByRole('table', { name: 'Readings' });
    expect(within(table).getByText('120/80 mmHg')).toBeInTheDocument();

    const ws = FakeWebSocket.last()!;
    expect(ws.url).toMatch(/\/api\/v1\/live$/);
    act(() => ws.open());
    expect(ws.sent).toContainEqual({ type: 'subscribe', patients: ['p1'] });
    act(() => ws.acknowledge());
    expect(await screen.findByText('Live')).toBeInTheDocument();

    const fresh = bp(171, 99, { takenAt: new Date().toISOString(), flags: ['irregular-pulse'] });
    store.readings.push(fresh);
    act(() =>
      ws.receive({
        type: 'event',
        event: { kind: 'reading.created', patientId: 'p1', scope: 'vitals', data: { readings: [fresh] } },
      }),
    );
    expect(await within(table).findByText('171/99 mmHg')).toBeInTheDocument();
    expect(within(table).getByText('Irregular pulse')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: /Blood pressure: 171\/99 mmHg/ })).toBeInTheDocument(),
    );
    await waitFor(() => expect(screen.getByTestId('chart-summary')).toHaveTextContent('2 readings'));
  });

  it('marks a reading entered in error, with a reason', async () => {
    const wrong = reading({ value: 180 });
    const store = { patient: patientDetail(), readings: [wrong] };
    const api = mockApi({
      'GET /api/v1/me': ok(NURSE),
      ...recordRoutes(store),
      'POST /api/v1/patients/:id/readings/:rid/entered-in-error': (req) => {
        wrong.status = 'entered-in-error';
        wrong.correction = {
          at: new Date().toISOString(),
          by: NURSE.id,
          reason: (req.body as { reason: string }).reason,
        };
        return ok(wrong);
      },
    });
    const { user } = renderApp('/patients/p1');
    await user.click(await screen.findByRole('button', { name: /^Actions for Heart rate 180 \/min/ }));
    await user.click(await screen.findByRole('menuitem', { name: 'Mark entered in error…' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Mark entered in error' }));
    expect(within(dialog).getByText('Say why the reading is wrong.')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText(/Why is it wrong/), 'Measured right after climbing stairs');
    await user.click(within(dialog).getByRole('button', { name: 'Mark entered in error' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.find('POST', `/api/v1/patients/p1/readings/${wrong.id}/entered-in-error`)[0]!.body).toEqual({
      reason: 'Measured right after climbing stairs',
    });
    await waitFor(() => expect(screen.queryByText('180 /min')).not.toBeInTheDocument());
    await user.click(screen.getByRole('checkbox', { name: 'Show entered in error' }));
    expect(
      await screen.findByText('Entered in error by You: Measured right after climbing stairs'),
    ).toBeInTheDocument();
  });
});
