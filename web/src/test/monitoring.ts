// Sample monitoring data and a small in-memory API for it, for the tests of
// the alert inbox, the patient's monitoring sections and the patient's today.
import type { Dose, Medication } from '../api/medications';
import type { Alert, Chain, News2, Rule, Schedule } from '../api/monitoring';
import { ok, type MockRequest, type MockResponse } from './mockApi';

let seq = 0;

export function alert(overrides: Partial<Alert> = {}): Alert {
  seq++;
  const at = overrides.openedAt ?? new Date(Date.now() - seq * 60_000).toISOString();
  return {
    id: `al-${seq}`,
    patientId: 'p1',
    patientName: 'Pat Patient',
    ruleKey: 'heart_rate_high',
    kind: 'vital',
    severity: 'warning',
    title: 'Heart rate high',
    detail: 'Heart rate 131 /min is above 130 /min',
    status: 'open',
    count: 1,
    firstAt: at,
    lastAt: at,
    openedAt: at,
    escalationStep: 0,
    ...overrides,
  };
}

type Routes = Record<string, MockResponse | ((req: MockRequest) => MockResponse)>;

/** The alert routes over a list the test can change; acknowledge/resolve/comment move alerts along. */
export function alertRoutes(store: { alerts: Alert[] }, who = { id: 'nurse-1', name: 'Nina Nurse' }): Routes {
  const find = (id: string) => store.alerts.find((a) => a.id === id)!;
  const list = (req: MockRequest, patientId?: string) => {
    const status = (req.query.get('status') || 'open,acknowledged').split(',');
    const p = patientId ?? req.query.get('patientId');
    return ok({
      alerts: store.alerts
        .filter((a) => status.includes(a.status) && (!p || a.patientId === p))
        .sort((a, b) => b.openedAt.localeCompare(a.openedAt)),
    });
  };
  const log = (a: Alert, action: NonNullable<Alert['history']>[number]['action'], detail?: string) => {
    a.history = [
      ...(a.history ?? []),
      { at: new Date().toISOString(), actorId: who.id, actorName: who.name, action, detail },
    ];
  };
  return {
    'GET /api/v1/alerts': (req) => list(req),
    'GET /api/v1/patients/:id/alerts': (req) => list(req, req.params.id),
    'GET /api/v1/patients/:id/alerts/:alertId': (req) => ok(find(req.params.alertId!)),
    'POST /api/v1/alerts/:alertId/acknowledge': (req) => {
      const a = find(req.params.alertId!);
      const comment = (req.body as { comment?: string }).comment;
      Object.assign(a, {
        status: 'acknowledged',
        acknowledgedAt: new Date().toISOString(),
        acknowledgedBy: who.id,
        acknowledgedByName: who.name,
        ackComment: comment,
      });
      log(a, 'acknowledged', comment);
      return ok(a);
    },
    'POST /api/v1/alerts/:alertId/resolve': (req) => {
      const a = find(req.params.alertId!);
      const comment = (req.body as { comment?: string }).comment;
      Object.assign(a, {
        status: 'resolved',
        resolvedAt: new Date().toISOString(),
        resolvedBy: who.id,
        resolvedByName: who.name,
        resolveComment: comment,
      });
      log(a, 'resolved', comment);
      return ok(a);
    },
    'POST /api/v1/alerts/:alertId/comments': (req) => {
      const a = find(req.params.alertId!);
      log(a, 'commented', (req.body as { comment: string }).comment);
      return ok(a);
    },
  };
}

export function rule(overrides: Partial<Rule> = {}): Rule {
  return {
    key: 'heart_rate_high',
    name: 'Heart rate above 130',
    kind: 'vital',
    measure: 'heart_rate',
    conditions: [{ op: '>', value: 130, clear: 120 }],
    consecutive: 1,
    severity: 'critical',
    enabled: true,
    overridden: false,
    ...overrides,
  };
}

export const NEWS2_SCORE: News2 = {
  available: true,
  total: 6,
  partial: true,
  singleThree: false,
  risk: 'medium',
  response: 'Urgent response: a clinician assesses the patient urgently.',
  scale: 1,
  parameters: [
    { parameter: 'pulse', points: 2, value: 118, takenAt: '2026-01-01T08:00:00Z' },
    { parameter: 'spo2', points: 2, value: 93, takenAt: '2026-01-01T08:00:00Z' },
    { parameter: 'temperature', points: 2, value: 39.2, takenAt: '2026-01-01T08:00:00Z' },
  ],
  missing: ['respiratory_rate', 'consciousness'],
  since: '2025-12-31T08:00:00Z',
};

export interface MonitoringStore {
  schedules: Schedule[];
  rules: Rule[];
  chain: Chain;
  medications: Medication[];
  doses: Dose[];
  news2: News2;
  settings: { scale: 1 | 2; onOxygen?: boolean };
}

export function monitoringStore(over: Partial<MonitoringStore> = {}): MonitoringStore {
  return {
    schedules: [],
    rules: [rule()],
    chain: {
      patientId: 'p1',
      custom: false,
      steps: [{ members: [{ userId: 'nurse-1', name: 'Nina Nurse', roles: ['nurse'] }], waitMinutes: 15 }],
    },
    medications: [],
    doses: [],
    news2: NEWS2_SCORE,
    settings: { scale: 1 },
    ...over,
  };
}

