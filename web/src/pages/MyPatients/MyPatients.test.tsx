import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi, NURSE, ok, problem, user as mkUser } from '../../test/mockApi';
import { renderApp } from '../../test/render';

describe('My patients', () => {
  it('lists the patients with how the nurse may see them and what', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/patients': ok({
        patients: [
          { id: 'p1', name: 'Pat Patient', birthDate: '1950-04-01', access: 'share', scopes: ['vitals', 'alerts'] },
          { id: 'p2', name: 'Quinn Care', access: 'care', scopes: ['vitals', 'journal'] },
        ],
      }),
    });
    renderApp('/patients');
    const table = await screen.findByRole('table', { name: 'Patients' });
    const pat = within(table).getByRole('link', { name: 'Pat Patient' }).closest('tr')!;
    expect(within(pat).getByText('Shared')).toBeInTheDocument();
    expect(within(pat).getByText('Vitals')).toBeInTheDocument();
    expect(within(pat).getByText('Alerts')).toBeInTheDocument();
    expect(within(pat).getByText(/Born/)).toBeInTheDocument();
    const quinn = within(table).getByRole('link', { name: 'Quinn Care' }).closest('tr')!;
    expect(within(quinn).getByText('Care team')).toBeInTheDocument();
    expect(within(quinn).getByText('Journal')).toBeInTheDocument();
  });

  it('leaves out the caller’s own record', async () => {
    const docPatient = mkUser({ id: 'd1', name: 'Dora', roles: ['doctor', 'patient'] });
    mockApi({
      'GET /api/v1/me': ok(docPatient),
      'GET /api/v1/patients': ok({ patients: [{ id: 'd1', name: 'Dora', access: 'self', scopes: [] }] }),
    });
    renderApp('/patients');
    expect(await screen.findByText('No patients yet')).toBeInTheDocument();
  });

  it('explains an empty list', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/patients': ok({ patients: [] }) });
    renderApp('/patients');
    expect(await screen.findByText('No patients yet')).toBeInTheDocument();
    expect(screen.getByText(/puts you on their care team/)).toBeInTheDocument();
  });

  it('shows why the list could not load', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/patients': problem(503, 'Tend is starting, try in a minute.'),
    });
    renderApp('/patients');
    expect(await screen.findByRole('alert')).toHaveTextContent('Tend is starting, try in a minute.');
  });
});
