// Talks to a running tend from the test's side (Node), as scripts and
// devices do: a person signs in with a cookie and CSRF token; a device
// uses HTTP Basic authentication with its id and credential.

/** Signs in and returns a client that sends the session cookie and CSRF token. */
export async function signInApi(baseURL, { email, password }) {
  const res = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`sign-in of ${email} failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken, user } = await res.json();
  async function call(method, path, body) {
    const r = await fetch(`${baseURL}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrfToken },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : undefined;
  }
  return {
    user,
    cookie,
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    put: (p, b) => call('PUT', p, b),
    patch: (p, b) => call('PATCH', p, b),
  };
}

/** Sends readings as a device to the batch door, POST /api/v1/readings, with Basic auth. */
export async function postAsDevice(baseURL, { id, credential }, readings) {
  const res = await fetch(`${baseURL}/api/v1/readings`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${id}:${credential}`).toString('base64')}`,
    },
    body: JSON.stringify({ readings }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`device post answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}
