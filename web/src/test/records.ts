// Fixtures for the pages that show a patient's readings, journal and devices.
import type { Device } from '../api/devices';
import type { JournalEntry } from '../api/journal';
import type { MeasurementType } from '../api/measurementTypes';
import type { Reading, Series } from '../api/readings';
import type { Summary } from '../api/summaries';
import type { PatientDetail } from '../api/types';
import { ok, type MockRequest, type MockResponse } from './mockApi';

export const TYPES: MeasurementType[] = [
  {
    key: 'body_temperature',
    name: 'Body temperature',
    loinc: '8310-5',
    unit: 'Cel',
    units: ['Cel', '[degF]'],
    displayUnits: ['Cel', '[degF]'],
    min: 25,
    max: 45,
  },
  {
    key: 'heart_rate',
    name: 'Heart rate',
    loinc: '8867-4',
    unit: '/min',
    units: ['/min'],
    displayUnits: ['/min'],
    min: 20,
    max: 300,
  },
  {
    key: 'blood_pressure',
    name: 'Blood pressure',
    loinc: '85354-9',
    unit: 'mm[Hg]',
    units: ['mm[Hg]', 'kPa'],
    displayUnits: ['mm[Hg]'],
    components: [
      { key: 'systolic', name: 'Systolic blood pressure', loinc: '8480-6', required: true, min: 40, max: 300 },
      { key: 'diastolic', name: 'Diastolic blood pressure', loinc: '8462-4', required: true, min: 10, max: 200 },
      { key: 'mean', name: 'Mean arterial pressure', loinc: '8478-0', required: false, min: 20, max: 250 },
    ],
  },
  {
    key: 'blood_glucose',
    name: 'Blood glucose',
    loinc: '41653-7',
    unit: 'mg/dL',
    units: ['mg/dL', 'mmol/L'],
    displayUnits: ['mg/dL', 'mmol/L'],
    min: 10,
    max: 1000,
  },
];

export function patientDetail(over: Partial<PatientDetail> = {}): PatientDetail {
  return {
    id: 'p1',
    name: 'Pat Patient',
    email: 'pat@example.org',
    profile: { birthDate: '1950-04-01', sex: 'female', timeZone: 'Europe/Paris', mrn: 'MRN-77' },
    access: 'care',
    scopes: ['vitals', 'journal', 'alerts'],
    ...over,
  };
}

let n = 0;
export function reading(over: Partial<Reading> = {}): Reading {
  n++;
  return {
    id: `r${n}`,
    patientId: 'p1',
    type: 'heart_rate',
    loinc: '8867-4',
    value: 72,
    unit: '/min',
    takenAt: new Date(Date.now() - 10 * 60_000).toISOString(),
    receivedAt: new Date().toISOString(),
    source: 'device',
    door: 'http',
    deviceId: 'd1',
    status: 'final',
    ...over,
  };
}

export function bp(sys: number, dia: number, over: Partial<Reading> = {}): Reading {
  return reading({
    type: 'blood_pressure',
    loinc: '85354-9',
    value: undefined,
    unit: 'mm[Hg]',
    components: [
      { key: 'systolic', loinc: '8480-6', value: sys },
      { key: 'diastolic', loinc: '8462-4', value: dia },
    ],
    ...over,
  });
}

export function device(over: Partial<Device> = {}): Device {
  return {
    id: 'd1',
    kind: 'blood_pressure_monitor',
    maker: 'Omron',
    model: 'M7',
    serial: 'SN-1',
    enabled: true,
    patientId: 'p1',
    assignedAt: '2025-01-02T10:00:00Z',
    lastSeenAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    batteryPercent: 64,
    credentialSetAt: '2025-01-02T10:00:00Z',
    createdAt: '2025-01-02T10:00:00Z',
    ...over,
  };
}

export function entry(over: Partial<JournalEntry> = {}): JournalEntry {
  n++;
  return {
    id: `j${n}`,
    patientId: 'p1',
    kind: 'food',
    occurredAt: new Date(Date.now() - 60 * 60_000).toISOString(),
    name: 'Porridge',
    amount: '1 bowl',
    enteredBy: 'p1',
    createdAt: new Date().toISOString(),
    status: 'final',
    ...over,
  };
}

/** Buckets that summarise the given readings of one type, as the server would. */
export function seriesOf(req: MockRequest, readings: Reading[]): Series {
  const type = req.query.get('type') ?? '';
  const from = req.query.get('from') ?? new Date(0).toISOString();
  const to = req.query.get('to') ?? new Date().toISOString();
  const t = TYPES.find((x) => x.key === type)!;
  const comps = t.components?.map((c) => c.key) ?? [t.key];
  const rs = readings.filter((r) => r.type === type && r.status === 'final' && r.takenAt >= from && r.takenAt < to);
  return {
    type,
    unit: t.unit,
    components: comps,
    from,
    to,
    width: 60_000_000_000,
    buckets: rs.map((r) => {
      const start = new Date(Math.floor(Date.parse(r.takenAt) / 60_000) * 60_000);
      return {
        start: start.toISOString(),
        end: new Date(start.getTime() + 60_000).toISOString(),
        count: 1,
        stats: comps.map((k) => {
          const v = r.components ? r.components.find((c) => c.key === k)?.value : r.value;
          return v === undefined ? { count: 0, min: 0, max: 0, mean: 0 } : { count: 1, min: v, max: v, mean: v };
        }),
      };
    }),
  };
}

