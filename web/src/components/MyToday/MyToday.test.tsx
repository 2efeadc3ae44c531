import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Occurrence } from '../../api/monitoring';
import { FakeWebSocket } from '../../test/fakeSocket';
import { mockApi, ok, PATIENT, problem } from '../../test/mockApi';
import { monitoringRoutes, monitoringStore } from '../../test/monitoring';
import { patientDetail, recordRoutes } from '../../test/records';
import { renderApp } from '../../test/render';

beforeAll(async () => {
  await import('../../pages/MyReadings/MyReadings');
}, 60_000);

const iso = (minutesFromNow: number) => new Date(Date.now() + minutesFromNow * 60_000).toISOString();

function occurrence(o: Partial<Occurrence>): Occurrence {
  return {
    scheduleId: 'sc-1',
    type: 'blood_pressure',
    typeName: 'Blood pressure',
    dueAt: iso(0),
    local: '08:00',
    windowStart: iso(-30),
    windowEnd: iso(120),
    status: 'due',
    ...o,
  };
}

describe('Today on My readings', () => {
  it('lists what is due today and ticks a dose taken or skipped, live', async () => {
    const due = [
      occurrence({ scheduleId: 'a', typeName: 'Weight', local: '07:00', status: 'done', takenAt: iso(-50) }),
      occurrence({ scheduleId: 'b', local: '08:00', status: 'due' }),
      occurrence({ scheduleId: 'c', typeName: 'Blood glucose', local: '06:00', status: 'missed' }),
    ];
    const m = monitoringStore({
      doses: [
        {
          medicationId: 'm1',
          name: 'Metformin',
          dose: '500 mg',
          dueAt: iso(0),
          local: '08:00',
          windowEnd: iso(120),
          status: 'due',
        },
        {
          medicationId: 'm2',
          name: 'Ramipril',
          dose: '5 mg',
          dueAt: iso(5),
          local: '08:05',
          windowEnd: iso(125),
          status: 'due',
        },
        {
          medicationId: 'm3',
          name: 'Aspirin',
          dose: '75 mg',
          dueAt: iso(-300),
          local: '03:00',
          windowEnd: iso(-180),
          status: 'missed',
        },
      ],
    });
    const api = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes({ patient: patientDetail({ id: PATIENT.id, access: 'self', scopes: [] }), readings: [] }),
      ...monitoringRoutes(m),
      'GET /api/v1/patients/:id/due-today': () => ok({ due }),
    });
    const { user } = renderApp('/my-readings');
    const list = await screen.findByRole('list', { name: 'Due today' });
    expect(within(list).getByRole('listitem', { name: 'Weight at 07:00' })).toHaveTextContent('Done');
    expect(within(list).getByRole('listitem', { name: 'Blood pressure at 08:00' })).toHaveTextContent(/Due now.*until/);
    expect(within(list).getByRole('listitem', { name: 'Blood glucose at 06:00' })).toHaveTextContent('Missed');

    const meds = await screen.findByRole('list', { name: 'Medicines today' });
    expect(within(meds).getByRole('listitem', { name: 'Aspirin 75 mg at 03:00' })).toHaveTextContent('Missed');
    const metformin = within(meds).getByRole('listitem', { name: 'Metformin 500 mg at 08:00' });
    await user.click(within(metformin).getByRole('button', { name: 'Taken: Metformin 500 mg at 08:00' }));
    await waitFor(() => expect(metformin).toHaveTextContent(/Taken.*taken at|taken at.*Taken/));
    expect(api.find('POST', '/api/v1/medications/m1/doses')[0]!.body).toMatchObject({
      patientId: PATIENT.id,
      status: 'taken',
    });
    const ramipril = within(meds).getByRole('listitem', { name: 'Ramipril 5 mg at 08:05' });
    await user.click(within(ramipril).getByRole('button', { name: 'Skipped: Ramipril 5 mg at 08:05' }));
    await waitFor(() => expect(ramipril).toHaveTextContent('Skipped'));

    // A reading arrives: the list asks again and shows the measurement done.
    const ws = FakeWebSocket.last()!;
    act(() => ws.open());
    act(() => ws.acknowledge());
    due[1] = { ...due[1]!, status: 'done', takenAt: iso(0) };
    act(() =>
      ws.receive({
        type: 'event',
        event: { kind: 'reading.created', patientId: PATIENT.id, scope: 'vitals', data: {} },
      }),
    );
    await waitFor(() =>
      expect(within(list).getByRole('listitem', { name: 'Blood pressure at 08:00' })).toHaveTextContent('Done'),
    );
  });

  it('says when nothing is due, and why a dose could not be recorded', async () => {
    const m = monitoringStore({
      doses: [
        {
          medicationId: 'm1',
          name: 'Metformin',
          dose: '500 mg',
          dueAt: iso(0),
          local: '08:00',
          windowEnd: iso(120),
          status: 'due',
        },
      ],
    });
    mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes({ patient: patientDetail({ id: PATIENT.id, access: 'self', scopes: [] }), readings: [] }),
      ...monitoringRoutes(m),
      'GET /api/v1/patients/:id/due-today': ok({ due: [] }),
      'POST /api/v1/medications/:id/doses': problem(422, 'this dose cannot be recorded yet: it opens at 07:00'),
    });
    const { user } = renderApp('/my-readings');
    expect(await screen.findByText('Nothing due today')).toBeInTheDocument();
    await user.click(await screen.findByRole('button', { name: 'Taken: Metformin 500 mg at 08:00' }));
    expect(await screen.findByText('This dose cannot be recorded yet: it opens at 07:00')).toBeInTheDocument();
  });
});
