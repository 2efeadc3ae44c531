import { screen, waitFor, within } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Notification, Preferences } from '../../api/notifications';
import { mockApi, NURSE, ok } from '../../test/mockApi';
import { renderApp } from '../../test/render';

beforeAll(async () => {
  await import('./NotificationSettings');
}, 60_000);

function notification(o: Partial<Notification>): Notification {
  return {
    id: 'n1',
    kind: 'alert.opened',
    severity: 'critical',
    title: 'Hypertensive crisis',
    body: 'A monitoring alert needs attention.',
    link: '/patients/p1/alerts/a1',
    createdAt: new Date().toISOString(),
    ...o,
  };
}

describe('Notifications', () => {
  it('counts unread ones on the bell, lists them, opens one and marks all read', async () => {
    const list = [
      notification({ id: 'n1' }),
      notification({
        id: 'n2',
        kind: 'reminder.measurement',
        severity: 'info',
        title: 'Time to measure',
        link: '/today',
      }),
      notification({ id: 'n3', title: 'Older', readAt: new Date().toISOString() }),
    ];
    const api = mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/patients': ok({ patients: [] }),
      'GET /api/v1/alerts': ok({ alerts: [] }),
      'GET /api/v1/me/notifications': () => ok({ notifications: list, unread: list.filter((n) => !n.readAt).length }),
      'POST /api/v1/me/notifications/:id/read': (req) => {
        list.find((n) => n.id === req.params.id)!.readAt = new Date().toISOString();
        return { status: 204 };
      },
      'POST /api/v1/me/notifications/read-all': () => {
        list.forEach((n) => (n.readAt ??= new Date().toISOString()));
        return { status: 204 };
      },
      'GET /api/v1/patients/:id/alerts/:aid': ok({}),
    });
    const { user } = renderApp('/patients');
    const bell = await screen.findByRole('button', { name: 'Notifications: 2 unread' });
    await user.click(bell);
    // Mantine's popover counts as hidden to happy-dom's styles.
    const latest = await screen.findByRole('list', { name: 'Latest notifications', hidden: true });
    expect(within(latest).getAllByRole('listitem', { hidden: true })).toHaveLength(3);
    await user.click(within(latest).getByRole('listitem', { name: 'Unread: Hypertensive crisis', hidden: true }));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/patients/p1/alerts/a1'));
    expect(api.find('POST', '/api/v1/me/notifications/n1/read')).toHaveLength(1);
    expect(await screen.findByRole('button', { name: 'Notifications: 1 unread' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Notifications: 1 unread' }));
    await user.click(await screen.findByRole('button', { name: 'Mark all read', hidden: true }));
    expect(await screen.findByRole('button', { name: 'Notifications' })).toBeInTheDocument();
  });

  it('saves which notifications come by email and quiet hours, keeping other rules', async () => {
    let saved: Preferences | undefined;
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/alerts': ok({ alerts: [] }),
      'GET /api/v1/me/notifications': ok({ notifications: [], unread: 0 }),
      'GET /api/v1/me/notification-preferences': ok({
        rules: [
          { kind: 'alert.*', email: 'critical' },
          { kind: 'alert.escalated', email: 'all' },
        ],
      }),
      'PUT /api/v1/me/notification-preferences': (req) => {
        saved = req.body as Preferences;
        return ok(saved);
      },
    });
    const { user } = renderApp('/notifications');
    const form = await screen.findByRole('form', { name: 'Notification settings' });
    expect(within(form).getByRole('combobox', { name: 'Alerts' })).toHaveValue('By email when critical');
    await user.click(within(form).getByRole('combobox', { name: 'Medicine reminders' }));
    const opts = await screen.findByRole('listbox', { name: 'Medicine reminders', hidden: true });
    await user.click(within(opts).getByRole('option', { name: 'Also by email', hidden: true }));
    await user.click(within(form).getByRole('switch', { name: 'Keep quiet hours' }));
    await user.click(within(form).getByRole('button', { name: 'Save settings' }));
    expect(await within(form).findByText('Saved.')).toBeInTheDocument();
    expect(saved!.quietHours).toEqual({ start: '22:00', end: '07:00' });
    expect(saved!.rules).toContainEqual({ kind: 'alert.escalated', email: 'all' });
    expect(saved!.rules).toContainEqual({ kind: 'alert.*', email: 'critical' });
    expect(saved!.rules).toContainEqual({ kind: 'reminder.medication', email: 'all' });
    expect(screen.getByRole('link', { name: 'Notifications' })).toHaveAttribute('aria-current', 'page');
  });
});
