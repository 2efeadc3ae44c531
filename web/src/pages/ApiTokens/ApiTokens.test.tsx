import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ApiToken } from '../../api/types';
import { created, mockApi, noContent, NURSE, ok } from '../../test/mockApi';
import { renderApp } from '../../test/render';

describe('API tokens', () => {
  it('creates a token, shows its secret once, and lists it', async () => {
    let tokens: ApiToken[] = [];
    const mock = mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/me/tokens': () => ok({ tokens }),
      'POST /api/v1/me/tokens': (req) => {
        const t = { id: 't1', label: (req.body as { label: string }).label, createdAt: '2025-03-03T10:00:00Z' };
        tokens = [t];
        return created({ ...t, token: 'tend_secret_abc' });
      },
    });
    const { user } = renderApp('/tokens');
    expect(await screen.findByText('No tokens')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Label'), 'Scale gateway');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(await screen.findByTestId('new-token')).toHaveTextContent('tend_secret_abc');
    expect(screen.getByText(/shows it only this once/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy token' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Your tokens' });
    expect(within(table).getByText('Scale gateway')).toBeInTheDocument();
    expect(within(table).getByText('Never')).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/me/tokens')[0]!.body).toEqual({ label: 'Scale gateway' });
  });

  it('asks for a label', async () => {
    const mock = mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/me/tokens': ok({ tokens: [] }) });
    const { user } = renderApp('/tokens');
    await user.click(await screen.findByRole('button', { name: 'Create token' }));
    expect(screen.getByText(/give the token a name/i)).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/me/tokens')).toHaveLength(0);
  });

  it('revokes a token after confirming', async () => {
    let tokens: ApiToken[] = [
      { id: 't9', label: 'Old script', createdAt: '2025-01-01T00:00:00Z', lastUsedAt: '2025-02-01T00:00:00Z' },
    ];
    const mock = mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/me/tokens': () => ok({ tokens }),
      'DELETE /api/v1/me/tokens/:id': () => {
        tokens = [];
        return noContent();
      },
    });
    const { user } = renderApp('/tokens');
    await user.click(await screen.findByRole('button', { name: 'Revoke Old script' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Revoke token' }));
    expect(await screen.findByText('No tokens')).toBeInTheDocument();
    expect(mock.find('DELETE', '/api/v1/me/tokens/t9')).toHaveLength(1);
  });
});
