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
};
