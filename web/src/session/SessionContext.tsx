import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Me, Role } from '../api/types';
import { pickRole, storeRole } from './roles';

interface Session {
  me: Me;
  role: Role | null;
  setRole: (role: Role) => void;
}

const SessionContext = createContext<Session | null>(null);

/** Holds the signed-in user and the role they are acting in. */
export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const [chosen, setChosen] = useState<Role | null>(() => pickRole(me.id, me.roles));
  // Roles can change under us (an administrator edits them): fall back when the choice is gone.
  const role = chosen && me.roles.includes(chosen) ? chosen : pickRole(me.id, me.roles);

  const setRole = useCallback(
    (r: Role) => {
      storeRole(me.id, r);
      setChosen(r);
    },
    [me.id],
  );

  const value = useMemo(() => ({ me, role, setRole }), [me, role, setRole]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession must be used inside SessionProvider');
  return s;
}
