import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi, noContent, NURSE, ok, problem } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const field = (label: RegExp) => screen.getByLabelText(label, { selector: 'input' });

describe('Change password', () => {
  it('checks length and that both new passwords match', async () => {
    const mock = mockApi({ 'GET /api/v1/me': ok(NURSE) });
    const { user } = renderApp('/password');
    await user.type(await screen.findByLabelText(/current password/i, { selector: 'input' }), 'old password 1');
    await user.type(field(/^new password \*?$/i), 'short');
    await user.type(field(/new password again/i), 'shorter');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(
      screen.getByText(/at least 12 characters/i, { selector: '.mantine-InputWrapper-error' }),
    ).toBeInTheDocument();
    expect(screen.getByText('The two new passwords differ.')).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/me/password')).toHaveLength(0);
  });

  it('changes the password', async () => {
    const mock = mockApi({ 'GET /api/v1/me': ok(NURSE), 'POST /api/v1/me/password': noContent() });
    const { user } = renderApp('/password');
    await user.type(await screen.findByLabelText(/current password/i, { selector: 'input' }), 'old password 1');
    await user.type(field(/^new password \*?$/i), 'a brand new passphrase');
    await user.type(field(/new password again/i), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password changed')).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/me/password')[0]!.body).toEqual({
      currentPassword: 'old password 1',
      newPassword: 'a brand new passphrase',
    });
  });

  it('shows why the server refused', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'POST /api/v1/me/password': problem(400, 'The current password is not right.', {
        errors: [{ message: 'does not match', location: 'body.currentPassword' }],
      }),
    });
    const { user } = renderApp('/password');
    await user.type(await screen.findByLabelText(/current password/i, { selector: 'input' }), 'wrong password');
    await user.type(field(/^new password \*?$/i), 'a brand new passphrase');
    await user.type(field(/new password again/i), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The current password is not right.');
    expect(screen.getByText('Does not match')).toBeInTheDocument();
  });
});
