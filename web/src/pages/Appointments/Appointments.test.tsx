import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Appointment, Slot } from '../../api/appointments';
import { appointment, at, DORA, slot } from '../../test/appointments';
import { created, mockApi, ok, PATIENT, problem } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const soon = appointment({ id: 'a-1', start: at(2, '08:00') });
const video = appointment({ id: 'a-2', start: at(3, '13:00'), kind: 'video', reason: 'Talk about the new pills' });
const old = appointment({ id: 'a-0', start: at(-10, '08:00'), status: 'done', doneAt: at(-10, '08:20') });

function routes(opts: { list?: () => Appointment[]; slots?: () => Slot[]; extra?: Record<string, unknown> } = {}) {
  return {
    'GET /api/v1/me': ok(PATIENT),
    'GET /api/v1/patients/:id/professionals': ok({ professionals: [DORA] }),
    'GET /api/v1/patients/:id/appointments': (req: { query: URLSearchParams }) => {
      const all = opts.list?.() ?? [soon, video, old];
      const from = req.query.get('from')!;
      const to = req.query.get('to')!;
      return ok({ appointments: all.filter((a) => a.end > from && a.start < to) });
    },
    'GET /api/v1/professionals/:id/slots': () =>
      ok({ slots: opts.slots?.() ?? [slot(at(1, '08:00')), slot(at(1, '08:20'), 'video')] }),
    ...opts.extra,
  };
}

