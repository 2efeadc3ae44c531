import type { Problem } from './types';

/** Server messages are sentences that may start in lower case; show them as sentences. */
export function sentence(text: string): string {
  const t = text.trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) : t;
}

/** An API call that did not succeed, carrying the server's problem details. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(sentence(problem.detail || problem.title || `The server answered ${status}.`));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /**
   * Field errors keyed by the field's path without the `body.` prefix, e.g.
   * `email` or `profile.birthDate`. Errors that name no field are left out.
   */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      if (!e.location || !e.location.startsWith('body.')) continue;
      const key = e.location.slice('body.'.length);
      if (!out[key]) out[key] = sentence(e.message ?? 'Not valid.');
    }
    return out;
  }
}

/** The message to show a person for any error a query or mutation raised. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return 'Could not reach the server. Check your connection and try again.';
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}

type UnauthorizedListener = () => void;
let onUnauthorized: UnauthorizedListener | null = null;

/** Registers what happens when any call answers 401 (the app signs the user out). */
export function setUnauthorizedHandler(fn: UnauthorizedListener | null): void {
  onUnauthorized = fn;
}

// The login answer carries the CSRF token too; keep it as a fallback for when
// the cookie cannot be read (it normally can: tend_csrf is not HttpOnly).
let csrfFromLogin = '';
export function rememberCsrfToken(token: string): void {
  csrfFromLogin = token;
}

export function readCookie(name: string): string {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(';')) {
    const p = part.trim();
    if (p.startsWith(prefix)) return decodeURIComponent(p.slice(prefix.length));
  }
  return '';
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
  /** When set, a 401 is returned as an ApiError without signing the user out (used by login). */
  quietUnauthorized?: boolean;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Calls the API on the same origin. Resolves with the decoded JSON body (or
 * undefined for 204), rejects with ApiError for any answer that is not 2xx.
 */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = readCookie('tend_csrf') || csrfFromLogin;
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }

  const res = await fetch(buildUrl(path, opts.query), {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });

  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const problem = await readProblem(res);
  if (res.status === 401 && !opts.quietUnauthorized) onUnauthorized?.();
  throw new ApiError(res.status, problem);
}

async function readProblem(res: Response): Promise<Problem> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object') return { status: res.status, ...(body as Problem) };
  return { status: res.status, title: res.statusText || `Error ${res.status}` };
}
