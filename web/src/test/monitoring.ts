// Sample monitoring data and a small in-memory API for it, for the tests of
// the alert inbox, the patient's monitoring sections and the patient's today.
import type { Alert } from '../api/monitoring';
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
