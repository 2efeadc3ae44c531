import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Appointment } from '../../api/appointments';
import { appointment, at, dayFromToday } from '../../test/appointments';
import { mockApi, noContent, NURSE, ok } from '../../test/mockApi';
import { renderApp } from '../../test/render';

// The calendar's professional is the nurse here.
const mine = (a: Appointment): Appointment => ({ ...a, professionalId: NURSE.id, professionalName: NURSE.name });
const today = mine(appointment({ id: 'c-1', start: at(0, '23:00'), patientName: 'Harold Jensen' }));
const gone = mine(
  appointment({
    id: 'c-2',
    start: at(0, '23:30'),
    patientName: 'Greta Holm',
    status: 'cancelled',
    cancelledByName: 'Greta Holm',
    cancelReason: 'Away',
  }),
);

function routes(extra: Record<string, unknown> = {}) {
  return {
    'GET /api/v1/me': ok(NURSE),
    'GET /api/v1/me/appointments': ok({ from: '', to: '', timeZone: 'UTC', appointments: [today, gone] }),
    'GET /api/v1/me/calendar-feed': ok({ enabled: false }),
    ...extra,
  };
}

describe('Calendar', () => {
  it('shows the week’s booked appointments, cancelled ones only when asked', async () => {
    const mock = mockApi(routes());
    const { user } = renderApp('/calendar');
    const week = await screen.findByRole('list', { name: 'Week' });
    expect(within(week).getAllByRole('listitem')).toHaveLength(7);
    expect(within(week).getByRole('button', { name: /Harold Jensen, In person/ })).toBeInTheDocument();
    expect(within(week).queryByRole('button', { name: /Greta Holm/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole('switch', { name: 'Show cancelled' }));
    expect(within(week).getByRole('button', { name: /Greta Holm, In person, cancelled/ })).toBeInTheDocument();
    const q = mock.find('GET', '/api/v1/me/appointments')[0]!.query;
    expect(q.get('view')).toBe('week');
    expect(q.get('date')).toBe(dayFromToday(0));
    expect(q.get('timeZone')).toBe('UTC');
  });

  it('moves a day or a week at a time, and back to today', async () => {
    const mock = mockApi(routes());
    const { user } = renderApp('/calendar');
    await screen.findByRole('list', { name: 'Week' });
    await user.click(screen.getByRole('button', { name: 'Next week' }));
    await waitFor(() =>
      expect(mock.find('GET', '/api/v1/me/appointments').at(-1)!.query.get('date')).toBe(dayFromToday(7)),
    );
    await user.click(screen.getByRole('radio', { name: 'Day' }));
    await user.click(screen.getByRole('button', { name: 'Previous day' }));
    await waitFor(() => {
      const q = mock.find('GET', '/api/v1/me/appointments').at(-1)!.query;
      expect([q.get('view'), q.get('date')]).toEqual(['day', dayFromToday(6)]);
    });
    await user.click(screen.getByRole('button', { name: 'Today' }));
    await waitFor(() =>
      expect(mock.find('GET', '/api/v1/me/appointments').at(-1)!.query.get('date')).toBe(dayFromToday(0)),
    );
    expect(await screen.findByRole('list', { name: 'Day' })).toHaveTextContent('Harold Jensen');
  });

  it('opens an appointment with the patient, the reason and a way to cancel it', async () => {
    const tomorrow = mine(appointment({ id: 'c-3', start: at(1, '09:00'), patientName: 'Harold Jensen' }));
    mockApi(
      routes({ 'GET /api/v1/me/appointments': ok({ from: '', to: '', timeZone: 'UTC', appointments: [tomorrow] }) }),
    );
    const { user } = renderApp(`/calendar?view=day&date=${dayFromToday(1)}`);
    await user.click(await screen.findByRole('button', { name: 'Open the appointment with Harold Jensen' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('link', { name: 'Harold Jensen' })).toHaveAttribute('href', `/patients/pat-1`);
    expect(within(dialog).getByText('Blood pressure check')).toBeInTheDocument();
    // The patient lives in Paris, the browser here is on UTC.
    expect(within(dialog).getByText(/Harold Jensen’s time:/)).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Cancel appointment' })).toBeInTheDocument();
    expect(within(dialog).queryByRole('button', { name: 'Mark as done' })).not.toBeInTheDocument();
  });

  it('turns the calendar feed on, shows the address once, and off again', async () => {
    let on = false;
    mockApi(
      routes({
        'GET /api/v1/me/calendar-feed': () => ok({ enabled: on }),
        'POST /api/v1/me/calendar-feed': () => {
          on = true;
          return ok({ url: 'http://tend.test/calendar/s3cret.ics', path: '/calendar/s3cret.ics' });
        },
        'DELETE /api/v1/me/calendar-feed': () => {
          on = false;
          return noContent();
        },
      }),
    );
    const { user } = renderApp('/calendar');
    await user.click(await screen.findByRole('button', { name: 'Turn on calendar feed' }));
    expect(await screen.findByTestId('feed-url')).toHaveTextContent('http://tend.test/calendar/s3cret.ics');
    expect(screen.getByRole('button', { name: 'Copy feed address' })).toBeInTheDocument();
    expect(screen.getByText('Your calendar feed is on.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByTestId('feed-url')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Turn off' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Turn off' }));
    expect(await screen.findByText('Your calendar feed is off.')).toBeInTheDocument();
  });

  it('opens the appointment a notification links to', async () => {
    const later = mine(appointment({ id: 'c-9', start: at(20, '09:00'), patientName: 'Harold Jensen' }));
    mockApi(routes({ 'GET /api/v1/me/appointments': ok({ from: '', to: '', timeZone: '', appointments: [later] }) }));
    renderApp('/appointments/c-9');
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('link', { name: 'Harold Jensen' })).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('/calendar?open=c-9');
  });
});