describe('Appointments (patient)', () => {
  it('lists what is coming and what was, a video visit marked as video', async () => {
    mockApi(routes());
    renderApp('/appointments');
    const upcoming = await screen.findByRole('list', { name: 'Upcoming' });
    const items = within(upcoming).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('With Dora Doctor');
    expect(items[0]).toHaveTextContent('In person');
    expect(items[1]).toHaveTextContent('Video');
    // The doctor works in Oslo, the browser here is on UTC: her clock is shown too.
    expect(items[0]).toHaveTextContent(/Dora Doctor’s time: .*(9|10):00/);
    const past = await screen.findByRole('list', { name: 'Past' });
    expect(within(past).getByText('Done')).toBeInTheDocument();
  });

  it('books an open slot with a reason', async () => {
    let booked: Appointment[] = [];
    const mock = mockApi(
      routes({
        list: () => booked,
        extra: {
          'POST /api/v1/appointments': (req: { body: { start: string } }) => {
            booked = [appointment({ id: 'a-9', start: req.body.start, kind: 'video', reason: 'Dizzy spells' })];
            return created(booked[0]);
          },
        },
      }),
    );
    const { user } = renderApp('/appointments');
    expect(await screen.findByText('No appointments coming up')).toBeInTheDocument();
    // The only bookable professional is chosen already; her open times are grouped by day.
    const times = await screen.findByRole('group', { name: 'Open times' });
    expect(within(times).getAllByRole('button')).toHaveLength(2);
    await user.click(within(times).getByRole('button', { name: /, 0?8:20.{0,4} to .*Video/ }));
    expect(screen.getByTestId('picked-slot')).toHaveTextContent(/8:20.*–.*8:40/);
    await user.click(screen.getByRole('button', { name: 'Book video appointment' }));
    expect(await screen.findByText(/Say briefly what the appointment is about/)).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: /Reason/ }), 'Dizzy spells');
    await user.click(screen.getByRole('button', { name: 'Book video appointment' }));
    expect(await screen.findByText(/with Dora Doctor \(video\)/)).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/appointments')[0]!.body).toEqual({
      patientId: PATIENT.id,
      professionalId: DORA.id,
      start: at(1, '08:20'),
      kind: 'video',
      reason: 'Dizzy spells',
    });
    const upcoming = await screen.findByRole('list', { name: 'Upcoming' });
    expect(upcoming).toHaveTextContent('Video');
  });

  it('says plainly when the slot was just taken, and shows fresh open times', async () => {
    let taken = false;
    const mock = mockApi(
      routes({
        list: () => [],
        slots: () => (taken ? [slot(at(1, '08:20'))] : [slot(at(1, '08:00')), slot(at(1, '08:20'))]),
        extra: {
          'POST /api/v1/appointments': () => {
            taken = true;
            return problem(409, 'that time was just booked by someone else; pick another slot');
          },
        },
      }),
    );
    const { user } = renderApp('/appointments');
    const times = await screen.findByRole('group', { name: 'Open times' });
    await user.click(within(times).getByRole('button', { name: /, 0?8:00.{0,4} to/ }));
    await user.type(screen.getByRole('textbox', { name: /Reason/ }), 'Check-up');
    await user.click(screen.getByRole('button', { name: 'Book appointment' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('That time was just taken');
    expect(alert).toHaveTextContent(/8:00.*–.*8:20/);
    await waitFor(() =>
      expect(within(screen.getByRole('group', { name: 'Open times' })).getAllByRole('button')).toHaveLength(1),
    );
    expect(screen.queryByTestId('picked-slot')).not.toBeInTheDocument();
    expect(mock.find('GET', `/api/v1/professionals/${DORA.id}/slots`).length).toBeGreaterThan(1);
  });

  it('cancels an appointment with a reason', async () => {
    let list = [soon];
    const mock = mockApi(
      routes({
        list: () => list,
        extra: {
          'POST /api/v1/appointments/:id/cancel': (req: { body: { reason: string } }) => {
            list = [
              {
                ...soon,
                status: 'cancelled',
                cancelledBy: PATIENT.id,
                cancelledByName: PATIENT.name,
                cancelReason: req.body.reason,
              },
            ];
            return ok(list[0]);
          },
        },
      }),
    );
    const { user } = renderApp('/appointments');
    await user.click(await screen.findByRole('button', { name: 'Open the appointment with Dora Doctor' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Blood pressure check')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel appointment' }));
    await user.type(within(dialog).getByRole('textbox', { name: /Why cancel/ }), 'Feeling better');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel appointment' }));
    expect(await within(dialog).findByText(/“Feeling better”/)).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/appointments/a-1/cancel')[0]!.body).toEqual({ reason: 'Feeling better' });
    const upcoming = await screen.findByRole('list', { name: 'Upcoming' });
    await waitFor(() => expect(within(upcoming).getByText('Cancelled')).toBeInTheDocument());
  });

  it('moves an appointment to another open time', async () => {
    let list = [soon];
    const moved = appointment({ id: 'a-5', start: at(1, '08:20'), rescheduledFrom: 'a-1' });
    const mock = mockApi(
      routes({
        list: () => list,
        extra: {
          'POST /api/v1/appointments/:id/reschedule': () => {
            list = [{ ...soon, status: 'cancelled', rescheduledTo: 'a-5' }, moved];
            return created(moved);
          },
          'GET /api/v1/patients/:id/appointments/:aid/history': ok({
            appointments: [
              {
                ...soon,
                status: 'cancelled',
                rescheduledTo: 'a-5',
                cancelledByName: PATIENT.name,
                cancelReason: 'Work',
              },
              moved,
            ],
          }),
        },
      }),
    );
    const { user } = renderApp('/appointments');
    await user.click(await screen.findByRole('button', { name: 'Open the appointment with Dora Doctor' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Move to another time' }));
    const times = await within(dialog).findByRole('group', { name: 'Open times' });
    await user.click(within(times).getByRole('button', { name: /, 0?8:20.{0,4} to/ }));
    await user.type(within(dialog).getByRole('textbox', { name: /Why move/ }), 'Work');
    await user.click(within(dialog).getByRole('button', { name: 'Move appointment' }));
    expect(await within(dialog).findByRole('list', { name: 'History' })).toHaveTextContent(
      /moved by Pat Patient \(Work\)/,
    );
    expect(mock.find('POST', '/api/v1/appointments/a-1/reschedule')[0]!.body).toEqual({
      start: at(1, '08:20'),
      kind: 'video',
      reason: 'Work',
    });
  });

  it('says so when the new time was just taken while moving', async () => {
    mockApi(
      routes({
        list: () => [soon],
        extra: {
          'POST /api/v1/appointments/:id/reschedule': problem(
            409,
            'that time was just booked by someone else; pick another slot',
          ),
        },
      }),
    );
    const { user } = renderApp('/appointments');
    await user.click(await screen.findByRole('button', { name: 'Open the appointment with Dora Doctor' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Move to another time' }));
    const times = await within(dialog).findByRole('group', { name: 'Open times' });
    await user.click(within(times).getByRole('button', { name: /, 0?8:00.{0,4} to/ }));
    await user.type(within(dialog).getByRole('textbox', { name: /Why move/ }), 'Work');
    await user.click(within(dialog).getByRole('button', { name: 'Move appointment' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('That time was just taken');
    expect(within(dialog).getByRole('button', { name: 'Move appointment' })).toBeDisabled();
  });

  it('opens the appointment a notification links to', async () => {
    mockApi(routes({ extra: { 'GET /api/v1/patients/:id/appointments/:aid': ok(video) } }));
    renderApp('/appointments/a-2');
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Talk about the new pills')).toBeInTheDocument();
    expect(within(dialog).getByText(/A video appointment/)).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/appointments?open=a-2');
  });
});
