import { Badge, UnstyledButton } from '@mantine/core';
import { lazy, Suspense, useState } from 'react';
import { handlesAlerts, NEWS2_RISK_COLORS, useNews2, type News2 } from '../../api/monitoring';
import { useSession } from '../../session/SessionContext';

// The score's dialog (its table, settings and form, and the Mantine parts only
// it uses) loads when it is first opened, not with every patient's header.
const News2Modal = lazy(() => import('./News2Modal'));

/** The badge's words: "NEWS2 5 · partial" or "NEWS2 —". */
export function news2Label(n: News2 | undefined): string {
  if (!n || !n.available) return 'NEWS2 —';
  return `NEWS2 ${n.total}${n.partial ? ' · partial' : ''}`;
}

/**
 * A patient's NEWS2 beside their name, in the colour of its response level,
 * for nurses and doctors; it opens the score's parts, the SpO2 scale and
 * air/oxygen settings, and a form to record consciousness.
 */
export function News2Badge({ patientId }: { patientId: string }) {
  const { role } = useSession();
  const pro = handlesAlerts(role);
  const news2 = useNews2(patientId, pro);
  const [open, setOpen] = useState(false);
  if (!pro || news2.isError) return null;
  const n = news2.data;
  const color = n?.available ? (NEWS2_RISK_COLORS[n.risk] ?? 'gray') : 'gray';
  return (
    <>
      <UnstyledButton
        onClick={() => setOpen(true)}
        aria-label={n ? `${news2Label(n)}: open the score` : 'NEWS2 loading'}
        data-testid="news2-badge"
      >
        <Badge
          component="span"
          color={color}
          variant={n?.available && n.risk !== 'low' ? 'filled' : 'light'}
          size="lg"
          radius="sm"
          style={{ cursor: 'pointer', textTransform: 'none' }}
        >
          {news2Label(n)}
        </Badge>
      </UnstyledButton>
      {open && (
        <Suspense fallback={null}>
          <News2Modal patientId={patientId} n={n} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}
