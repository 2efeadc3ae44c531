import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Device, NewDevice } from '../../api/devices';
import { ADMIN, created, mockApi, ok, user as makeUser } from '../../test/mockApi';
import { device } from '../../test/records';
import { renderApp } from '../../test/render';

const MARGARET = makeUser({ id: 'p1', email: 'margaret@example.org', name: 'Margaret Hill', roles: ['patient'] });
const HAROLD = makeUser({ id: 'p2', email: 'harold@example.org', name: 'Harold Jensen', roles: ['patient'] });
const users = { 'GET /api/v1/users': ok({ users: [ADMIN, MARGARET, HAROLD] }) };

describe('Devices', () => {
  it('lists devices with their patient, state and last contact, and filters them', async () => {
    const list = [
      device({
        refusals: [{ reason: 'disabled', count: 3, firstAt: '2025-01-01T00:00:00Z', lastAt: '2025-01-02T00:00:00Z' }],
      }),
      device({
        id: 'd2',
        kind: 'thermometer',
        maker: 'Braun',
        model: 'ThermoScan 7',
        serial: 'BR-9',
        enabled: false,
        patientId: undefined,
        lastSeenAt: undefined,
        batteryPercent: 12,
      }),
    ];
    const api = mockApi({ 'GET /api/v1/me': ok(ADMIN), ...users, 'GET /api/v1/devices': ok({ devices: list }) });
    const { user } = renderApp('/admin/devices');
    const table = await screen.findByRole('table', { name: 'Devices' });
    const omron = within(table).getByRole('link', { name: 'Omron M7' }).closest('tr')!;
    expect(omron).toHaveTextContent('Blood pressure monitor');
    expect(omron).toHaveTextContent('Margaret Hill');
    expect(omron).toHaveTextContent('Enabled');
    expect(omron).toHaveTextContent('3 refused');
    expect(omron).toHaveTextContent('5 min ago');
    const braun = within(table).getByRole('link', { name: 'Braun ThermoScan 7' }).closest('tr')!;
    expect(braun).toHaveTextContent('Not assigned');
    expect(braun).toHaveTextContent('Disabled');
    expect(braun).toHaveTextContent('Never');
    expect(braun).toHaveTextContent('12% (low)');

    await user.click(screen.getByRole('combobox', { name: 'State' }));
    const states = await screen.findByRole('listbox', { name: 'State', hidden: true });
    await user.click(within(states).getByRole('option', { name: 'Disabled', hidden: true }));
    await waitFor(() => expect(within(table).queryByText('Omron M7')).not.toBeInTheDocument());
    expect(within(table).getByText('Braun ThermoScan 7')).toBeInTheDocument();

    await user.type(screen.getByRole('searchbox', { name: 'Search' }), 'BR-9');
    await waitFor(() => expect(api.find('GET', '/api/v1/devices').at(-1)!.query.get('q')).toBe('BR-9'));
  });

  it('registers a device and shows its credential once, with a warning and a copy button', async () => {
    const api = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      ...users,
      'GET /api/v1/devices': ok({ devices: [] }),
      'POST /api/v1/devices': (req) => {
        const b = req.body as NewDevice;
        return created({
          device: device({
            id: 'd9',
            kind: b.kind,
            maker: b.maker,
            model: b.model ?? '',
            serial: b.serial,
            patientId: b.patientId,
          }),
          credential: 'tend_dev_s3cr3t',
        });
      },
    });
    const { user } = renderApp('/admin/devices');
    await user.click(await screen.findByRole('link', { name: 'Register device' }));
    const form = await screen.findByRole('form', { name: 'Register device' });
    await user.click(within(form).getByRole('button', { name: 'Register device' }));
    expect(within(form).getByText('Choose what the device measures.')).toBeInTheDocument();
    expect(within(form).getByText('Give the serial number.')).toBeInTheDocument();

    await user.click(within(form).getByRole('combobox', { name: 'Kind' }));
    await user.click(
      within(await screen.findByRole('listbox', { name: 'Kind', hidden: true })).getByRole('option', {
        name: 'Blood pressure monitor',
        hidden: true,
      }),
    );
    await user.type(within(form).getByRole('textbox', { name: 'Maker' }), 'Omron');
    await user.type(within(form).getByRole('textbox', { name: 'Model' }), 'M7');
    await user.type(within(form).getByRole('textbox', { name: 'Serial number' }), 'SN-77');
    await user.click(within(form).getByRole('combobox', { name: 'Assign to patient' }));
    await user.click(
      within(await screen.findByRole('listbox', { name: 'Assign to patient', hidden: true })).getByRole('option', {
        name: /Margaret Hill/,
        hidden: true,
      }),
    );
    await user.click(within(form).getByRole('button', { name: 'Register device' }));

    expect(await screen.findByRole('heading', { name: 'Device registered' })).toBeInTheDocument();
    expect(screen.getByTestId('device-credential')).toHaveTextContent('tend_dev_s3cr3t');
    expect(screen.getByText(/Tend shows it only this once/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Copy credential' })).toBeInTheDocument();
    expect(api.find('POST', '/api/v1/devices')[0]!.body).toEqual({
      kind: 'blood_pressure_monitor',
      maker: 'Omron',
      model: 'M7',
      serial: 'SN-77',
      patientId: 'p1',
    });

    // Once left, the secret is gone for good.
    await user.click(screen.getByRole('button', { name: 'Register another' }));
    expect(screen.queryByTestId('device-credential')).not.toBeInTheDocument();
  });

  it('shows a device’s activity, refusals in plain words and history, and assigns, disables and rotates', async () => {
    let d: Device = device({
      status: 'battery-low',
      statusAt: '2025-03-01T10:00:00Z',
      refusals: [
        { reason: 'before_assignment', count: 79, firstAt: '2025-03-01T10:00:00Z', lastAt: '2025-03-01T11:00:00Z' },
        { reason: 'implausible', count: 1, firstAt: '2025-03-02T10:00:00Z', lastAt: '2025-03-02T10:00:00Z' },
      ],
    });
    const api = mockApi({
      'GET /api/v1/me': ok(ADMIN),
      ...users,
      'GET /api/v1/devices/:id': () => ok(d),
      'GET /api/v1/devices/:id/history': ok({
        assignments: [
          {
            id: 'a1',
            deviceId: 'd1',
            patientId: 'p2',
            from: '2024-01-01T00:00:00Z',
            to: '2025-01-02T10:00:00Z',
            assignedBy: ADMIN.id,
            unassignedBy: ADMIN.id,
          },
          { id: 'a2', deviceId: 'd1', patientId: 'p1', from: '2025-01-02T10:00:00Z', assignedBy: ADMIN.id },
        ],
      }),
      'PUT /api/v1/devices/:id/assignment': (req) => {
        d = { ...d, patientId: (req.body as { patientId: string }).patientId };
        return ok(d);
      },
      'PATCH /api/v1/devices/:id': (req) => {
        d = { ...d, enabled: (req.body as { enabled: boolean }).enabled };
        return ok(d);
      },
      'POST /api/v1/devices/:id/credential': () => ok({ device: d, credential: 'tend_dev_new0ne' }),
    });
    const { user } = renderApp('/admin/devices/d1');
    expect(await screen.findByRole('heading', { name: 'Omron M7' })).toBeInTheDocument();
    expect(screen.getByText(/^Battery low \(/)).toBeInTheDocument();

    const refusals = screen.getByRole('table', { name: 'Refused readings' });
    expect(within(refusals).getByText('Taken before the device was assigned to its patient')).toBeInTheDocument();
    expect(within(refusals).getByText('79')).toBeInTheDocument();
    expect(within(refusals).getByText('Value impossible for a living body')).toBeInTheDocument();

    const history = await screen.findByRole('table', { name: 'Assignment history' });
    const rows = within(history).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('Margaret Hill');
    expect(rows[1]).toHaveTextContent('Now');
    expect(rows[2]).toHaveTextContent('Harold Jensen');

    // Move it to Harold.
    await user.click(screen.getByRole('combobox', { name: 'Move to another patient' }));
    await user.click(
      within(await screen.findByRole('listbox', { name: 'Move to another patient', hidden: true })).getByRole(
        'option',
        {
          name: /Harold Jensen/,
          hidden: true,
        },
      ),
    );
    await user.click(screen.getByRole('button', { name: 'Assign' }));
    await waitFor(() => expect(api.find('PUT', '/api/v1/devices/d1/assignment')[0]!.body).toEqual({ patientId: 'p2' }));

    // Disabling asks first.
    await user.click(screen.getByRole('switch', { name: 'Enabled' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('will be refused at every door');
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(api.find('PATCH', '/api/v1/devices/d1')[0]!.body).toEqual({ enabled: false }));
    expect(await screen.findByText('Its readings are refused at every door until it is enabled.')).toBeInTheDocument();

    // Rotating shows the new secret once.
    await user.click(screen.getByRole('button', { name: 'Rotate credential' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Rotate credential' }));
    expect(await screen.findByTestId('device-credential')).toHaveTextContent('tend_dev_new0ne');
    expect(screen.getByText(/old credential no longer works/)).toBeInTheDocument();
  });
});
