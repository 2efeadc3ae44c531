import { Alert, Anchor, Button, Group, Modal, Stack, Text, Textarea, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import {
  useAppointmentHistory,
  useCancelAppointment,
  useMarkDone,
  useRescheduleAppointment,
  type Appointment,
  type Slot,
} from '../../api/appointments';
import { browserTimeZone, formatDateTime } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconAlert } from '../Icons/Icons';
import { AppointmentWhen, KindBadge, StatusBadge } from './Bits';
import { isTaken, slotText } from './BookAppointment';
import { SlotPicker } from './SlotPicker';
import { dayHeading, spanIn, ymdIn } from './time';
import { useNarrow } from '../../util/useNarrow';

/** Who is looking: the appointment's professional, or the patient's side (the patient, family, another professional). */
export type Side = 'professional' | 'patient';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600} style={{ letterSpacing: '0.04em' }}>
        {label}
      </Text>
      <div>{children}</div>
    </div>
  );
}

function ReasonForm({
  label,
  submitLabel,
  pending,
  error,
  onSubmit,
  onBack,
  danger,
  disabled,
}: {
  label: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (reason: string) => void;
  onBack: () => void;
  danger?: boolean;
  disabled?: boolean;
}) {
  const [reason, setReason] = useState('');
  const [err, setErr] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setErr('Give a reason: the other side sees it.');
      return;
    }
    setErr('');
    onSubmit(reason.trim());
  };
  return (
    <form onSubmit={submit} noValidate aria-label={submitLabel}>
      <Stack gap="sm">
        <Textarea
          label={label}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={err}
          maxLength={500}
          autosize
          minRows={2}
          required
          data-autofocus
        />
        <ErrorAlert error={error} title="That did not work" />
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onBack} disabled={pending}>
            Back
          </Button>
          <Button type="submit" color={danger ? 'red' : undefined} loading={pending} disabled={disabled}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function History({ a }: { a: Appointment }) {
  const history = useAppointmentHistory(a.patientId, a.id);
  const zone = browserTimeZone();
  if (!a.rescheduledFrom && !a.rescheduledTo) return null;
  if (history.isPending) return <Text size="sm">Loading its history…</Text>;
  if (history.error) return <ErrorAlert error={history.error} title="Could not load its history" />;
  return (
    <Row label="History">
      <Stack gap={4} component="ol" style={{ margin: 0, paddingLeft: '1.2rem' }} aria-label="History">
        {history.data.map((h) => (
          <Text component="li" size="sm" key={h.id} fw={h.id === a.id ? 600 : undefined}>
            {dayHeading(ymdIn(h.start, zone))}, {spanIn(h.start, h.end, zone)}: booked by {h.bookedByName}
            {h.rescheduledTo && h.cancelledByName && `; moved by ${h.cancelledByName} (${h.cancelReason})`}
            {!h.rescheduledTo && h.status === 'cancelled' && `; cancelled by ${h.cancelledByName}`}
            {h.status === 'done' && '; took place'}
          </Text>
        ))}
      </Stack>
    </Row>
  );
}

/**
 * One appointment in full: when (on both clocks), with whom, why, how,
 * where it stands and what happened to it, with cancel, move and (for its
 * professional, once it has started) done.
 */
export function AppointmentDetails({
  a,
  side,
  onClose,
  onChanged,
}: {
  a: Appointment | null;
  side: Side;
  onClose: () => void;
  /** After a move, the new booking, so the caller can show it instead. */
  onChanged?: (a: Appointment) => void;
}) {
  const phone = useNarrow();
  return (
    <Modal
      opened={!!a}
      onClose={onClose}
      title={
        <Title order={2} fz="lg">
          Appointment
        </Title>
      }
      size="lg"
      fullScreen={phone}
    >
      {a && <Details key={a.id} a={a} side={side} onChanged={onChanged} />}
    </Modal>
  );
}

