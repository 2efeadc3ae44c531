import type { Role } from '../api/types';

export const ROLE_LABELS: Record<Role, string> = {
  patient: 'Patient',
  nurse: 'Nurse',
  doctor: 'Doctor',
  admin: 'Administrator',
  family: 'Family',
};

/** When nothing was chosen yet, a person with several roles starts in the first of these they hold. */
const PREFERENCE: Role[] = ['admin', 'doctor', 'nurse', 'family', 'patient'];

export const ACTIVE_ROLE_KEY = 'tend.activeRole';

export function defaultRole(roles: Role[]): Role | null {
  return PREFERENCE.find((r) => roles.includes(r)) ?? null;
}

/** The path each role lands on after signing in or switching. */
export function roleHome(role: Role | null): string {
  switch (role) {
    case 'admin':
      return '/admin/users';
    case 'doctor':
    case 'nurse':
    case 'family':
      return '/patients';
    case 'patient':
      return '/my-readings';
    default:
      return '/tokens';
  }
}

export function readStoredRole(userId: string): Role | null {
  try {
    const raw = localStorage.getItem(ACTIVE_ROLE_KEY);
    if (!raw) return null;
    const saved = JSON.parse(raw) as { userId?: string; role?: Role };
    return saved.userId === userId && saved.role ? saved.role : null;
  } catch {
    return null;
  }
}

export function storeRole(userId: string, role: Role): void {
  try {
    localStorage.setItem(ACTIVE_ROLE_KEY, JSON.stringify({ userId, role }));
  } catch {
    // Private browsing or a full storage: the choice just lasts for this page.
  }
}

/** The role to act in: the stored choice when the user still holds it, else the default. */
export function pickRole(userId: string, roles: Role[]): Role | null {
  const stored = readStoredRole(userId);
  if (stored && roles.includes(stored)) return stored;
  return defaultRole(roles);
}
