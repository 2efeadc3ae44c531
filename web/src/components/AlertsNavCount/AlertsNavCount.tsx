import { Badge } from '@mantine/core';
import { useOpenAlertCount } from '../../api/monitoring';

/**
 * The number of open alerts beside the Alerts navigation item. Any alert
 * event the page's live connection hears reloads it at once (the inbox
 * listens to every patient); otherwise it is asked again every half minute.
 */
export function AlertsNavCount() {
  const count = useOpenAlertCount();
  const n = count.data?.count ?? 0;
  if (!n) return null;
  const label = count.data?.more ? `${n}+` : String(n);
  return (
    <Badge
      color="red"
      size="sm"
      variant="filled"
      circle={n < 10}
      aria-label={`${label} open ${n === 1 ? 'alert' : 'alerts'}`}
      data-testid="open-alerts"
    >
      {label}
    </Badge>
  );
}
