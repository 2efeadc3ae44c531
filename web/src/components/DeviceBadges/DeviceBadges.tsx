import { Badge } from '@mantine/core';

export function EnabledBadge({ enabled }: { enabled: boolean }) {
  return enabled ? (
    <Badge color="green" variant="light" radius="sm" style={{ flexShrink: 0 }}>
      Enabled
    </Badge>
  ) : (
    <Badge color="red" variant="light" radius="sm" style={{ flexShrink: 0 }}>
      Disabled
    </Badge>
  );
}

export function RefusedBadge({ count }: { count: number }) {
  if (!count) return null;
  return (
    <Badge color="orange" variant="light" radius="sm" tt="none" style={{ flexShrink: 0 }}>
      {count.toLocaleString()} refused
    </Badge>
  );
}
