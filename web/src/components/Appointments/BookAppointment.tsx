import { Alert, Button, Group, Paper, Select, Stack, Text, Textarea } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useBook, useProfessionals, type Appointment, type Slot } from '../../api/appointments';
import { browserTimeZone } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconAlert, IconCheck } from '../Icons/Icons';
import { KindBadge } from './Bits';
import { SlotPicker } from './SlotPicker';
import { dayHeading, spanIn, ymdIn } from './time';

/** "Tuesday 10 March, 09:00–09:20" on the viewer's clock. */
export function slotText(s: Pick<Slot, 'start' | 'end'>): string {
  const zone = browserTimeZone();
  return `${dayHeading(ymdIn(s.start, zone))}, ${spanIn(s.start, s.end, zone)}`;
}

/** Someone lost the race for a slot: the answer a person should see, and that the slots are fresh. */
export function isTaken(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409;
}

/**
 * Books an appointment for a patient: pick one of the nurses and doctors
 * they can book, one of that person's open times, and say why.
 */
export function BookAppointment({
  patientId,
  patientName,
  myId,
  onBooked,
}: {
  patientId: string;
  /** Booking for someone else: their name, for the labels. */
  patientName?: string;
  /** The viewer, picked first when they are one of the patient's professionals. */
  myId?: string;
  onBooked?: (a: Appointment) => void;
}) {
  const pros = useProfessionals(patientId);
  const book = useBook();
  const [proId, setProId] = useState<string | null>(null);
  const [slot, setSlot] = useState<Slot | null>(null);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState('');
  const [booked, setBooked] = useState<Appointment | null>(null);
  const [lost, setLost] = useState<string | null>(null);
  // The answer appears above the open times; on a phone the Book button is far below, so bring it into view.
  const answer = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (booked || lost) answer.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [booked, lost]);

  const list = pros.data ?? [];
  const bookable = list.filter((p) => p.bookable);
  // Start with the viewer when they can be booked, else with the only one there is.
  useEffect(() => {
    if (proId || !pros.data) return;
    const mine = bookable.find((p) => p.id === myId);
    if (mine) setProId(mine.id);
    else if (bookable.length === 1) setProId(bookable[0]!.id);
  }, [pros.data, proId, myId, bookable]);

  const pro = list.find((p) => p.id === proId) ?? null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setLost(null);
    if (!slot || !pro) return;
    if (!reason.trim()) {
      setReasonError('Say briefly what the appointment is about.');
      return;
    }
    setReasonError('');
    book.mutate(
      { patientId, professionalId: pro.id, start: slot.start, kind: slot.kind, reason: reason.trim() },
      {
        onSuccess: (a) => {
          setBooked(a);
          setSlot(null);
          setReason('');
          onBooked?.(a);
        },
        onError: (err) => {
          if (isTaken(err)) {
            setLost(slotText(slot));
            setSlot(null);
          }
        },
      },
    );
  };

  if (pros.isPending) return <Text size="sm">Loading who can be booked…</Text>;
  if (pros.error)
    return <ErrorAlert error={pros.error} title="Could not load the care team" onRetry={() => void pros.refetch()} />;
  if (list.length === 0) {
    return (
      <Alert color="gray" variant="light" title="Nobody to book yet">
        {patientName
          ? `${patientName} has no nurse or doctor to book: none is on their care team or has their data shared.`
          : 'You have no nurse or doctor to book: none is on your care team or has your data shared with them.'}
      </Alert>
    );
  }

  const fieldErr = book.error instanceof ApiError ? book.error.fieldErrors() : {};
  const otherError = book.error && !isTaken(book.error) ? book.error : null;

  return (
    <form onSubmit={submit} noValidate aria-label="Book an appointment">
      <Stack gap="md">
        {(booked || lost) && (
          <div ref={answer} style={{ scrollMarginTop: 80 }}>
            {booked && (
              <Alert color="teal" variant="light" icon={<IconCheck />} title="Booked" role="status">
                {slotText(booked)} with {booked.professionalName} ({booked.kind === 'video' ? 'video' : 'in person'}).
              </Alert>
            )}
            {lost && (
              <Alert color="orange" variant="light" icon={<IconAlert />} title="That time was just taken" role="alert">
                Someone else booked {lost} a moment ago. The open times below are up to date: pick another.
              </Alert>
            )}
          </div>
        )}
        <Select
          label="With"
          placeholder="Choose a nurse or doctor"
          data={list.map((p) => ({
            value: p.id,
            label: p.bookable ? p.name : `${p.name} (no bookable hours yet)`,
            disabled: !p.bookable,
          }))}
          value={proId}
          onChange={(v) => {
            setProId(v);
            setSlot(null);
            setLost(null);
            book.reset();
          }}
          allowDeselect={false}
        />
        {bookable.length === 0 && (
          <Text size="sm" c="dimmed">
            None of them has published bookable hours yet.
          </Text>
        )}
        {pro && pro.bookable && (
          <SlotPicker
            professionalId={pro.id}
            professionalName={pro.name}
            patientId={patientId}
            picked={slot}
            onPick={(s) => {
              setSlot(s);
              setBooked(null);
              setLost(null);
            }}
          />
        )}
        {slot && pro && (
          <Paper withBorder p="md" bg="var(--mantine-color-cyan-light)">
            <Stack gap="sm">
              <Group gap="xs" justify="space-between">
                <Text size="sm" fw={600} data-testid="picked-slot">
                  {slotText(slot)}
                </Text>
                <KindBadge kind={slot.kind} />
              </Group>
              {slot.kind === 'video' && (
                <Text size="xs" c="dimmed">
                  A video appointment: you meet {pro.name} over video instead of in person.
                </Text>
              )}
              <Textarea
                label="Reason"
                description={`A few words on what it is about, for ${pro.name}. Reminders and emails never carry it.`}
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
                error={reasonError || fieldErr['reason']}
                maxLength={500}
                autosize
                minRows={2}
                required
              />
              <ErrorAlert error={otherError} title="Could not book" />
              <Group justify="flex-end">
                <Button type="submit" loading={book.isPending}>
                  Book {slot.kind === 'video' ? 'video appointment' : 'appointment'}
                </Button>
              </Group>
            </Stack>
          </Paper>
        )}
      </Stack>
    </form>
  );
}
