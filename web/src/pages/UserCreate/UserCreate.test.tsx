import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, created, mockApi, ok, problem, user as mkUser } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const input = (label: RegExp) => screen.getByLabelText(label, { selector: 'input' });

describe('Add user', () => {
  it('asks for a long enough password and at least one role before sending', async () => {
    const mock = mockApi({ 'GET /api/v1/me': ok(ADMIN) });
    const { user } = renderApp('/admin/users/new');
    await screen.findByRole('heading', { name: 'Add user' });
    await user.type(input(/^email/i), 'new@example.org');
    await user.type(input(/full name/i), 'New Person');
    await user.type(input(/initial password/i), 'short');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(screen.getByText(/at least 12 characters \(5 so far\)/i)).toBeInTheDocument();
    expect(screen.getByText('Choose at least one role.')).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/users')).toHaveLength(0);
  });

  it('creates a patient with a clinical profile and opens their page', async () => {
    const newbie = mkUser({ id: 'p-9', name: 'Paula Park', email: 'paula@example.org', roles: ['patient'] });
    const mock = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      'POST /api/v1/users': created(newbie),
      'GET /api/v1/users/:id': ok(newbie),
      'GET /api/v1/users': ok({ users: [] }),
      'GET /api/v1/patients/:id/grants': ok({ grants: [] }),
    });
    const { user } = renderApp('/admin/users/new');
    await screen.findByRole('heading', { name: 'Add user' });
    await user.type(input(/^email/i), 'paula@example.org');
    await user.type(input(/full name/i), 'Paula Park');
    await user.click(screen.getByRole('checkbox', { name: /patient/i }));
    expect(screen.getByRole('heading', { name: 'Clinical profile' })).toBeInTheDocument();
    await user.type(input(/date of birth/i), '1948-02-29');
    await user.type(input(/mrn/i), ' H-1234 ');
    await user.type(input(/initial password/i), 'a long enough secret');
    await user.click(screen.getByRole('button', { name: 'Add user' }));

    expect(await screen.findByText('User added')).toBeInTheDocument();
    const body = mock.find('POST', '/api/v1/users')[0]!.body as Record<string, unknown>;
    expect(body).toMatchObject({
      email: 'paula@example.org',
      name: 'Paula Park',
      roles: ['patient'],
      password: 'a long enough secret',
      profile: { birthDate: '1948-02-29', mrn: 'H-1234' },
    });
    expect((body.profile as { timeZone?: string }).timeZone).toBeTruthy();
    expect(screen.getByTestId('location')).toHaveTextContent('/admin/users/p-9');
    expect(screen.getByRole('heading', { name: 'Care team' })).toBeInTheDocument();
  });

  it('shows the server’s field errors beside the fields', async () => {
    mockApi({
      'GET /api/v1/me': ok(ADMIN),
      'POST /api/v1/users': problem(409, 'Someone already uses that email.', {
        errors: [{ message: 'is already in use', location: 'body.email', value: 'nina@example.org' }],
      }),
    });
    const { user } = renderApp('/admin/users/new');
    await screen.findByRole('heading', { name: 'Add user' });
    await user.type(input(/^email/i), 'nina@example.org');
    await user.type(input(/full name/i), 'Nina Again');
    await user.click(screen.getByRole('checkbox', { name: /nurse/i }));
    await user.type(input(/initial password/i), 'a long enough secret');
    await user.click(screen.getByRole('button', { name: 'Add user' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Someone already uses that email.');
    const email = input(/^email/i);
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(
      within(email.closest('.mantine-InputWrapper-root') as HTMLElement).getByText('Is already in use'),
    ).toBeInTheDocument();
  });
});
