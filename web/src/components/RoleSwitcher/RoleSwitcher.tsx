import { NativeSelect } from '@mantine/core';
import { useNavigate } from 'react-router';
import type { Role } from '../../api/types';
import { useSession } from '../../session/SessionContext';
import { ROLE_LABELS, roleHome } from '../../session/roles';

/** Lets a person who holds several roles (a doctor who is also a patient) choose which one to act in. */
export function RoleSwitcher() {
  const { me, role, setRole } = useSession();
  const navigate = useNavigate();
  if (me.roles.length < 2) return null;

  return (
    <NativeSelect
      aria-label="Acting as"
      size="xs"
      w={{ base: 118, sm: 150 }}
      value={role ?? ''}
      data={me.roles.map((r) => ({ value: r, label: ROLE_LABELS[r] ?? r }))}
      onChange={(e) => {
        const next = e.currentTarget.value as Role;
        setRole(next);
        navigate(roleHome(next));
      }}
    />
  );
}
