// Every react-query key the app uses, so invalidations stay in step with reads.
export const keys = {
  me: ['me'] as const,
  tokens: ['me', 'tokens'] as const,
  users: (q = '', role = '') => ['users', { q, role }] as const,
  usersAll: ['users'] as const,
  user: (id: string) => ['user', id] as const,
  patients: ['patients'] as const,
  patient: (id: string) => ['patient', id] as const,
  grants: (patientId: string) => ['grants', patientId] as const,
  accessLog: (patientId: string, limit: number) => ['access-log', patientId, limit] as const,
  audit: (f: { patientId?: string; actorId?: string; limit?: number }) => ['audit', f] as const,

  // Devices, readings and the journal. Everything about one patient's
  // readings starts with ['readings', patientId], so one invalidation
  // (a live event) refreshes the table, the latest values and the charts.
  measurementTypes: ['measurement-types'] as const,
  devicesAll: ['devices'] as const,
  devices: (f: object) => ['devices', 'list', f] as const,
  device: (id: string) => ['devices', 'one', id] as const,
  deviceHistory: (id: string) => ['devices', 'history', id] as const,
  patientDevices: (patientId: string) => ['patient-devices', patientId] as const,
  readings: (patientId: string) => ['readings', patientId] as const,
  readingList: (patientId: string, f: object) => ['readings', patientId, 'list', f] as const,
  latestReadings: (patientId: string) => ['readings', patientId, 'latest'] as const,
  buckets: (patientId: string, type: string, range: object) => ['readings', patientId, 'buckets', type, range] as const,
  journal: (patientId: string) => ['journal', patientId] as const,
  journalList: (patientId: string, f: object) => ['journal', patientId, 'list', f] as const,
};