/** The newest final reading of each type, newest first, as GET …/readings/latest answers. */
function newestOfEach(readings: Reading[]): Reading[] {
  const newest = new Map<string, Reading>();
  for (const r of [...readings].sort((a, b) => b.takenAt.localeCompare(a.takenAt))) {
    if (r.status === 'final' && !newest.has(r.type)) newest.set(r.type, r);
  }
  return [...newest.values()];
}

/**
 * The routes a patient page calls, over a store of readings, entries and
 * devices that tests may change (to act as the server would after a write).
 */
export function recordRoutes(store: {
  patient: PatientDetail;
  readings: Reading[];
  entries?: JournalEntry[];
  devices?: Device[];
}): Record<string, MockResponse | ((req: MockRequest) => MockResponse)> {
  return {
    'GET /api/v1/patients/:id': ok(store.patient),
    'GET /api/v1/measurement-types': ok({ types: TYPES }),
    'GET /api/v1/patients/:id/readings': (req) => {
      const types = req.query.getAll('type');
      const withErr = req.query.get('includeEnteredInError') === 'true';
      const limit = Number(req.query.get('limit') ?? 50);
      const rs = store.readings
        .filter((r) => (!types.length || types.includes(r.type)) && (withErr || r.status === 'final'))
        .sort((a, b) => b.takenAt.localeCompare(a.takenAt))
        .slice(0, limit);
      return ok({ readings: rs });
    },
    'GET /api/v1/patients/:id/readings/latest': () => ok({ readings: newestOfEach(store.readings) }),
    'GET /api/v1/patients/:id/overview': (req) => {
      const p = store.patient;
      if (p.access !== 'self' && !p.scopes.includes('vitals')) return ok({ patient: p });
      const latest = newestOfEach(store.readings);
      const type = req.query.getAll('chart').find((t) => latest.some((r) => r.type === t));
      const q = new URLSearchParams(req.query);
      if (type) q.set('type', type);
      return ok({ patient: p, latest, series: type ? seriesOf({ ...req, query: q }, store.readings) : undefined });
    },
    'GET /api/v1/patients/:id/readings/buckets': (req) => ok(seriesOf(req, store.readings)),
    'GET /api/v1/patients/:id/journal': () => ok({ entries: store.entries ?? [] }),
    'GET /api/v1/patients/:id/devices': () => ok({ devices: store.devices ?? [] }),
    'GET /api/v1/patients/:id/summaries': (req) => ok(emptySummary(Number(req.query.get('days') ?? 14))),
    'GET /api/v1/patients/:id/alert-rules': () => ok({ rules: [] }),
    'GET /api/v1/patients/:id/schedules': () => ok({ schedules: [] }),
  };
}

/** The summaries of a patient with no readings in the period. */
export function emptySummary(days = 14, now = Date.now()): Summary {
  const period = { from: new Date(now - days * 86_400_000).toISOString(), to: new Date(now).toISOString() };
  const none = (label: string) => ({ label, count: 0, systolic: null, diastolic: null, reachesThreshold: false });
  return {
    patient: { id: 'pat-1', name: 'Pat Patient', timeZone: 'Europe/Paris' },
    period,
    days,
    generatedAt: period.to,
    bloodPressure: {
      period,
      unit: 'mm[Hg]',
      readings: 0,
      days: 0,
      sufficient: false,
      note: 'No blood pressure readings in the last seven days.',
      threshold: { systolic: 135, diastolic: 85, source: 'ESC/ESH home blood pressure threshold (135/85 mmHg)' },
      all: none('All readings'),
      morning: none('Morning (04:00–12:00)'),
      evening: none('Evening (18:00–24:00)'),
      trend: [],
    },
    glucose: {
      period,
      unit: 'mg/dL',
      readings: 0,
      targets: {
        population: 'adults',
        name: 'type 1 or type 2 diabetes',
        low: 70,
        high: 180,
        veryLow: 54,
        veryHigh: 250,
      },
      mean: null,
      sd: null,
      cv: null,
      gmi: null,
      inRange: null,
      below: null,
      veryLow: null,
      above: null,
      veryHigh: null,
      checks: [],
      targetsMet: false,
      days,
      active: 0,
      sufficient: false,
      note: 'No glucose readings in this period.',
      profile: Array.from({ length: 24 }, (_, hour) => ({
        hour,
        count: 0,
        p5: null,
        p25: null,
        p50: null,
        p75: null,
        p95: null,
      })),
    },
    weight: {
      period,
      unit: 'kg',
      readings: 0,
      first: null,
      latest: null,
      min: null,
      max: null,
      mean: null,
      change: null,
      changePercent: null,
      perWeek: null,
      note: 'No weight readings in this period.',
      daily: [],
    },
  };
}
