import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Dashboard, DashboardRow } from '../../api/dashboard';
import { FakeWebSocket } from '../../test/fakeSocket';
import { mockApi, NURSE, ok, problem, user as mkUser } from '../../test/mockApi';
import { renderApp } from '../../test/render';

const FAMILY = mkUser({ id: 'fam-1', email: 'fay@example.org', name: 'Fay Family', roles: ['family'] });
const ago = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
const ALL = ['vitals', 'journal', 'medications', 'messages', 'alerts', 'appointments'] as const;

function row(r: Partial<DashboardRow> & Pick<DashboardRow, 'id' | 'name'>): DashboardRow {
  return {
    access: 'care',
    scopes: [...ALL],
    notShared: [],
    vitals: [],
    alerts: { open: 0, acknowledged: 0, openCritical: 0 },
    ...r,
  };
}

const carl = row({
  id: 'p-carl',
  name: 'Carl Critical',
  lastReadingAt: ago(5),
  vitals: [
    {
      type: 'heart_rate',
      value: 150,
      unit: '/min',
      takenAt: ago(5),
      source: 'device',
      readingId: 'r1',
      outOfRange: 'critical',
    },
    { type: 'body_temperature', value: 37, unit: 'Cel', takenAt: ago(5), source: 'device', readingId: 'r2' },
  ],
  news2: {
    available: true,
    total: 7,
    partial: true,
    singleThree: true,
    risk: 'high',
    response: 'Emergency assessment',
  },
  alerts: {
    open: 1,
    acknowledged: 0,
    openCritical: 1,
    highest: 'critical',
    top: {
      id: 'a1',
      title: 'Heart rate above 130',
      kind: 'vital',
      severity: 'critical',
      status: 'open',
      openedAt: ago(5),
    },
  },
});
const mia = row({ id: 'p-mia', name: 'Mia Missed', today: { total: 2, done: 1, due: 0, upcoming: 0, missed: 1 } });
const olga = row({
  id: 'p-olga',
  name: 'Olga Fine',
  lastReadingAt: ago(180),
  vitals: [
    {
      type: 'blood_pressure',
      components: [
        { key: 'systolic', value: 124 },
        { key: 'diastolic', value: 80 },
      ],
      unit: 'mm[Hg]',
      takenAt: ago(180),
      source: 'manual',
      readingId: 'r3',
    },
  ],
  news2: { available: true, total: 0, partial: true, singleThree: false, risk: 'low' },
});

const board = (patients: DashboardRow[]): Dashboard => ({ at: new Date().toISOString(), patients });

