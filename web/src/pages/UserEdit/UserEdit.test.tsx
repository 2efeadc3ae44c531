import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Grant, User } from '../../api/types';
import { ADMIN, created, mockApi, noContent, NURSE, ok, PATIENT, user as mkUser } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const DOC = mkUser({ id: 'doc-2', name: 'Dr Dan', email: 'dan@example.org', roles: ['doctor'] });

function careGrant(u: User): Grant {
  return {
    id: `g-${u.id}`,
    patientId: PATIENT.id,
    granteeId: u.id,
    granteeName: u.name,
    granteeEmail: u.email,
    granteeRoles: u.roles,
    kind: 'care',
    scopes: ['vitals', 'journal', 'medications', 'messages', 'alerts', 'appointments'],
    createdAt: '2025-02-01T09:00:00Z',
    createdByName: 'Ada Admin',
  };
}

describe('Edit user', () => {
  it('saves name, roles and profile', async () => {
    const mock = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      'GET /api/v1/users/:id': ok(PATIENT),
      'GET /api/v1/users': ok({ users: [] }),
      'GET /api/v1/patients/:id/grants': ok({ grants: [] }),
      'PATCH /api/v1/users/:id': (req) => ok({ ...PATIENT, ...(req.body as object) }),
    });
    const { user } = renderApp('/admin/users/pat-1');
    const name = await screen.findByLabelText(/full name/i, { selector: 'input' });
    expect(screen.getByLabelText(/^email/i, { selector: 'input' })).toBeDisabled();
    await user.clear(name);
    await user.type(name, 'Patricia Patient');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('Changes saved.')).toBeInTheDocument();
    expect(mock.find('PATCH', '/api/v1/users/pat-1')[0]!.body).toEqual({
      name: 'Patricia Patient',
      roles: ['patient'],
      profile: { birthDate: '1950-04-01', sex: 'female', timeZone: 'Europe/Paris', mrn: 'MRN-1' },
    });
  });

  it('disables an account only after confirming', async () => {
    const mock = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      'GET /api/v1/users/:id': ok(NURSE),
      'PATCH /api/v1/users/:id': ok({ ...NURSE, disabled: true }),
    });
    const { user } = renderApp('/admin/users/nurse-1');
    await user.click(await screen.findByRole('button', { name: 'Disable account' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/will be signed out/)).toBeInTheDocument();
    expect(mock.find('PATCH', '/api/v1/users/nurse-1')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Disable account' }));
    expect(await screen.findByRole('button', { name: 'Enable account' })).toBeInTheDocument();
    expect(mock.find('PATCH', '/api/v1/users/nurse-1')[0]!.body).toEqual({ disabled: true });
  });

  it('adds a professional to a patient’s care team and removes one', async () => {
    let grants: Grant[] = [careGrant(DOC)];
    const mock = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      'GET /api/v1/users/:id': ok(PATIENT),
      'GET /api/v1/users': (req) => ok({ users: req.query.get('role') === 'nurse' ? [NURSE] : [DOC] }),
      'GET /api/v1/patients/:id/grants': () => ok({ grants }),
      'POST /api/v1/patients/:id/care-team': (req) => {
        const g = careGrant(NURSE);
        expect(req.body).toEqual({ userId: 'nurse-1' });
        grants = [...grants, g];
        return created(g);
      },
      'DELETE /api/v1/patients/:id/grants/:gid': (req) => {
        grants = grants.filter((g) => g.id !== req.params.gid);
        return noContent();
      },
    });
    const { user } = renderApp('/admin/users/pat-1');
    const team = await screen.findByRole('list', { name: 'Care team members' });
    expect(within(team).getByText('Dr Dan')).toBeInTheDocument();

    await user.click(screen.getByLabelText('Add a professional', { selector: 'input' }));
    // The dropdown opens with a transition that happy-dom never finishes, so it counts as hidden.
    await user.click(await screen.findByRole('option', { name: /Nina Nurse/, hidden: true }));
    await user.click(screen.getByRole('button', { name: 'Add' }));
    await waitFor(() =>
      expect(
        within(screen.getByRole('list', { name: 'Care team members' })).getByText('Nina Nurse'),
      ).toBeInTheDocument(),
    );

    await user.click(screen.getByRole('button', { name: 'Remove Dr Dan from the care team' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByText('Dr Dan')).not.toBeInTheDocument());
    expect(mock.find('DELETE', '/api/v1/patients/pat-1/grants/g-doc-2')).toHaveLength(1);
  });
});
