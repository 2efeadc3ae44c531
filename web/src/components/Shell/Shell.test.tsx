import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ADMIN, DOCTOR_PATIENT, mockApi, noContent, NURSE, ok, problem } from '../../test/mockApi';
import { patientDetail, recordRoutes } from '../../test/records';
import { renderApp } from '../../test/render';

describe('Shell', () => {
  it('shows an administrator the administration pages and their name', async () => {
    mockApi({ 'GET /api/v1/me': ok(ADMIN), 'GET /api/v1/users': ok({ users: [] }) });
    renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Users' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Audit log' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'API tokens' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Change password' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Sharing' })).not.toBeInTheDocument();
    expect(screen.getByTestId('user-name')).toHaveTextContent('Ada Admin');
    // One role: nothing to switch.
    expect(screen.queryByLabelText('Acting as')).not.toBeInTheDocument();
  });

  it('shows a nurse their patients', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/patients': ok({ patients: [] }) });
    renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'My patients' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: 'My patients' })).toBeInTheDocument();
  });

  it('lets a doctor who is also a patient switch role, and remembers it', async () => {
    mockApi({
      'GET /api/v1/me': ok(DOCTOR_PATIENT),
      'GET /api/v1/patients': ok({ patients: [] }),
      ...recordRoutes({ patient: patientDetail({ id: DOCTOR_PATIENT.id, access: 'self' }), readings: [] }),
    });
    const { user } = renderApp('/');
    expect(await screen.findByRole('heading', { name: 'My patients' })).toBeInTheDocument();
    const switcher = screen.getByLabelText('Acting as');
    expect(switcher).toHaveValue('doctor');

    await user.selectOptions(switcher, 'patient');
    expect(await screen.findByRole('heading', { name: 'My readings' })).toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Sharing' })).toBeInTheDocument();
    expect(within(nav).getByRole('link', { name: 'Who accessed my data' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'My patients' })).not.toBeInTheDocument();
    expect(JSON.parse(localStorage.getItem('tend.activeRole')!)).toEqual({ userId: 'doc-1', role: 'patient' });
  });

  it('signs out and returns to the login page', async () => {
    const mock = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      'GET /api/v1/users': ok({ users: [] }),
      'POST /api/v1/auth/logout': noContent(),
    });
    const { user } = renderApp('/admin/users');
    await screen.findByRole('heading', { name: 'Users' });
    await user.click(screen.getAllByRole('button', { name: 'Log out' })[0]!);
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/auth/logout')).toHaveLength(1);
  });

  it('goes to the login page when the session ends during use (401)', async () => {
    mockApi({ 'GET /api/v1/me': ok(ADMIN), 'GET /api/v1/users': problem(401, 'Your session has ended.') });
    renderApp('/admin/users');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/login'));
  });

  it('tells a nurse that an administration page is not for them', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE) });
    renderApp('/admin/users');
    expect(await screen.findByText('This page is not for your role')).toBeInTheDocument();
  });

  it('shows a page-not-found message for unknown addresses', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE) });
    renderApp('/no/such/page');
    expect(await screen.findByText('Page not found')).toBeInTheDocument();
  });
});
