// The live door: one WebSocket per tab, shared by every component that
// wants to hear about patients (internal/ws/doc.go describes the protocol).
// Components say which patients they watch with useLive; the connection
// subscribes to all of them at once, turns events into react-query
// invalidations, reconnects with backoff and subscribes again.
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { keys } from './keys';
import { monitoringKeys, monitoringKeysAbout, monitoringKeysAfterGap, monitoringKeysForEvent } from './monitoring';

export interface LiveEvent {
  id?: string;
  kind: string;
  patientId: string;
  scope?: string;
  at?: string;
  data?: unknown;
}

export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

interface Interest {
  all: boolean;
  patients: string[];
  /** Keeps the socket open for the user's own notices, even when no patient is watched. */
  personal?: boolean;
  onEvent?: (e: LiveEvent) => void;
}

/** What to reload when an event about a patient arrives. */
export function keysForEvent(e: LiveEvent): QueryKey[] {
  return [...baseKeysForEvent(e), ...monitoringKeysForEvent(e)];
}

function baseKeysForEvent(e: LiveEvent): QueryKey[] {
  const p = e.patientId;
  const kind = e.kind;
  // A notice for the user alone: a new notification for the bell.
  if (kind === 'notification.sent') return [monitoringKeys.notifications];
  if (kind.startsWith('reading.')) {
    // A device that sent readings was heard from: its last-seen and battery changed too.
    return [keys.readings(p), keys.patientDevices(p), keys.patients];
  }
  if (kind.startsWith('journal.')) return [keys.journal(p)];
  if (kind === 'grant.changed')
    return [keys.patients, keys.patient(p), keys.grants(p), keys.readings(p), keys.journal(p)];
  if (kind.startsWith('alert.')) return [['alerts', p], keys.patients];
  return [keys.patients];
}

/** Everything shown about a patient, for when events may have been missed. */
function everythingAbout(p: string): QueryKey[] {
  return [
    keys.readings(p),
    keys.journal(p),
    keys.patientDevices(p),
    keys.patient(p),
    ['alerts', p],
    ...monitoringKeysAbout(p),
  ];
}

const FLUSH_MS = 150;
const LINGER_MS = 3000;
const MAX_BACKOFF_MS = 30_000;

export class LiveConnection {
  private interests = new Map<number, Interest>();
  private nextId = 1;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;
  private sendTimer: ReturnType<typeof setTimeout> | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private pending = new Map<string, QueryKey>();
  private everOpened = false;
  /** This socket replaced one that dropped: events may have been missed in between. */
  private missed = false;
  private lastSent = '';
  private statusValue: LiveStatus = 'idle';
  private statusListeners = new Set<() => void>();

  constructor(private readonly qc: QueryClient) {}

  get status(): LiveStatus {
    return this.statusValue;
  }

  onStatus = (fn: () => void) => {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  };

  private setStatus(s: LiveStatus) {
    if (s === this.statusValue) return;
    this.statusValue = s;
    this.statusListeners.forEach((fn) => fn());
  }

  add(interest: Interest): () => void {
    const id = this.nextId++;
    this.interests.set(id, interest);
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    if (!this.ws && !this.retryTimer) this.connect();
    else this.scheduleSubscribe();
    return () => {
      this.interests.delete(id);
      if (this.interests.size === 0) {
        this.lingerTimer = setTimeout(() => this.shutdown(), LINGER_MS);
      } else {
        this.scheduleSubscribe();
      }
    };
  }

  /** The subscribe message for what is watched now. */
  private wanted(): { type: 'subscribe'; all?: true; patients?: string[] } {
    const all = [...this.interests.values()].some((i) => i.all);
    if (all) return { type: 'subscribe', all: true };
    const set = new Set<string>();
    this.interests.forEach((i) => i.patients.forEach((p) => p && set.add(p)));
    return { type: 'subscribe', patients: [...set].sort() };
  }

  private watched(): string[] {
    const set = new Set<string>();
    this.interests.forEach((i) => i.patients.forEach((p) => p && set.add(p)));
    return [...set];
  }

  private scheduleSubscribe() {
    if (this.sendTimer) return;
    this.sendTimer = setTimeout(() => {
      this.sendTimer = null;
      this.sendSubscribe(false);
    }, 0);
  }

  private sendSubscribe(force: boolean) {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return;
    const msg = JSON.stringify(this.wanted());
    if (!force && msg === this.lastSent) return;
    this.lastSent = msg;
    ws.send(msg);
  }

