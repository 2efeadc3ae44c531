import { act, screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeWebSocket } from '../../test/fakeSocket';
import { mockApi, NURSE, ok, PATIENT } from '../../test/mockApi';
import { alert, alertRoutes } from '../../test/monitoring';
import { renderApp } from '../../test/render';

const patients = ok({
  patients: [
    { id: 'p1', name: 'Pat Patient', access: 'care', scopes: ['vitals', 'alerts'] },
    { id: 'p2', name: 'Sam Other', access: 'care', scopes: ['vitals', 'alerts'] },
  ],
});

function liveSocket() {
  // The inbox and the navigation's count share one socket, watching every patient.
  const ws = FakeWebSocket.last()!;
  act(() => ws.open());
  return ws;
}

// The pages' code loads lazily; load it once before the clock of the first test starts.
beforeAll(async () => {
  await Promise.all([import('./Alerts'), import('../AlertDetail/AlertDetail')]);
}, 60_000);

describe('Alert inbox', () => {
  it('lists open alerts newest first, filters them, and links to the patient and the alert', async () => {
    const store = {
      alerts: [
        alert({ id: 'a-old', title: 'Blood glucose low', kind: 'vital', openedAt: '2026-01-01T08:00:00Z' }),
        alert({
          id: 'a-new',
          title: 'Scheduled measurement missed',
          kind: 'missed',
          patientId: 'p2',
          patientName: 'Sam Other',
          openedAt: '2026-01-02T08:00:00Z',
        }),
        alert({ id: 'a-done', title: 'SpO2 low', status: 'resolved', openedAt: '2026-01-03T08:00:00Z' }),
      ],
    };
    const api = mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/patients': patients, ...alertRoutes(store) });
    const { user } = renderApp('/alerts');
    expect(await screen.findByRole('heading', { name: 'Alerts' })).toBeInTheDocument();
    const list = await screen.findByRole('list', { name: 'Alerts' });
    const cards = within(list).getAllByRole('listitem');
    expect(cards.map((c) => within(c).getAllByRole('link')[0]!.textContent)).toEqual([
      'Scheduled measurement missed',
      'Blood glucose low',
    ]);
    expect(within(cards[0]!).getByRole('link', { name: 'Sam Other' })).toHaveAttribute('href', '/patients/p2');
    expect(within(cards[0]!).getByRole('link', { name: 'Scheduled measurement missed' })).toHaveAttribute(
      'href',
      '/patients/p2/alerts/a-new',
    );
    // Two open alerts: the navigation says so.
    expect(await screen.findByLabelText('2 open alerts')).toBeInTheDocument();

    // Resolved ones appear when asked for.
    await user.click(screen.getByRole('checkbox', { name: 'Resolved' }));
    expect(await within(list).findByText('SpO2 low')).toBeInTheDocument();
    expect(
      api.calls.some((c) => c.path === '/api/v1/alerts' && c.query.get('status') === 'open,acknowledged,resolved'),
    ).toBe(true);

    // By kind.
    await user.click(screen.getByRole('combobox', { name: 'Kind' }));
    const kinds = await screen.findByRole('listbox', { name: 'Kind', hidden: true });
    await user.click(within(kinds).getByRole('option', { name: 'Missed measurement', hidden: true }));
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
    expect(within(list).getByText('Scheduled measurement missed')).toBeInTheDocument();

    // By severity: nothing is critical.
    await user.click(screen.getByRole('combobox', { name: 'Severity' }));
    const sevs = await screen.findByRole('listbox', { name: 'Severity', hidden: true });
    await user.click(within(sevs).getByRole('option', { name: 'Critical', hidden: true }));
    expect(await screen.findByText('No alert matches')).toBeInTheDocument();
  });

  it('acknowledges, resolves with a comment and comments on an alert', async () => {
    const store = { alerts: [alert({ id: 'a1', title: 'Heart rate high' })] };
    const api = mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/patients': patients, ...alertRoutes(store) });
    const { user } = renderApp('/alerts');
    const card = await screen.findByRole('listitem', { name: 'Warning alert: Heart rate high' });

    await user.click(within(card).getByRole('button', { name: 'Acknowledge: Heart rate high' }));
    expect(await within(card).findByText(/Acknowledged by Nina Nurse/)).toBeInTheDocument();
    expect(api.find('POST', '/api/v1/alerts/a1/acknowledge')).toHaveLength(1);

    await user.click(within(card).getByRole('button', { name: 'Comment on: Heart rate high' }));
    const commentForm = await screen.findByRole('form', { name: 'Add a comment' });
    await user.click(within(commentForm).getByRole('button', { name: 'Add comment' }));
    expect(within(commentForm).getByText('Write a comment.')).toBeInTheDocument();
    await user.type(within(commentForm).getByRole('textbox', { name: 'Comment' }), 'Called, no answer');
    await user.click(within(commentForm).getByRole('button', { name: 'Add comment' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Add a comment' })).not.toBeInTheDocument());
    expect(api.find('POST', '/api/v1/alerts/a1/comments')[0]!.body).toEqual({ comment: 'Called, no answer' });

    await user.click(within(card).getByRole('button', { name: 'Resolve: Heart rate high' }));
    const resolve = await screen.findByRole('form', { name: 'Resolve the alert' });
    await user.click(within(resolve).getByRole('button', { name: 'Resolve' }));
    expect(within(resolve).getByText('Say what was done.')).toBeInTheDocument();
    await user.type(within(resolve).getByRole('textbox', { name: /What was done/ }), 'Rested, rate back to 80');
    await user.click(within(resolve).getByRole('button', { name: 'Resolve' }));
    // Resolved alerts leave the default view.
    expect(await screen.findByText('No alerts')).toBeInTheDocument();
    expect(api.find('POST', '/api/v1/alerts/a1/resolve')[0]!.body).toEqual({ comment: 'Rested, rate back to 80' });
  });

  it('shows an alert that opens while the inbox is open, with a cue when it is critical', async () => {
    const store = { alerts: [alert({ id: 'a1', title: 'Heart rate high' })] };
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/patients': patients, ...alertRoutes(store) });
    renderApp('/alerts');
    await screen.findByRole('listitem', { name: 'Warning alert: Heart rate high' });
    const ws = liveSocket();
    await waitFor(() => expect(ws.sent).toContainEqual({ type: 'subscribe', all: true }));
    act(() => ws.acknowledge());
    expect(await screen.findByTestId('live-status')).toHaveTextContent('Live');

    const crisis = alert({
      id: 'a2',
      title: 'Hypertensive crisis',
      severity: 'critical',
      patientName: 'Pat Patient',
      openedAt: new Date().toISOString(),
    });
    store.alerts.push(crisis);
    act(() =>
      ws.receive({ type: 'event', event: { kind: 'alert.opened', patientId: 'p1', scope: 'alerts', data: crisis } }),
    );

    const banner = await screen.findByRole('alert');
    expect(banner).toHaveTextContent('New critical alert');
    expect(banner).toHaveTextContent('Hypertensive crisis · Pat Patient');
    expect(within(banner).getByRole('link', { name: 'Open it' })).toHaveAttribute('href', '/patients/p1/alerts/a2');
    const card = await screen.findByRole('listitem', { name: 'Critical alert: Hypertensive crisis' });
    expect(within(card).getByText('New')).toBeInTheDocument();
    expect(await screen.findByLabelText('2 open alerts')).toBeInTheDocument();
  });

  it('is not offered to patients', async () => {
    mockApi({ 'GET /api/v1/me': ok(PATIENT), 'GET /api/v1/patients/:id': ok({}) });
    renderApp('/my-readings');
    await screen.findByRole('navigation', { name: 'Main navigation' });
    expect(screen.queryByRole('link', { name: /Alerts/ })).not.toBeInTheDocument();
  });
});

describe('Alert page', () => {
  it('shows the alert, its history with who and when, and moves it along', async () => {
    const store = {
      alerts: [
        alert({
          id: 'a1',
          title: 'Blood glucose very low',
          severity: 'critical',
          history: [{ at: '2026-01-01T08:00:05Z', action: 'notified', step: 0 }],
        }),
      ],
    };
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/patients': patients, ...alertRoutes(store) });
    const { user } = renderApp('/patients/p1/alerts/a1');
    expect(await screen.findByRole('heading', { name: 'Blood glucose very low' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Pat Patient' })).toHaveAttribute('href', '/patients/p1');
    const history = screen.getByLabelText('History');
    expect(history).toHaveTextContent('Care team told (step 1) · Tend');

    await user.click(screen.getByRole('button', { name: 'Acknowledge: Blood glucose very low' }));
    await waitFor(() => expect(screen.getByLabelText('History')).toHaveTextContent('Acknowledged · Nina Nurse'));
    await user.click(screen.getByRole('button', { name: 'Resolve: Blood glucose very low' }));
    const resolve = await screen.findByRole('form', { name: 'Resolve the alert' });
    await user.type(within(resolve).getByRole('textbox', { name: /What was done/ }), 'Gave glucose');
    await user.click(within(resolve).getByRole('button', { name: 'Resolve' }));
    await waitFor(() => expect(screen.getByLabelText('History')).toHaveTextContent('Resolved · Nina Nurse'));
    expect(screen.getByLabelText('History')).toHaveTextContent('Gave glucose');
    expect(screen.queryByRole('button', { name: /Resolve:/ })).not.toBeInTheDocument();
  });
});
