import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, DOCTOR_PATIENT, mockApi, ok, PATIENT, problem } from '../../test/mockApi';
import { patientDetail, recordRoutes } from '../../test/records';
import { renderApp } from '../../test/render';

describe('Login', () => {
  it('sends a visitor who is not signed in to the login page', async () => {
    mockApi({ 'GET /api/v1/me': problem(401, 'Not signed in.') });
    renderApp('/admin/users');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/login');
  });

  it('shows the server’s reason when the password is wrong', async () => {
    mockApi({
      'GET /api/v1/me': problem(401, 'Not signed in.'),
      'POST /api/v1/auth/login': problem(401, 'The email or password is not right.'),
    });
    const { user } = renderApp('/login');
    await user.type(await screen.findByLabelText(/email/i), 'admin@example.org');
    await user.type(screen.getByLabelText(/^password/i, { selector: 'input' }), 'wrong password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The email or password is not right.');
    expect(screen.getByText('Wrong email or password')).toBeInTheDocument();
  });

  it('takes an administrator to the users list after signing in', async () => {
    const mock = mockApi({
      'GET /api/v1/me': problem(401, 'Not signed in.'),
      'POST /api/v1/auth/login': ok({ user: ADMIN, csrfToken: 'tok' }),
      'GET /api/v1/users': ok({ users: [ADMIN] }),
    });
    const { user } = renderApp('/login');
    await user.type(await screen.findByLabelText(/email/i), 'admin@example.org');
    await user.type(screen.getByLabelText(/^password/i, { selector: 'input' }), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Users' })).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/auth/login')[0]!.body).toEqual({
      email: 'admin@example.org',
      password: 'correct horse battery',
    });
    expect(screen.getAllByText('Ada Admin').length).toBeGreaterThan(0);
  });

  it('takes a patient to their readings', async () => {
    mockApi({
      'GET /api/v1/me': problem(401, 'Not signed in.'),
      'POST /api/v1/auth/login': ok({ user: PATIENT, csrfToken: 'tok' }),
      ...recordRoutes({ patient: patientDetail({ id: PATIENT.id, name: PATIENT.name, access: 'self' }), readings: [] }),
    });
    const { user } = renderApp('/login');
    await user.type(await screen.findByLabelText(/email/i), 'pat@example.org');
    await user.type(screen.getByLabelText(/^password/i, { selector: 'input' }), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'My readings' })).toBeInTheDocument();
    expect(await screen.findByText('No readings yet')).toBeInTheDocument();
  });

  it('starts a person with several roles in the role they chose last time', async () => {
    localStorage.setItem('tend.activeRole', JSON.stringify({ userId: DOCTOR_PATIENT.id, role: 'patient' }));
    mockApi({
      'GET /api/v1/me': problem(401, 'Not signed in.'),
      'POST /api/v1/auth/login': ok({ user: DOCTOR_PATIENT, csrfToken: 'tok' }),
      ...recordRoutes({ patient: patientDetail({ id: DOCTOR_PATIENT.id, access: 'self' }), readings: [] }),
    });
    const { user } = renderApp('/login');
    await user.type(await screen.findByLabelText(/email/i), 'dora@example.org');
    await user.type(screen.getByLabelText(/^password/i, { selector: 'input' }), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/my-readings'));
  });
});