function names(): string[] {
  const table = screen.getByRole('table', { name: 'Patients' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((r) => r.getAttribute('aria-label') ?? '');
}

describe('Clinician dashboard', () => {
  it('shows the patients worst first with their vitals in the viewer’s units, badges and times', async () => {
    localStorage.setItem('tend.units', JSON.stringify({ temperature: '[degF]' }));
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/dashboard': ok(board([carl, mia, olga])) });
    renderApp('/patients');
    await screen.findByRole('table', { name: 'Patients' });
    expect(names()).toEqual(['Carl Critical', 'Mia Missed', 'Olga Fine']);
    const c = screen.getByRole('row', { name: 'Carl Critical' });
    expect(within(c).getByLabelText('150 /min, out of range (critical), 5 min ago')).toBeInTheDocument();
    expect(within(c).getByText('98.6')).toBeInTheDocument(); // 37 °C shown in °F, as chosen
    expect(within(c).getByLabelText('NEWS2 7, partial: high risk')).toBeInTheDocument();
    expect(within(c).getByLabelText('1 open alert, critical: Heart rate above 130')).toBeInTheDocument();
    expect(within(c).getByText('5 min ago')).toBeInTheDocument();
    const m = screen.getByRole('row', { name: 'Mia Missed' });
    expect(within(m).getByText('1 missed')).toBeInTheDocument();
    expect(within(m).getByText('Never')).toBeInTheDocument();
    const o = screen.getByRole('row', { name: 'Olga Fine' });
    expect(within(o).getByText('124/80')).toBeInTheDocument();
    expect(within(o).getByText('3 h ago')).toBeInTheDocument();
    expect(screen.getByText(/1 needs you now/)).toBeInTheDocument();
    localStorage.removeItem('tend.units');
  });

  it('filters by name, open alerts and missed measurements, and sorts by choice', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/dashboard': ok(board([carl, mia, olga])) });
    const { user } = renderApp('/patients');
    await screen.findByRole('table', { name: 'Patients' });

    await user.type(screen.getByRole('searchbox', { name: 'Search patients by name' }), 'ol');
    expect(names()).toEqual(['Olga Fine']);
    await user.clear(screen.getByRole('searchbox', { name: 'Search patients by name' }));

    await user.click(screen.getByRole('checkbox', { name: 'With open alerts' }));
    expect(names()).toEqual(['Carl Critical']);
    await user.click(screen.getByRole('checkbox', { name: 'With open alerts' }));
    await user.click(screen.getByRole('checkbox', { name: 'Missed today' }));
    expect(names()).toEqual(['Mia Missed']);
    await user.click(screen.getByRole('checkbox', { name: 'Missed today' }));

    await user.click(screen.getByRole('combobox', { name: 'Sort' }));
    await user.click(await screen.findByRole('option', { name: 'Latest reading first', hidden: true }));
    expect(names()).toEqual(['Carl Critical', 'Olga Fine', 'Mia Missed']);
    await user.click(screen.getByRole('combobox', { name: 'Sort' }));
    await user.click(await screen.findByRole('option', { name: 'Name', hidden: true }));
    expect(names()).toEqual(['Carl Critical', 'Mia Missed', 'Olga Fine']);

    // The column headings sort too, and say which one does.
    await user.click(screen.getByRole('button', { name: 'NEWS2' }));
    expect(names()).toEqual(['Carl Critical', 'Olga Fine', 'Mia Missed']);
    expect(screen.getByRole('columnheader', { name: /NEWS2/ })).toHaveAttribute('aria-sort', 'descending');
    await user.click(screen.getByRole('button', { name: 'Last reading' }));
    expect(names()).toEqual(['Carl Critical', 'Olga Fine', 'Mia Missed']);
    await user.click(screen.getByRole('button', { name: /Last reading/ }));
    expect(names()).toEqual(['Mia Missed', 'Olga Fine', 'Carl Critical']);
    expect(screen.getByRole('columnheader', { name: /Last reading/ })).toHaveAttribute('aria-sort', 'ascending');

    await user.type(screen.getByRole('searchbox', { name: 'Search patients by name' }), 'zed');
    expect(screen.getByText('No patient matches “zed”.')).toBeInTheDocument();
  });

  it('opens the patient’s page on a click or with Enter', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/dashboard': ok(board([carl, olga])),
      'GET /api/v1/patients/:id': problem(404, 'not in this test'),
    });
    const { user } = renderApp('/patients');
    const o = await screen.findByRole('row', { name: 'Olga Fine' });
    o.focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/patients/p-olga'));
  });

  it('updates a row live when an event about the patient arrives', async () => {
    let current = board([olga, mia]);
    const api = mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/dashboard': () => ok(current) });
    renderApp('/patients');
    await screen.findByRole('table', { name: 'Patients' });
    const ws = FakeWebSocket.last()!;
    act(() => ws.open());
    expect(ws.sent).toContainEqual({ type: 'subscribe', all: true });
    act(() => ws.acknowledge());
    await screen.findByText('● Live');
    const before = api.find('GET', '/api/v1/dashboard').length;

    // The server now has a new, alarming heart rate for Olga.
    current = board([
      {
        ...olga,
        lastReadingAt: ago(0),
        vitals: [
          ...olga.vitals!,
          {
            type: 'heart_rate',
            value: 142,
            unit: '/min',
            takenAt: ago(0),
            source: 'device',
            readingId: 'r9',
            outOfRange: 'critical',
          },
        ],
        alerts: { ...carl.alerts! },
      },
      mia,
    ]);
    act(() =>
      ws.receive({ type: 'event', event: { kind: 'reading.created', patientId: 'p-olga', scope: 'vitals', data: {} } }),
    );
    const o = screen.getByRole('row', { name: 'Olga Fine' });
    expect(await within(o).findByLabelText('142 /min, out of range (critical), just now')).toBeInTheDocument();
    expect(within(o).getByText('just now')).toBeInTheDocument();
    expect(api.find('GET', '/api/v1/dashboard').length).toBe(before + 1);
  });

  it('says plainly when there is nobody yet, and when the list could not load', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/dashboard': ok(board([])) });
    const first = renderApp('/patients');
    expect(await screen.findByText('No patients in your care yet')).toBeInTheDocument();
    first.unmount();
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/dashboard': problem(503, 'Tend is starting, try in a minute.'),
    });
    renderApp('/patients');
    expect(await screen.findByRole('alert')).toHaveTextContent('Tend is starting, try in a minute.');
  });
});

