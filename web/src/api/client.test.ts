import { describe, expect, it, vi } from 'vitest';
import { api, ApiError, errorMessage, setUnauthorizedHandler } from './client';
import { mockApi, noContent, ok, problem } from '../test/mockApi';

describe('api client', () => {
  it('sends the CSRF cookie as a header on writes, not on reads', async () => {
    document.cookie = 'tend_csrf=abc%20123; path=/';
    const mock = mockApi({ 'GET /api/v1/me': ok({ id: '1' }), 'POST /api/v1/me/tokens': ok({ id: 't' }) });
    await api('/api/v1/me');
    await api('/api/v1/me/tokens', { method: 'POST', body: { label: 'x' } });
    expect(mock.calls[0]!.headers['X-CSRF-Token']).toBeUndefined();
    expect(mock.calls[1]!.headers['X-CSRF-Token']).toBe('abc 123');
    expect(mock.calls[1]!.body).toEqual({ label: 'x' });
    const init = vi.mocked(fetch).mock.calls[0]![1]!;
    expect(init.credentials).toBe('same-origin');
  });

  it('turns problem+json into an ApiError with its detail and field errors', async () => {
    mockApi({
      'POST /api/v1/users': problem(422, 'The request is not valid.', {
        errors: [
          { message: 'already taken', location: 'body.email', value: 'a@b.c' },
          { message: 'bad date', location: 'body.profile.birthDate' },
          { message: 'no location' },
        ],
      }),
    });
    const err = await api('/api/v1/users', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const e = err as ApiError;
    expect(e.status).toBe(422);
    expect(errorMessage(e)).toBe('The request is not valid.');
    expect(e.fieldErrors()).toEqual({ email: 'Already taken', 'profile.birthDate': 'Bad date' });
  });

  it('calls the sign-out handler on a 401, except when asked not to', async () => {
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    mockApi({
      'GET /api/v1/patients': problem(401, 'Sign in first.'),
      'POST /api/v1/auth/login': problem(401, 'Wrong'),
    });
    await expect(api('/api/v1/patients')).rejects.toThrow('Sign in first.');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(api('/api/v1/auth/login', { method: 'POST', quietUnauthorized: true })).rejects.toThrow('Wrong');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    setUnauthorizedHandler(null);
  });

  it('returns undefined for 204 and leaves empty query values out', async () => {
    const mock = mockApi({ 'DELETE /api/v1/me/tokens/:id': noContent(), 'GET /api/v1/users': ok({ users: [] }) });
    await expect(api('/api/v1/me/tokens/t1', { method: 'DELETE' })).resolves.toBeUndefined();
    await api('/api/v1/users', { query: { q: '', role: 'nurse' } });
    expect(mock.calls[1]!.query.toString()).toBe('role=nurse');
  });

  it('explains a network failure in plain words', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/could not reach the server/i);
  });
});
