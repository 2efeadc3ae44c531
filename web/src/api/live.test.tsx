import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../test/fakeSocket';
import { keys } from './keys';
import { keysForEvent, useLive, useLiveStatus } from './live';

function Watcher({ patients, all }: { patients?: string[]; all?: boolean }) {
  useLive({ patients, all });
  const status = useLiveStatus();
  return <output aria-label="status">{status}</output>;
}

function setup(ui: React.ReactNode) {
  const qc = new QueryClient();
  const invalidated: string[] = [];
  vi.spyOn(qc, 'invalidateQueries').mockImplementation(async (f) => {
    invalidated.push(JSON.stringify((f as { queryKey: unknown }).queryKey));
  });
  const utils = render(<QueryClientProvider client={qc}>{ui}</QueryClientProvider>);
  return { qc, invalidated, ...utils };
}

describe('useLive', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shares one socket, subscribes to every watched patient, and reloads what an event changed', async () => {
    const { invalidated } = setup(
      <>
        <Watcher patients={['p1']} />
        <Watcher patients={['p2', 'p1']} />
      </>,
    );
    expect(FakeWebSocket.instances).toHaveLength(1);
    const ws = FakeWebSocket.last()!;
    act(() => ws.open());
    expect(ws.sent.at(-1)).toEqual({ type: 'subscribe', patients: ['p1', 'p2'] });
    act(() => ws.acknowledge());
    expect(screen.getAllByLabelText('status')[0]).toHaveTextContent('open');

    act(() => {
      ws.receive({ type: 'event', event: { kind: 'reading.created', patientId: 'p2', data: {} } });
      ws.receive({ type: 'event', event: { kind: 'reading.created', patientId: 'p2', data: {} } });
      ws.receive({ type: 'event', event: { kind: 'journal.created', patientId: 'p1', data: {} } });
    });
    await act(() => vi.advanceTimersByTimeAsync(200));
    // A burst reloads each thing once.
    expect(invalidated.filter((k) => k === JSON.stringify(keys.readings('p2')))).toHaveLength(1);
    expect(invalidated).toContain(JSON.stringify(keys.patientDevices('p2')));
    expect(invalidated).toContain(JSON.stringify(keys.journal('p1')));
  });

  it('reconnects with backoff after a drop, subscribes again and reloads what may have been missed', async () => {
    const { invalidated } = setup(<Watcher patients={['p1']} />);
    const first = FakeWebSocket.last()!;
    act(() => first.open());
    act(() => first.acknowledge());
    act(() => first.close(1006));
    expect(screen.getByLabelText('status')).toHaveTextContent('reconnecting');
    expect(FakeWebSocket.instances).toHaveLength(1);

    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(FakeWebSocket.instances).toHaveLength(2);
    const second = FakeWebSocket.last()!;
    // The server is still away: the next try waits longer.
    act(() => second.close(1006));
    await act(() => vi.advanceTimersByTimeAsync(700));
    expect(FakeWebSocket.instances).toHaveLength(2);
    await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(FakeWebSocket.instances).toHaveLength(3);

    const third = FakeWebSocket.last()!;
    act(() => third.open());
    expect(third.sent).toEqual([{ type: 'subscribe', patients: ['p1'] }]);
    act(() => third.acknowledge());
    await act(() => vi.advanceTimersByTimeAsync(200));
    expect(invalidated).toContain(JSON.stringify(keys.readings('p1')));
    expect(invalidated).toContain(JSON.stringify(keys.journal('p1')));
    expect(screen.getByLabelText('status')).toHaveTextContent('open');
  });

  it('reloads when told events were lost, and watches everyone for a dashboard', async () => {
    const { invalidated } = setup(<Watcher all />);
    const ws = FakeWebSocket.last()!;
    act(() => ws.open());
    expect(ws.sent.at(-1)).toEqual({ type: 'subscribe', all: true });
    act(() => ws.acknowledge());
    act(() => ws.receive({ type: 'lagged' }));
    await act(() => vi.advanceTimersByTimeAsync(200));
    expect(invalidated).toContain(JSON.stringify(keys.patients));
  });

  it('closes the socket a while after the last watcher leaves', async () => {
    const { unmount } = setup(<Watcher patients={['p1']} />);
    const ws = FakeWebSocket.last()!;
    act(() => ws.open());
    unmount();
    expect(ws.readyState).toBe(1);
    await act(() => vi.advanceTimersByTimeAsync(3500));
    expect(ws.readyState).toBe(3);
  });

  it('opens for the user’s own notices with no patient watched, and a notice reloads the bell', async () => {
    function Bell() {
      useLive({ personal: true });
      return null;
    }
    const { invalidated } = setup(<Bell />);
    expect(FakeWebSocket.instances).toHaveLength(1);
    const ws = FakeWebSocket.last()!;
    act(() => ws.open());
    expect(ws.sent.at(-1)).toEqual({ type: 'subscribe', patients: [] });
    act(() => ws.acknowledge());
    act(() => ws.receive({ type: 'event', event: { kind: 'notification.sent', patientId: '', data: { id: 'n1' } } }));
    await act(() => vi.advanceTimersByTimeAsync(200));
    expect(invalidated).toContain(JSON.stringify(['notifications']));
  });

  it('reloads nothing when a page starts watching a patient on an open socket', async () => {
    // The bell opens the socket; the patient's page joins once its code is in.
    function Bell() {
      useLive({ personal: true });
      return null;
    }
    const { invalidated, rerender, qc } = setup(<Bell />);
    const ws = FakeWebSocket.last()!;
    act(() => ws.open());
    act(() => ws.acknowledge());
    rerender(
      <QueryClientProvider client={qc}>
        <Bell />
        <Watcher patients={['p1']} />
      </QueryClientProvider>,
    );
    await act(() => vi.advanceTimersByTimeAsync(10));
    expect(ws.sent.at(-1)).toEqual({ type: 'subscribe', patients: ['p1'] });
    act(() => ws.acknowledge());
    await act(() => vi.advanceTimersByTimeAsync(200));
    expect(invalidated).toEqual([]);
  });

  it('knows what each kind of event changes', () => {
    expect(keysForEvent({ kind: 'reading.corrected', patientId: 'p' })).toContainEqual(keys.readings('p'));
    expect(keysForEvent({ kind: 'grant.changed', patientId: 'p' })).toContainEqual(keys.patient('p'));
    expect(keysForEvent({ kind: 'alert.opened', patientId: 'p' })).toContainEqual(['alerts', 'p']);
  });
});
