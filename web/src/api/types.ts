// The shapes of Tend's REST API (/api/v1), as the server sends them.
// JSON is camelCase and times are RFC 3339 strings.

export const ROLES = ['patient', 'nurse', 'doctor', 'admin', 'family'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['vitals', 'journal', 'medications', 'messages', 'alerts', 'appointments'] as const;
export type Scope = (typeof SCOPES)[number];

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

export interface Profile {
  birthDate?: string; // YYYY-MM-DD
  sex?: Sex;
  timeZone?: string;
  mrn?: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  disabled: boolean;
  createdAt: string;
  profile?: Profile;
}

/** The signed-in user: the same shape as an administrator sees any user. */
export type Me = User;

export interface LoginResponse {
  user: Me;
  csrfToken: string;
}

export interface ApiToken {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt?: string;
}

export interface NewApiToken {
  id: string;
  label: string;
  createdAt: string;
  /** The secret: the server shows it this once. */
  token: string;
}

export type Access = 'self' | 'care' | 'share';

export interface PatientSummary {
  id: string;
  name: string;
  birthDate?: string;
  access: Access;
  scopes: Scope[];
}

export interface PatientDetail {
  id: string;
  name: string;
  email: string;
  profile: Profile;
  access: Access;
  scopes: Scope[];
}

export type GrantKind = 'share' | 'care';

export interface Grant {
  id: string;
  patientId: string;
  granteeId: string;
  granteeName: string;
  granteeEmail: string;
  granteeRoles: Role[];
  kind: GrantKind;
  scopes: Scope[];
  expiresAt?: string;
  createdAt: string;
  createdByName: string;
}

export interface AuditEvent {
  id: string;
  at: string;
  actorId: string;
  actorName: string;
  action: string;
  resource: string;
  outcome: string;
  ip: string;
}

export interface NewUser {
  email: string;
  name: string;
  roles: Role[];
  password?: string;
  profile?: Profile;
}

export interface UserPatch {
  name?: string;
  roles?: Role[];
  disabled?: boolean;
  profile?: Profile;
}

/** RFC 9457 problem details, as every error from the API. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { message?: string; location?: string; value?: unknown }[];
}
