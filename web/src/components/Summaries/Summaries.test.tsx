import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../api/summaries';
import { mockApi, NURSE, ok, PATIENT, problem, user } from '../../test/mockApi';
import { emptySummary, patientDetail, reading, recordRoutes } from '../../test/records';

const FAMILY = user({ id: 'fam-1', email: 'fay@example.org', name: 'Fay Family', roles: ['family'] });
import { renderApp } from '../../test/render';

/** A week of home blood pressure, glucose and weight, as the server sums them up. */
function weekSummary(): Summary {
  const s = emptySummary(14);
  s.bloodPressure = {
    ...s.bloodPressure,
    readings: 24,
    days: 6,
    sufficient: true,
    note: undefined,
    all: { label: 'All readings', count: 24, systolic: 130, diastolic: 83, reachesThreshold: false },
    morning: { label: 'Morning (04:00–12:00)', count: 12, systolic: 136, diastolic: 87, reachesThreshold: true },
    evening: { label: 'Evening (18:00–24:00)', count: 12, systolic: 124, diastolic: 79, reachesThreshold: false },
  };
  s.glucose = {
    ...s.glucose,
    readings: 669,
    mean: 138,
    sd: 35,
    cv: 25.1,
    inRange: 72.4,
    below: 2,
    veryLow: 0.5,
    above: 25.6,
    veryHigh: 4,
    active: 16.2,
    note: 'Rests on 669 readings over 14 days; take them as a sketch, not a verdict.',
    checks: [
      { name: 'time in range 70–180 mg/dL', value: 72.4, goal: '> 70 %', met: true },
      { name: 'time above 180 mg/dL', value: 25.6, goal: '< 25 %', met: false },
    ],
    profile: s.glucose.profile.map((h) => ({
      ...h,
      count: 28,
      p5: 80,
      p25: 100,
      p50: 120 + h.hour,
      p75: 150,
      p95: 190,
    })),
  };
  s.weight = {
    ...s.weight,
    readings: 13,
    first: { at: '2026-11-10T07:00:00Z', value: 79.9 },
    latest: { at: '2026-11-22T07:00:00Z', value: 78.7 },
    change: -1.2,
    changePercent: -1.5,
    perWeek: -0.7,
    note: undefined,
    daily: [
      { date: '2026-11-10', count: 1, mean: 79.9 },
      { date: '2026-11-22', count: 1, mean: 78.7 },
    ],
  };
  return s;
}

