import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Grant } from '../../api/types';
import { created, mockApi, noContent, ok, PATIENT, problem } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const base: Omit<Grant, 'id' | 'granteeId' | 'granteeName' | 'granteeEmail' | 'granteeRoles' | 'kind' | 'scopes'> = {
  patientId: PATIENT.id,
  createdAt: '2025-03-01T08:00:00Z',
  createdByName: 'Pat Patient',
};
const nina: Grant = {
  ...base,
  id: 'g1',
  granteeId: 'nurse-1',
  granteeName: 'Nina Nurse',
  granteeEmail: 'nina@example.org',
  granteeRoles: ['nurse'],
  kind: 'share',
  scopes: ['vitals', 'alerts'],
  expiresAt: '2999-12-31T22:59:59Z',
};
const dan: Grant = {
  ...base,
  id: 'g2',
  granteeId: 'doc-2',
  granteeName: 'Dr Dan',
  granteeEmail: 'dan@example.org',
  granteeRoles: ['doctor'],
  kind: 'care',
  scopes: ['vitals', 'journal', 'medications', 'messages', 'alerts', 'appointments'],
  createdByName: 'Ada Admin',
};

describe('Sharing', () => {
  it('lists who can see the data, with scopes, end date and kind', async () => {
    mockApi({ 'GET /api/v1/me': ok(PATIENT), 'GET /api/v1/patients/:id/grants': ok({ grants: [nina, dan] }) });
    renderApp('/sharing');
    const list = await screen.findByRole('list', { name: 'People with access' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByText('Nina Nurse')).toBeInTheDocument();
    expect(within(items[0]!).getByText('Shared')).toBeInTheDocument();
    expect(within(items[0]!).getByText('Alerts')).toBeInTheDocument();
    expect(within(items[0]!).getByText(/Until/)).toBeInTheDocument();
    expect(within(items[1]!).getByText('Care team')).toBeInTheDocument();
    expect(within(items[1]!).getByText(/your clinic manages the care team/i)).toBeInTheDocument();
    expect(within(items[1]!).queryByRole('button', { name: /stop sharing/i })).not.toBeInTheDocument();
  });

  it('shares vitals and alerts with a nurse by email', async () => {
    let grants: Grant[] = [];
    const mock = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      'GET /api/v1/patients/:id/grants': () => ok({ grants }),
      'POST /api/v1/patients/:id/grants': () => {
        grants = [nina];
        return created(nina);
      },
    });
    const { user } = renderApp('/sharing');
    expect(await screen.findByText('Nobody but you')).toBeInTheDocument();
    await user.type(screen.getByLabelText(/their email/i, { selector: 'input' }), 'nina@example.org');
    // Vitals is ticked to start with.
    expect(screen.getByRole('checkbox', { name: /vitals/i })).toBeChecked();
    await user.click(screen.getByRole('checkbox', { name: /alerts/i }));
    await user.click(screen.getByRole('button', { name: 'Share' }));
    expect(await screen.findByText(/You now share your data with Nina Nurse/)).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/patients/pat-1/grants')[0]!.body).toEqual({
      granteeEmail: 'nina@example.org',
      scopes: ['vitals', 'alerts'],
    });
    expect(await screen.findByRole('list', { name: 'People with access' })).toHaveTextContent('Nina Nurse');
  });

  it('sends the end of the chosen day as the end date', async () => {
    const mock = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      'GET /api/v1/patients/:id/grants': ok({ grants: [] }),
      'POST /api/v1/patients/:id/grants': created(nina),
    });
    const { user } = renderApp('/sharing');
    await user.type(await screen.findByLabelText(/their email/i, { selector: 'input' }), 'nina@example.org');
    await user.type(screen.getByLabelText(/until/i, { selector: 'input' }), '2999-06-30');
    await user.click(screen.getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(mock.find('POST', '/api/v1/patients/pat-1/grants')).toHaveLength(1));
    const sent = mock.find('POST', '/api/v1/patients/pat-1/grants')[0]!.body as { expiresAt: string };
    const at = new Date(sent.expiresAt);
    expect([at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours()]).toEqual([2999, 6, 30, 23]);
  });

  it('shows the server’s reason when the email is unknown', async () => {
    mockApi({
      'GET /api/v1/me': ok(PATIENT),
      'GET /api/v1/patients/:id/grants': ok({ grants: [] }),
      'POST /api/v1/patients/:id/grants': problem(422, 'Nobody with that email uses Tend.', {
        errors: [{ message: 'no such user', location: 'body.granteeEmail' }],
      }),
    });
    const { user } = renderApp('/sharing');
    await user.type(await screen.findByLabelText(/their email/i, { selector: 'input' }), 'ghost@example.org');
    await user.click(screen.getByRole('button', { name: 'Share' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Nobody with that email uses Tend.');
    expect(screen.getByText('No such user')).toBeInTheDocument();
  });

  it('revokes a share after confirming', async () => {
    let grants: Grant[] = [nina];
    const mock = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      'GET /api/v1/patients/:id/grants': () => ok({ grants }),
      'DELETE /api/v1/patients/:id/grants/:gid': () => {
        grants = [];
        return noContent();
      },
    });
    const { user } = renderApp('/sharing');
    await user.click(await screen.findByRole('button', { name: 'Stop sharing with Nina Nurse' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/will no longer see your data/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Stop sharing' }));
    expect(await screen.findByText('Nobody but you')).toBeInTheDocument();
    expect(mock.find('DELETE', '/api/v1/patients/pat-1/grants/g1')).toHaveLength(1);
  });
});