describe('Family view', () => {
  it('shows each person only as far as they share, and says what is not shared', async () => {
    const dad = row({
      id: 'p-dad',
      name: 'Harold Jensen',
      access: 'share',
      scopes: ['vitals'],
      notShared: ['journal', 'medications', 'messages', 'alerts', 'appointments'],
      alerts: undefined,
      lastReadingAt: ago(30),
      vitals: [
        {
          type: 'blood_pressure',
          components: [
            { key: 'systolic', value: 131 },
            { key: 'diastolic', value: 84 },
          ],
          unit: 'mm[Hg]',
          takenAt: ago(30),
          source: 'device',
          readingId: 'r1',
        },
      ],
      today: { total: 2, done: 1, due: 0, upcoming: 1, missed: 0 },
    });
    const aunt = row({
      id: 'p-aunt',
      name: 'Rosa Moretti',
      access: 'share',
      scopes: ['journal', 'alerts'],
      notShared: ['vitals', 'medications', 'messages', 'appointments'],
      vitals: null,
      journal: { id: 'j1', kind: 'symptom', name: 'Dizzy', occurredAt: ago(60) },
    });
    mockApi({ 'GET /api/v1/me': ok(FAMILY), 'GET /api/v1/dashboard': ok(board([dad, aunt])) });
    renderApp('/patients');
    const h = await screen.findByRole('region', { name: 'Harold Jensen' });
    expect(within(h).getByText(/^Harold measured blood pressure (at .+ today|yesterday at .+)\.$/)).toBeInTheDocument();
    expect(within(h).getByText('131/84')).toBeInTheDocument();
    expect(within(h).getByText(/Today: 1 of 2 planned measurements done/)).toBeInTheDocument();
    expect(
      within(h).getByText(/Not shared with you: journal, medications, messages, alerts and appointments/),
    ).toBeInTheDocument();
    expect(within(h).queryByText(/journal entry/)).not.toBeInTheDocument();
    expect(within(h).queryByText(/open alert/)).not.toBeInTheDocument();

    const r = screen.getByRole('region', { name: 'Rosa Moretti' });
    expect(within(r).getByText('Rosa has not shared their readings with you.')).toBeInTheDocument();
    expect(within(r).getByText(/Latest journal entry: Symptom — Dizzy/)).toBeInTheDocument();
    expect(within(r).getByText('No open alerts.')).toBeInTheDocument();
    expect(within(r).getByRole('link', { name: 'Open Rosa’s page' })).toHaveAttribute('href', '/patients/p-aunt');
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(within(nav).getByRole('link', { name: 'Family' })).toBeInTheDocument();
  });

  it('explains an empty list', async () => {
    mockApi({ 'GET /api/v1/me': ok(FAMILY), 'GET /api/v1/dashboard': ok(board([])) });
    renderApp('/patients');
    expect(await screen.findByText('Nobody shares their data with you yet')).toBeInTheDocument();
  });
});
