import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi, ok, PATIENT } from '../../test/mockApi';
import { renderApp } from '../../test/render';

describe('Who accessed my data', () => {
  it('lists when, who, what and the outcome', async () => {
    const mock = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      'GET /api/v1/patients/:id/access-log': ok({
        events: [
          {
            id: 'e1',
            at: '2025-03-02T09:15:00Z',
            actorId: 'nurse-1',
            actorName: 'Nina Nurse',
            action: 'patients.read',
            resource: '/api/v1/patients/pat-1',
            outcome: 'success',
            ip: '127.0.0.1',
          },
          {
            id: 'e0',
            at: '2025-03-02T09:20:00Z',
            actorId: 'pat-1',
            actorName: 'Pat Patient',
            action: 'grants.create',
            resource: '/api/v1/patients/pat-1/grants',
            outcome: 'success',
            ip: '127.0.0.1',
          },
          {
            id: 'e2',
            at: '2025-03-02T09:10:00Z',
            actorId: 'x',
            actorName: 'Mallory',
            action: 'measurements.read',
            resource: 'vitals',
            outcome: 'denied',
            ip: '10.0.0.9',
          },
        ],
      }),
    });
    renderApp('/access-log');
    const table = await screen.findByRole('table', { name: 'Access events' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByText('Nina Nurse')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('Opened your record')).toBeInTheDocument();
    expect(within(rows[1]!).getByText('Allowed')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('Mallory')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('Denied')).toBeInTheDocument();
    expect(within(rows[2]!).getByText('Measurements read (vitals)')).toBeInTheDocument();
    expect(mock.find('GET', '/api/v1/patients/pat-1/access-log')[0]!.query.get('limit')).toBe('50');
  });

  it('hides the patient’s own actions unless asked', async () => {
    mockApi({
      'GET /api/v1/me': ok(PATIENT),
      'GET /api/v1/patients/:id/access-log': ok({
        events: [
          {
            id: 'e0',
            at: '2025-03-02T09:20:00Z',
            actorId: 'pat-1',
            actorName: 'Pat Patient',
            action: 'grants.create',
            resource: '',
            outcome: 'success',
            ip: '',
          },
          {
            id: 'e1',
            at: '2025-03-02T09:15:00Z',
            actorId: 'n1',
            actorName: 'Nina Nurse',
            action: 'patients.read',
            resource: '',
            outcome: 'failure',
            ip: '',
          },
        ],
      }),
    });
    const { user } = renderApp('/access-log');
    const table = await screen.findByRole('table', { name: 'Access events' });
    expect(within(table).queryByText('Shared your data')).not.toBeInTheDocument();
    expect(within(table).getByText('Failed')).toBeInTheDocument();
    await user.click(screen.getByRole('switch', { name: 'Include what I did myself' }));
    expect(
      within(screen.getByRole('table', { name: 'Access events' })).getByText('Shared your data'),
    ).toBeInTheDocument();
  });

  it('says when nobody has looked yet', async () => {
    mockApi({ 'GET /api/v1/me': ok(PATIENT), 'GET /api/v1/patients/:id/access-log': ok({ events: [] }) });
    renderApp('/access-log');
    expect(await screen.findByText('Nobody has accessed your data yet')).toBeInTheDocument();
  });
});
