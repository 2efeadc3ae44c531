import { vi } from 'vitest';
import type { Me, Problem } from '../api/types';

export interface MockRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  body: unknown;
  headers: Record<string, string>;
}

export interface MockResponse {
  status: number;
  body?: unknown;
}

type Handler = MockResponse | ((req: MockRequest) => MockResponse | Promise<MockResponse>);

export const ok = (body: unknown): MockResponse => ({ status: 200, body });
export const created = (body: unknown): MockResponse => ({ status: 201, body });
export const noContent = (): MockResponse => ({ status: 204 });
export const problem = (status: number, detail: string, extra: Partial<Problem> = {}): MockResponse => ({
  status,
  body: { type: 'about:blank', title: 'Error', status, detail, ...extra },
});

/**
 * Replaces fetch with a small fake of Tend's API. Routes are keyed
 * "METHOD /path/:param"; a request no route matches fails the test loudly
 * with a 599 so the missing mock is easy to spot.
 */
export function mockApi(routes: Record<string, Handler>) {
  const calls: MockRequest[] = [];
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const names: string[] = [];
    const re = new RegExp(
      '^' +
        pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, n: string) => {
          names.push(n);
          return '([^/]+)';
        }) +
        '$',
    );
    return { method, re, names, handler };
  });

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://tend.test');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = { ...(init.headers as Record<string, string> | undefined) };
    const body = typeof init.body === 'string' && init.body ? JSON.parse(init.body) : undefined;
    for (const r of table) {
      const m = r.re.exec(url.pathname);
      if (!m || r.method !== method) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1] ?? '')));
      const req: MockRequest = { method, path: url.pathname, query: url.searchParams, params, body, headers };
      calls.push(req);
      const res = typeof r.handler === 'function' ? await r.handler(req) : r.handler;
      return respond(res);
    }
    calls.push({ method, path: url.pathname, query: url.searchParams, params: {}, body, headers });
    return respond(problem(599, `No mock for ${method} ${url.pathname}`));
  });
  vi.stubGlobal('fetch', fetchMock);

  return {
    calls,
    /** The requests made to one route, e.g. find('POST', '/api/v1/users'). */
    find: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}

function respond(res: MockResponse): Response {
  if (res.status === 204 || res.body === undefined) return new Response(null, { status: res.status });
  const type = res.status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(res.body), { status: res.status, headers: { 'Content-Type': type } });
}

export function user(overrides: Partial<Me> = {}): Me {
  return {
    id: 'u-1',
    email: 'someone@example.org',
    name: 'Someone',
    roles: ['patient'],
    disabled: false,
    createdAt: '2025-01-02T10:00:00Z',
    ...overrides,
  };
}

export const ADMIN = user({ id: 'admin-1', email: 'admin@example.org', name: 'Ada Admin', roles: ['admin'] });
export const PATIENT = user({
  id: 'pat-1',
  email: 'pat@example.org',
  name: 'Pat Patient',
  roles: ['patient'],
  profile: { birthDate: '1950-04-01', sex: 'female', timeZone: 'Europe/Paris', mrn: 'MRN-1' },
});
export const NURSE = user({ id: 'nurse-1', email: 'nina@example.org', name: 'Nina Nurse', roles: ['nurse'] });
export const DOCTOR_PATIENT = user({
  id: 'doc-1',
  email: 'dora@example.org',
  name: 'Dora Doctor',
  roles: ['doctor', 'patient'],
});
