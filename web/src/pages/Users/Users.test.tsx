import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, mockApi, NURSE, ok, PATIENT, problem, user as mkUser } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const DISABLED = mkUser({
  id: 'old-1',
  name: 'Olga Old',
  email: 'olga@example.org',
  roles: ['family'],
  disabled: true,
});

describe('Users', () => {
  it('lists users with their roles and whether they are disabled', async () => {
    mockApi({ 'GET /api/v1/me': ok(ADMIN), 'GET /api/v1/users': ok({ users: [ADMIN, PATIENT, NURSE, DISABLED] }) });
    renderApp('/admin/users');
    const table = await screen.findByRole('table', { name: 'Users' });
    const olga = within(table).getByText('Olga Old').closest('tr')!;
    expect(within(olga).getByText('Family')).toBeInTheDocument();
    expect(within(olga).getByText('Disabled')).toBeInTheDocument();
    const pat = within(table).getByText('Pat Patient').closest('tr')!;
    expect(within(pat).getByText('Patient')).toBeInTheDocument();
    expect(within(pat).getByText('Active')).toBeInTheDocument();
    expect(within(pat).getByRole('link', { name: 'Pat Patient' })).toHaveAttribute('href', '/admin/users/pat-1');
  });

  it('searches by name on the server', async () => {
    const mock = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      'GET /api/v1/users': (req) => ok({ users: req.query.get('q') === 'nina' ? [NURSE] : [ADMIN, NURSE, PATIENT] }),
    });
    const { user } = renderApp('/admin/users');
    await screen.findByText('Pat Patient');
    await user.type(screen.getByLabelText('Search'), 'nina');
    await waitFor(() => expect(screen.queryByText('Pat Patient')).not.toBeInTheDocument());
    expect(screen.getByText('Nina Nurse')).toBeInTheDocument();
    expect(mock.calls.some((c) => c.query.get('q') === 'nina')).toBe(true);
  });

  it('filters by role through the address', async () => {
    const mock = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      'GET /api/v1/users': (req) => ok({ users: req.query.get('role') === 'nurse' ? [NURSE] : [] }),
    });
    renderApp('/admin/users?role=nurse');
    expect(await screen.findByText('Nina Nurse')).toBeInTheDocument();
    expect(mock.find('GET', '/api/v1/users')[0]!.query.get('role')).toBe('nurse');
  });

  it('says when no user matches', async () => {
    mockApi({ 'GET /api/v1/me': ok(ADMIN), 'GET /api/v1/users': ok({ users: [] }) });
    renderApp('/admin/users?q=zzz');
    expect(await screen.findByText('No user matches')).toBeInTheDocument();
  });

  it('shows the problem detail when the list cannot be loaded', async () => {
    mockApi({ 'GET /api/v1/me': ok(ADMIN), 'GET /api/v1/users': problem(500, 'The database is not answering.') });
    renderApp('/admin/users');
    expect(await screen.findByRole('alert')).toHaveTextContent('The database is not answering.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