  private connect() {
    const Socket = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    if (!Socket || typeof location === 'undefined') return;
    this.retryTimer = null;
    this.setStatus(this.everOpened ? 'reconnecting' : 'connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`;
    let ws: WebSocket;
    try {
      ws = new Socket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.missed = this.everOpened;
      this.lastSent = '';
      this.sendSubscribe(true);
    };
    ws.onmessage = (m: MessageEvent) => {
      if (this.ws !== ws) return;
      this.onMessage(typeof m.data === 'string' ? m.data : '');
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (ev.code === 4001) {
        // The session ended: asking who we are makes the app sign out.
        void this.qc.invalidateQueries({ queryKey: keys.me });
      }
      if (this.interests.size > 0) this.scheduleReconnect();
      else this.setStatus('idle');
    };
    ws.onerror = () => {
      // A close follows; reconnecting happens there.
    };
  }

  private scheduleReconnect() {
    this.setStatus('reconnecting');
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private onMessage(text: string) {
    let msg: { type?: string; event?: LiveEvent; detail?: string };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    switch (msg.type) {
      case 'subscribed':
        this.attempt = 0;
        // Back after a drop: what happened meanwhile was not heard. (The
        // answer to a mere change of what is watched misses nothing.)
        if (this.missed) {
          this.missed = false;
          this.watched().forEach((p) => everythingAbout(p).forEach((k) => this.queue(k)));
          this.queue(keys.patients);
          monitoringKeysAfterGap.forEach((k) => this.queue(k));
        }
        this.everOpened = true;
        this.setStatus('open');
        break;
      case 'event': {
        const e = msg.event;
        if (!e || !e.kind) return;
        keysForEvent(e).forEach((k) => this.queue(k));
        this.interests.forEach((i) => {
          if (i.all || i.patients.includes(e.patientId)) i.onEvent?.(e);
        });
        break;
      }
      case 'lagged':
        // Events were lost; the server closes next and we reconnect, then reload.
        this.watched().forEach((p) => everythingAbout(p).forEach((k) => this.queue(k)));
        this.queue(keys.patients);
        monitoringKeysAfterGap.forEach((k) => this.queue(k));
        break;
      default:
        break;
    }
  }

  /** Invalidations are gathered for a moment, so a burst of events reloads each thing once. */
  private queue(key: QueryKey) {
    this.pending.set(JSON.stringify(key), key);
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      const list = [...this.pending.values()];
      this.pending.clear();
      list.forEach((k) => void this.qc.invalidateQueries({ queryKey: k }));
    }, FLUSH_MS);
  }

  shutdown() {
    this.lingerTimer = null;
    [this.retryTimer, this.sendTimer].forEach((t) => t && clearTimeout(t));
    this.retryTimer = this.sendTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.everOpened = false;
    this.missed = false;
    this.attempt = 0;
    this.lastSent = '';
    if (ws && ws.readyState <= 1) ws.close(1000);
    this.setStatus('idle');
  }
}

const connections = new WeakMap<QueryClient, LiveConnection>();

export function liveConnection(qc: QueryClient): LiveConnection {
  let c = connections.get(qc);
  if (!c) {
    c = new LiveConnection(qc);
    connections.set(qc, c);
  }
  return c;
}

/**
 * Watches patients live: while mounted, events about them (new readings,
 * corrections, journal entries, grants, alerts) reload what the app shows
 * of them. `all` watches every patient the user may see. How the
 * connection is doing is useLiveStatus's: a component that only watches
 * does not render again each time the connection opens or drops.
 */
export function useLive(opts: {
  patients?: string[];
  all?: boolean;
  /** Hear the user's own notices (new notifications) even with no patient watched. */
  personal?: boolean;
  enabled?: boolean;
  onEvent?: (e: LiveEvent) => void;
}): void {
  const qc = useQueryClient();
  const conn = liveConnection(qc);
  const onEvent = useRef(opts.onEvent);
  onEvent.current = opts.onEvent;
  const enabled = opts.enabled ?? true;
  const all = !!opts.all;
  const personal = !!opts.personal;
  const patientsKey = (opts.patients ?? []).filter(Boolean).join(',');

  useEffect(() => {
    if (!enabled || (!all && !personal && !patientsKey)) return;
    return conn.add({
      all,
      personal,
      patients: patientsKey ? patientsKey.split(',') : [],
      onEvent: (e) => onEvent.current?.(e),
    });
  }, [conn, enabled, all, personal, patientsKey]);
}

/**
 * How the shared connection is doing, for a "Live" indicator. Kept apart
 * from useLive so that only the indicator renders again when it changes
 * (on a patient's page that was the whole chart, just before its first draw).
 */
export function useLiveStatus(): LiveStatus {
  const conn = liveConnection(useQueryClient());
  return useSyncExternalStore(
    conn.onStatus,
    () => conn.status,
    () => 'idle' as LiveStatus,
  );
}