/** Schedules, rules, NEWS2, the escalation chain and medicines over a store the test can read. */
export function monitoringRoutes(m: MonitoringStore): Routes {
  let n = 0;
  return {
    'GET /api/v1/patients/:id/schedules': () => ok({ schedules: m.schedules.filter((s) => !s.stoppedAt) }),
    'POST /api/v1/schedules': (req) => {
      const b = req.body as Schedule & { patientId: string };
      const s: Schedule = {
        ...b,
        id: `sc-${++n}`,
        typeName: b.type === 'blood_pressure' ? 'Blood pressure' : b.type,
        times: b.times ?? [],
        earlyMinutes: b.earlyMinutes ?? 30,
        graceMinutes: b.graceMinutes ?? 120,
        reminderLeadMinutes: b.reminderLeadMinutes ?? 30,
        timeZone: 'Europe/Paris',
        createdAt: new Date().toISOString(),
        createdBy: 'nurse-1',
        updatedAt: new Date().toISOString(),
      };
      m.schedules.push(s);
      return { status: 201, body: s };
    },
    'PUT /api/v1/schedules/:id': (req) => {
      const s = m.schedules.find((x) => x.id === req.params.id)!;
      Object.assign(s, req.body);
      return ok(s);
    },
    'POST /api/v1/schedules/:id/stop': (req) => {
      m.schedules.find((x) => x.id === req.params.id)!.stoppedAt = new Date().toISOString();
      return { status: 204 };
    },
    'GET /api/v1/patients/:id/alert-rules': () => ok({ rules: m.rules }),
    'PATCH /api/v1/alert-rules/:key': (req) => {
      const r = m.rules.find((x) => x.key === req.params.key)!;
      const { patientId: _p, ...patch } = req.body as Partial<Rule> & { patientId: string };
      Object.assign(r, patch, { overridden: true });
      return ok(r);
    },
    'POST /api/v1/alert-rules/:key/reset': (req) => {
      const r = m.rules.find((x) => x.key === req.params.key)!;
      Object.assign(r, rule({ key: r.key, name: r.name }));
      return { status: 204 };
    },
    'GET /api/v1/patients/:id/news2': () => ok(m.news2),
    'GET /api/v1/patients/:id/news2/settings': () => ok(m.settings),
    'PUT /api/v1/news2/settings': (req) => {
      const { patientId: _p, ...st } = req.body as MonitoringStore['settings'] & { patientId: string };
      m.settings = st;
      return ok(st);
    },
    'POST /api/v1/news2/observations': () => ok(m.news2),
    'GET /api/v1/patients/:id/escalation-chain': () => ok(m.chain),
    'PUT /api/v1/escalation-chain': (req) => {
      const { steps } = req.body as { steps: { userIds: string[]; waitMinutes: number }[] };
      const everyone = new Map(m.chain.steps.flatMap((s) => s.members).map((x) => [x.userId, x]));
      m.chain = {
        patientId: 'p1',
        custom: steps.length > 0,
        steps: steps.map((s) => ({
          waitMinutes: s.waitMinutes,
          members: s.userIds.map((u) => everyone.get(u) ?? { userId: u, name: u, roles: ['nurse'] }),
        })),
      };
      return ok(m.chain);
    },
    'GET /api/v1/patients/:id/medications': () => ok({ medications: m.medications.filter((x) => !x.stoppedAt) }),
    'GET /api/v1/patients/:id/medications/doses': () => ok({ doses: m.doses }),
    'GET /api/v1/patients/:id/medications/today': () => ok({ doses: m.doses }),
    'POST /api/v1/medications': (req) => {
      const b = req.body as Medication;
      const med: Medication = {
        ...b,
        id: `med-${++n}`,
        windowMinutes: b.windowMinutes ?? 120,
        remind: b.remind ?? true,
        reminderLeadMinutes: 0,
        timeZone: 'Europe/Paris',
        createdAt: new Date().toISOString(),
        createdBy: 'nurse-1',
        updatedAt: new Date().toISOString(),
      };
      m.medications.push(med);
      return { status: 201, body: med };
    },
    'PUT /api/v1/medications/:id': (req) => {
      const med = m.medications.find((x) => x.id === req.params.id)!;
      Object.assign(med, req.body);
      return ok(med);
    },
    'POST /api/v1/medications/:id/stop': (req) => {
      m.medications.find((x) => x.id === req.params.id)!.stoppedAt = new Date().toISOString();
      return { status: 204 };
    },
    'POST /api/v1/medications/:id/doses': (req) => {
      const b = req.body as { dueAt: string; status: 'taken' | 'skipped'; note?: string };
      const d = m.doses.find((x) => x.medicationId === req.params.id && x.dueAt === b.dueAt)!;
      Object.assign(d, {
        status: b.status,
        note: b.note,
        takenAt: b.status === 'taken' ? new Date().toISOString() : undefined,
        recordedAt: new Date().toISOString(),
      });
      return ok(d);
    },
  };
}
