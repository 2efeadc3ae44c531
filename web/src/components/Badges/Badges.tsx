import { Badge, Group, Text } from '@mantine/core';
import { SCOPES, type Access, type GrantKind, type Role, type Scope } from '../../api/types';
import { ROLE_LABELS } from '../../session/roles';

const ROLE_COLORS: Record<Role, string> = {
  patient: 'teal',
  nurse: 'violet',
  doctor: 'blue',
  admin: 'orange',
  family: 'pink',
};

export function RoleBadges({ roles }: { roles: Role[] }) {
  if (!roles.length)
    return (
      <Text size="sm" c="dimmed">
        No role
      </Text>
    );
  return (
    <Group gap={4} wrap="wrap">
      {roles.map((r) => (
        <Badge key={r} color={ROLE_COLORS[r] ?? 'gray'} variant="light" radius="sm">
          {ROLE_LABELS[r] ?? r}
        </Badge>
      ))}
    </Group>
  );
}

export const SCOPE_LABELS: Record<Scope, string> = {
  vitals: 'Vitals',
  journal: 'Journal',
  medications: 'Medications',
  messages: 'Messages',
  alerts: 'Alerts',
  appointments: 'Appointments',
};

export function ScopeBadges({ scopes }: { scopes: Scope[] }) {
  if (!scopes.length)
    return (
      <Text size="sm" c="dimmed">
        None
      </Text>
    );
  if (SCOPES.every((s) => scopes.includes(s))) {
    return (
      <Badge
        color="gray"
        variant="outline"
        radius="sm"
        tt="none"
        fw={500}
        title={SCOPES.map((s) => SCOPE_LABELS[s]).join(', ')}
      >
        All data
      </Badge>
    );
  }
  return (
    <Group gap={4} wrap="wrap">
      {scopes.map((s) => (
        <Badge key={s} color="gray" variant="outline" radius="sm" tt="none" fw={500}>
          {SCOPE_LABELS[s] ?? s}
        </Badge>
      ))}
    </Group>
  );
}

const ACCESS: Record<Access | GrantKind, { label: string; color: string }> = {
  self: { label: 'You', color: 'teal' },
  care: { label: 'Care team', color: 'blue' },
  share: { label: 'Shared', color: 'grape' },
};

/** How someone came to see a patient: on the care team, or the patient shared with them. */
export function AccessBadge({ access }: { access: Access | GrantKind }) {
  const a = ACCESS[access] ?? { label: access, color: 'gray' };
  return (
    <Badge color={a.color} variant="dot" radius="sm" tt="none">
      {a.label}
    </Badge>
  );
}

export function DisabledBadge({ disabled }: { disabled: boolean }) {
  return disabled ? (
    <Badge color="red" variant="light" radius="sm">
      Disabled
    </Badge>
  ) : (
    <Badge color="green" variant="light" radius="sm">
      Active
    </Badge>
  );
}