describe('Summaries', () => {
  it('shows a nurse the home blood pressure against the threshold, glucose in ranges and its profile, and the weight trend', async () => {
    const store = { patient: patientDetail({ id: PATIENT.id, access: 'care' }), readings: [] };
    const api = mockApi({
      'GET /api/v1/me': ok(NURSE),
      ...recordRoutes(store),
      'GET /api/v1/patients/:id/summaries': (req) => ok({ ...weekSummary(), days: Number(req.query.get('days')) }),
    });
    const { user } = renderApp(`/patients/${PATIENT.id}`);
    const section = await screen.findByRole('region', { name: 'Summaries' });

    const bp = await within(section).findByRole('region', { name: 'Blood pressure at home' });
    expect(within(bp).getByText(/24 readings on 6 days/)).toBeInTheDocument();
    const rows = within(within(bp).getByRole('table', { name: 'Home blood pressure means' })).getAllByRole('row');
    expect(rows[2]).toHaveTextContent('Morning04:00–12:00136/8712 readingsAt or above');
    expect(rows[3]).toHaveTextContent('Evening18:00–24:00124/7912 readingsBelow');

    const glucose = within(section).getByRole('region', { name: 'Glucose' });
    expect(within(glucose).getByText('In range').parentElement).toHaveTextContent('In range72.4 %goal > 70 %');
    expect(within(glucose).getByText('Mean').parentElement).toHaveTextContent('Mean138 mg/dL');
    expect(within(glucose).getByText(/take them as a sketch/)).toBeInTheDocument();
    expect(within(glucose).getByRole('img', { name: /Time in ranges/ })).toBeInTheDocument();
    expect(
      await within(glucose).findByRole('img', { name: /Ambulatory glucose profile.*target 70–180 mg\/dL/ }),
    ).toBeInTheDocument();
    const checks = within(glucose).getByRole('table', { name: 'Consensus targets' });
    expect(within(checks).getAllByRole('row')[1]).toHaveTextContent('Not met');

    const weight = within(section).getByRole('region', { name: 'Weight' });
    expect(within(weight).getByText('−1.2 kg')).toBeInTheDocument();
    expect(within(weight).getByText('−0.7 kg')).toBeInTheDocument();

    // Another period asks the server again.
    await user.click(within(section).getByRole('radio', { name: '30 days' }));
    await waitFor(() =>
      expect(api.find('GET', `/api/v1/patients/${PATIENT.id}/summaries`).at(-1)!.query.get('days')).toBe('30'),
    );

    // The exports are links the browser downloads.
    const pdf = within(section).getByRole('link', { name: 'PDF report (30 days)' });
    expect(pdf).toHaveAttribute(
      'href',
      `/api/v1/patients/${PATIENT.id}/report.pdf?days=30&glucoseUnit=mg%2FdL&weightUnit=kg`,
    );
    const csv = within(section).getByRole('link', { name: 'Download CSV' });
    const href = new URL(csv.getAttribute('href')!, 'http://tend.test');
    expect(href.pathname).toBe(`/api/v1/patients/${PATIENT.id}/readings.csv`);
    const from = new Date(href.searchParams.get('from')!);
    const to = new Date(href.searchParams.get('to')!);
    expect(Math.round((to.getTime() - from.getTime()) / 86_400_000)).toBe(30);
    expect(from.getHours()).toBe(0);

    // A range that ends before it starts cannot be downloaded.
    const group = within(section).getByRole('group', { name: 'Export readings as CSV' });
    const first = within(group).getByLabelText('Readings from');
    await user.clear(first);
    await user.type(first, '2999-01-01');
    expect(await within(group).findByText('The first day must not come after the last.')).toBeInTheDocument();
    expect(within(group).queryByRole('link', { name: 'Download CSV' })).not.toBeInTheDocument();
  });

  it('asks for the alert thresholds only when the viewer may see the patient’s alerts', async () => {
    const store = {
      patient: patientDetail({ id: PATIENT.id, access: 'share', scopes: ['vitals'] }),
      readings: [reading({ type: 'heart_rate', value: 72, unit: '/min' })],
    };
    const api = mockApi({ 'GET /api/v1/me': ok(FAMILY), ...recordRoutes(store) });
    renderApp(`/patients/${PATIENT.id}`);
    await screen.findByRole('region', { name: 'Summaries' });
    await waitFor(() => expect(api.find('GET', `/api/v1/patients/${PATIENT.id}/schedules`)).not.toHaveLength(0));
    expect(api.find('GET', `/api/v1/patients/${PATIENT.id}/alert-rules`)).toHaveLength(0);
  });

  it('says plainly when there is nothing to sum up, and when the summaries cannot be loaded', async () => {
    const store = {
      patient: patientDetail({ id: PATIENT.id, name: PATIENT.name, access: 'self', scopes: [] }),
      readings: [],
    };
    let fail = false;
    mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes(store),
      'GET /api/v1/patients/:id/summaries': () => (fail ? problem(500, 'The database is away.') : ok(emptySummary(14))),
    });
    const { user } = renderApp('/my-readings');
    const section = await screen.findByRole('region', { name: 'Summaries' });
    expect(await within(section).findByText('No blood pressure readings in the last seven days.')).toBeInTheDocument();
    expect(within(section).getByText('No glucose readings in this period.')).toBeInTheDocument();
    expect(within(section).getByText('No weight readings in this period.')).toBeInTheDocument();
    expect(within(section).queryByRole('table')).not.toBeInTheDocument();

    fail = true;
    await user.click(within(section).getByRole('radio', { name: '90 days' }));
    expect(await within(section).findByText('The database is away.')).toBeInTheDocument();
  });
});
