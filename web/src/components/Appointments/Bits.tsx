import { Badge, Text } from '@mantine/core';
import { KIND_LABELS, type Appointment, type AppointmentStatus, type VisitKind } from '../../api/appointments';
import { browserTimeZone } from '../../util/format';
import { Icon, type IconProps } from '../Icons/Icons';
import { dayHeading, otherSide, sameWallClock, spanIn, ymdIn } from './time';

export const IconCalendar = (p: IconProps) => (
  <Icon {...p}>
    <rect x="3.5" y="5" width="17" height="15.5" rx="2" />
    <path d="M3.5 9.5h17M8 3v4M16 3v4" />
  </Icon>
);
export const IconClock = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="M12 7.5V12l3 2" />
  </Icon>
);
export const IconVideo = (p: IconProps) => (
  <Icon {...p}>
    <rect x="3" y="6.5" width="12.5" height="11" rx="2" />
    <path d="M15.5 10.5l5-3v9l-5-3" />
  </Icon>
);
export const IconPerson = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="8" r="3.5" />
    <path d="M5 20c.8-3.6 3.6-5.5 7-5.5s6.2 1.9 7 5.5" />
  </Icon>
);
export const IconChevronRight = (p: IconProps) => (
  <Icon {...p}>
    <path d="M9 5l7 7-7 7" />
  </Icon>
);
/** "In person" or "Video", with an icon, so a video visit is never mistaken for a visit in person. */
export function KindBadge({ kind, size = 'sm' }: { kind: VisitKind; size?: 'xs' | 'sm' | 'md' }) {
  return (
    <Badge
      size={size}
      variant="light"
      radius="sm"
      color={kind === 'video' ? 'indigo' : 'teal'}
      leftSection={kind === 'video' ? <IconVideo size={12} /> : <IconPerson size={12} />}
    >
      {KIND_LABELS[kind]}
    </Badge>
  );
}

const STATUS: Record<AppointmentStatus, { label: string; color: string }> = {
  booked: { label: 'Booked', color: 'blue' },
  cancelled: { label: 'Cancelled', color: 'red' },
  done: { label: 'Done', color: 'gray' },
};

export function StatusBadge({ a }: { a: Pick<Appointment, 'status' | 'rescheduledTo'> }) {
  const s = a.status === 'cancelled' && a.rescheduledTo ? { label: 'Moved', color: 'orange' } : STATUS[a.status];
  return (
    <Badge size="sm" variant="light" radius="sm" color={s.color}>
      {s.label}
    </Badge>
  );
}

/**
 * When an appointment is, on the viewer's clock, with the other side's clock
 * beside it when it shows another time ("Nina's time: 15:00–15:20 CET").
 */
export function AppointmentWhen({
  a,
  side,
  withDay = true,
}: {
  a: Appointment;
  /** Whose wall clock to show beside the viewer's. */
  side: 'professional' | 'patient';
  withDay?: boolean;
}) {
  const zone = browserTimeZone();
  const other = side === 'professional' ? a.professionalTime : a.patientTime;
  const name = side === 'professional' ? a.professionalName : a.patientName;
  const differs = other?.timeZone && !sameWallClock(a.start, zone, other.timeZone);
  return (
    <div>
      <Text fw={600} size="sm">
        {withDay && `${dayHeading(ymdIn(a.start, zone))}, `}
        {spanIn(a.start, a.end, zone)}
      </Text>
      {differs && (
        <Text size="xs" c="dimmed">
          {name}’s time: {otherSide(a.start, a.end, other.timeZone, zone)}
        </Text>
      )}
    </div>
  );
}
