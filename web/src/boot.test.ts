import { QueryClient } from '@tanstack/react-query';
import { boot, loadPatientPage } from './boot';
import { keys } from './api/keys';
import { mockApi, NURSE, ok, problem } from './test/mockApi';
import { patientDetail, reading, recordRoutes } from './test/records';
import { renderApp } from './test/render';
import { screen } from '@testing-library/react';

function qc() {
  return new QueryClient({ defaultOptions: { queries: { retry: false } } });
}

describe('boot', () => {
  it('has a patient page’s first data in the cache before the app’s first render, and its code', async () => {
    const api = mockApi({
      'GET /api/v1/me': ok(NURSE),
      ...recordRoutes({ patient: patientDetail(), readings: [reading({ type: 'heart_rate' })] }),
    });
    const started = boot('/patients/p1');
    await started.ready;
    const cache = qc();
    started.handOver(cache);
    // Straight away, not a promise later: the first render draws the chart.
    expect(cache.getQueryData(keys.latestReadings('p1'))).toHaveProperty('heart_rate');
    const buckets = cache.getQueryCache().findAll({ queryKey: ['readings', 'p1', 'buckets', 'heart_rate'] });
    expect(buckets).toHaveLength(1);
    expect(buckets[0]!.state.data).toHaveProperty('buckets');
    expect(loadPatientPage.loaded()).not.toBeNull();
    // One request for the patient, the latest of every type and the chart, not one after another.
    expect(api.find('GET', '/api/v1/patients/p1/overview')).toHaveLength(1);
    expect(api.calls.filter((c) => c.path.startsWith('/api/v1/patients/'))).toHaveLength(1);
    expect(cache.getQueryData(keys.patient('p1'))).toMatchObject({ id: 'p1' });
  });

  it('puts no readings in for a viewer who may not see them, and asks nothing of a patient when nobody is signed in', async () => {
    const api = mockApi({
      'GET /api/v1/me': ok(NURSE),
      ...recordRoutes({ patient: patientDetail({ access: 'share', scopes: ['journal'] }), readings: [reading()] }),
    });
    const started = boot('/patients/p1');
    await started.ready;
    expect(api.find('GET', '/api/v1/patients/p1/overview')).toHaveLength(1);
    expect(api.calls.filter((c) => c.path.includes('/readings'))).toHaveLength(0);
    const cache = qc();
    started.handOver(cache);
    expect(cache.getQueryData(keys.patient('p1'))).toMatchObject({ scopes: ['journal'] });
    expect(cache.getQueryData(keys.latestReadings('p1'))).toBeUndefined();

    const anon = mockApi({ 'GET /api/v1/me': problem(401, 'sign in first') });
    await boot('/patients/p1').ready;
    expect(anon.calls.map((c) => c.path)).toEqual(['/api/v1/me']);
  });

  it('leaves the app nothing to ask again: the page opened directly shows what boot brought, with one overview', async () => {
    const api = mockApi({
      'GET /api/v1/me': ok(NURSE),
      ...recordRoutes({ patient: patientDetail(), readings: [reading({ type: 'heart_rate' })] }),
    });
    const started = boot('/patients/p1');
    await started.ready;
    renderApp('/patients/p1', { before: (qc) => started.handOver(qc) });
    expect(await screen.findByRole('heading', { name: 'Vitals' })).toBeInTheDocument();
    // The sections below the chart come in once it is drawn (or at the latest after 1.5 s).
    expect(await screen.findByRole('heading', { name: 'Readings' }, { timeout: 5000 })).toBeInTheDocument();
    expect(api.find('GET', '/api/v1/patients/p1/overview')).toHaveLength(1);
  });

  it('asks for the record alongside /me when the browser has a session, not a round trip after it', async () => {
    let answerMe: (v: unknown) => void = () => {};
    const api = mockApi({
      'GET /api/v1/me': () => new Promise((r) => (answerMe = () => r(ok(NURSE)))),
      ...recordRoutes({ patient: patientDetail(), readings: [reading({ type: 'heart_rate' })] }),
    });
    document.cookie = 'tend_csrf=t0k3n; path=/';
    try {
      const started = boot('/patients/p1');
      await vi.waitFor(() => expect(api.find('GET', '/api/v1/patients/p1/overview')).toHaveLength(1));
      answerMe(null);
      await started.ready;
      const cache = qc();
      started.handOver(cache);
      expect(cache.getQueryData(keys.latestReadings('p1'))).toHaveProperty('heart_rate');
      expect(api.find('GET', '/api/v1/patients/p1/overview')).toHaveLength(1);
    } finally {
      document.cookie = 'tend_csrf=; path=/; max-age=0';
    }
  });
});
