import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Availability } from '../../api/appointments';
import { created, mockApi, noContent, NURSE, ok, problem } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const empty: Availability = {
  professionalId: NURSE.id,
  timeZone: '',
  slotMinutes: 0,
  weekly: [],
  exceptions: [],
  updatedAt: '0001-01-01T00:00:00Z',
};

const published: Availability = {
  ...empty,
  timeZone: 'Europe/Oslo',
  slotMinutes: 20,
  weekly: [{ weekday: 'monday', start: '09:00', end: '24:00', kind: 'video' }],
  exceptions: [
    {
      id: 'x-1',
      kind: 'off',
      from: '2999-12-24',
      to: '2999-12-26',
      note: 'Christmas',
      createdAt: '2025-01-01T00:00:00Z',
    },
  ],
  updatedAt: '2025-01-01T00:00:00Z',
};

describe('My hours', () => {
  it('publishes weekly hours in the chosen zone', async () => {
    const mock = mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/professionals/:id/availability': ok(empty),
      'PUT /api/v1/professionals/:id/availability': (req) => ok({ ...published, ...(req.body as object) }),
    });
    const { user } = renderApp('/hours');
    const form = await screen.findByRole('form', { name: 'Weekly hours' });
    expect(within(form).getAllByText('Not bookable')).toHaveLength(7);
    await user.click(within(form).getByRole('button', { name: 'Add hours on Tuesday' }));
    await user.click(within(form).getByRole('button', { name: 'Add hours on Tuesday' }));
    const tuesday = within(form).getByRole('listitem', { name: 'Tuesday' });
    expect(within(tuesday).getByLabelText('Tuesday block 1 from')).toHaveValue('09:00');
    expect(within(tuesday).getByLabelText('Tuesday block 2 from')).toHaveValue('12:00');
    expect(within(tuesday).getByLabelText('Tuesday block 2 to')).toHaveValue('14:00');
    await user.click(within(tuesday).getAllByRole('radio', { name: 'Video' })[1]!);
    await user.click(within(form).getByRole('button', { name: 'Add hours on Friday' }));
    await user.click(within(form).getByRole('button', { name: 'Remove Friday' }));
    await user.click(within(form).getByRole('button', { name: 'Publish hours' }));
    expect(await screen.findByText('Your hours are published')).toBeInTheDocument();
    expect(mock.find('PUT', `/api/v1/professionals/${NURSE.id}/availability`)[0]!.body).toEqual({
      timeZone: 'UTC',
      slotMinutes: 20,
      weekly: [
        { weekday: 'tuesday', start: '09:00', end: '12:00', kind: 'in_person' },
        { weekday: 'tuesday', start: '12:00', end: '14:00', kind: 'video' },
      ],
    });
  });

  it('shows the server’s word beside the hours it is about', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/professionals/:id/availability': ok(published),
      'PUT /api/v1/professionals/:id/availability': problem(422, 'validation failed', {
        errors: [{ location: 'body.weekly[1].end', message: 'the hours must end after they start (10:00–09:00)' }],
      }),
    });
    const { user } = renderApp('/hours');
    const form = await screen.findByRole('form', { name: 'Weekly hours' });
    // Midnight is 24:00 to the server and 00:00 in a time field.
    expect(within(form).getByLabelText('Monday from')).toHaveValue('09:00');
    expect(within(form).getByLabelText('Monday to')).toHaveValue('00:00');
    await user.click(within(form).getByRole('button', { name: 'Add hours on Wednesday' }));
    await user.click(within(form).getByRole('button', { name: 'Save hours' }));
    const wednesday = within(form).getByRole('listitem', { name: 'Wednesday' });
    expect(await within(wednesday).findByRole('alert')).toHaveTextContent('The hours must end after they start');
  });

  it('lists, adds and removes days off', async () => {
    let exceptions = published.exceptions;
    const mock = mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/professionals/:id/availability': () => ok({ ...published, exceptions }),
      'POST /api/v1/professionals/:id/availability/exceptions': (req) => {
        const e = { id: 'x-2', createdAt: '2025-01-01T00:00:00Z', ...(req.body as object) };
        exceptions = [...exceptions, e as (typeof exceptions)[0]];
        return created(e);
      },
      'DELETE /api/v1/professionals/:id/availability/exceptions/:xid': () => {
        exceptions = exceptions.filter((e) => e.id !== 'x-1');
        return noContent();
      },
    });
    const { user } = renderApp('/hours');
    const list = await screen.findByRole('list', { name: 'Exceptions' });
    expect(list).toHaveTextContent('Christmas');
    const add = screen.getByRole('form', { name: 'Add an exception' });
    await user.click(within(add).getByRole('radio', { name: 'Extra hours' }));
    await user.type(within(add).getByLabelText('Date'), '2999-01-05');
    await user.click(within(add).getByRole('radio', { name: 'Video' }));
    await user.click(within(add).getByRole('button', { name: 'Add extra hours' }));
    await waitFor(() => expect(screen.getByRole('list', { name: 'Exceptions' })).toHaveTextContent('Extra hours'));
    expect(mock.find('POST', `/api/v1/professionals/${NURSE.id}/availability/exceptions`)[0]!.body).toEqual({
      kind: 'extra',
      from: '2999-01-05',
      start: '14:00',
      end: '16:00',
      visitKind: 'video',
    });
    await user.click(screen.getByRole('button', { name: /^Remove Days off/ }));
    await waitFor(() => expect(screen.getByRole('list', { name: 'Exceptions' })).not.toHaveTextContent('Christmas'));
  });

  it('asks for weekly hours before exceptions', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/professionals/:id/availability': ok(empty) });
    renderApp('/hours');
    expect(await screen.findByText('Publish weekly hours first')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Publish hours' })).toBeInTheDocument();
  });
});