function Details({ a, side, onChanged }: { a: Appointment; side: Side; onChanged?: (a: Appointment) => void }) {
  const [mode, setMode] = useState<'view' | 'cancel' | 'move'>('view');
  const [slot, setSlot] = useState<Slot | null>(null);
  const [lost, setLost] = useState<string | null>(null);
  const lostRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (lost) lostRef.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [lost]);
  const cancel = useCancelAppointment();
  const move = useRescheduleAppointment();
  const done = useMarkDone();
  const now = Date.now();
  const upcoming = a.status === 'booked' && new Date(a.start).getTime() > now;
  const started = new Date(a.start).getTime() <= now;
  const mine = side === 'professional';

  if (mode === 'cancel') {
    return (
      <Stack gap="md">
        <Text size="sm">
          Cancel the appointment on {slotText(a)} with {mine ? a.patientName : a.professionalName}? They are told it was
          cancelled; the time becomes free for others.
        </Text>
        <ReasonForm
          label="Why cancel?"
          submitLabel="Cancel appointment"
          danger
          pending={cancel.isPending}
          error={cancel.error}
          onBack={() => setMode('view')}
          onSubmit={(reason) =>
            cancel.mutate(
              { id: a.id, reason },
              {
                onSuccess: (c) => {
                  setMode('view');
                  onChanged?.(c);
                },
              },
            )
          }
        />
      </Stack>
    );
  }

  if (mode === 'move') {
    return (
      <Stack gap="md">
        <Text size="sm">
          Now: {slotText(a)}. Pick another open time of {a.professionalName}:
        </Text>
        {lost && (
          <div ref={lostRef}>
            <Alert color="orange" variant="light" icon={<IconAlert />} title="That time was just taken" role="alert">
              Someone else booked {lost} a moment ago. Pick another time.
            </Alert>
          </div>
        )}
        <SlotPicker
          professionalId={a.professionalId}
          professionalName={a.professionalName}
          patientId={mine ? undefined : a.patientId}
          picked={slot}
          onPick={(s) => {
            setSlot(s);
            setLost(null);
            move.reset();
          }}
        />
        {slot && (
          <Group gap="xs">
            <Text size="sm" fw={600}>
              New time: {slotText(slot)}
            </Text>
            <KindBadge kind={slot.kind} />
          </Group>
        )}
        <ReasonForm
          label="Why move it?"
          submitLabel="Move appointment"
          pending={move.isPending}
          error={move.error && !isTaken(move.error) ? move.error : null}
          disabled={!slot}
          onBack={() => setMode('view')}
          onSubmit={(reason) =>
            slot &&
            move.mutate(
              { id: a.id, start: slot.start, kind: slot.kind, reason },
              {
                onSuccess: (n) => {
                  setMode('view');
                  setSlot(null);
                  onChanged?.(n);
                },
                onError: (err) => {
                  if (isTaken(err)) {
                    setLost(slotText(slot));
                    setSlot(null);
                  }
                },
              },
            )
          }
        />
      </Stack>
    );
  }

  return (
    <Stack gap="md">
      <Group gap="xs">
        <StatusBadge a={a} />
        <KindBadge kind={a.kind} />
      </Group>
      <Row label="When">
        <AppointmentWhen a={a} side={mine ? 'patient' : 'professional'} />
      </Row>
      <Row label={mine ? 'Patient' : 'With'}>
        {mine ? (
          <Anchor component={Link} to={`/patients/${encodeURIComponent(a.patientId)}`} size="sm">
            {a.patientName}
          </Anchor>
        ) : (
          <Text size="sm">{a.professionalName}</Text>
        )}
      </Row>
      {a.kind === 'video' && (
        <Row label="Video">
          <Text size="sm">
            A video appointment: you meet over video, not in person. Tend has no video calls yet, so the call is not
            opened from here; {mine ? 'send the patient' : 'you will get'} the call details another way.
          </Text>
        </Row>
      )}
      <Row label="Reason">
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {a.reason}
        </Text>
      </Row>
      <Row label="Booked">
        <Text size="sm">
          By {a.bookedByName}, {formatDateTime(a.bookedAt)}
        </Text>
      </Row>
      {a.status === 'cancelled' && (
        <Row label={a.rescheduledTo ? 'Moved' : 'Cancelled'}>
          <Text size="sm">
            By {a.cancelledByName}, {formatDateTime(a.cancelledAt)}: “{a.cancelReason}”
          </Text>
        </Row>
      )}
      {a.status === 'done' && (
        <Row label="Took place">
          <Text size="sm">Marked done {formatDateTime(a.doneAt)}</Text>
        </Row>
      )}
      <History a={a} />
      <ErrorAlert error={done.error} title="Could not mark it done" />
      {(upcoming || (mine && a.status === 'booked' && started)) && (
        <Group justify="flex-end" gap="xs">
          {upcoming && (
            <>
              <Button variant="default" color="red" onClick={() => setMode('cancel')}>
                Cancel appointment
              </Button>
              <Button variant="light" onClick={() => setMode('move')}>
                Move to another time
              </Button>
            </>
          )}
          {mine && a.status === 'booked' && started && (
            <Button loading={done.isPending} onClick={() => done.mutate(a.id, { onSuccess: (d) => onChanged?.(d) })}>
              Mark as done
            </Button>
          )}
        </Group>
      )}
    </Stack>
  );
}
