import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { AppProviders, createQueryClient } from '../../AppProviders';
import type { Me, PatientDetail } from '../../api/types';
import { SessionProvider } from '../../session/SessionContext';
import { appointment, at, DORA, slot } from '../../test/appointments';
import { created, mockApi, NURSE, ok, user as makeUser } from '../../test/mockApi';
import { NextAppointments } from './NextAppointments';

const harold: PatientDetail = {
  id: 'pat-1',
  name: 'Harold Jensen',
  email: 'harold@example.org',
  profile: { timeZone: 'America/New_York' },
  access: 'care',
  scopes: ['vitals', 'journal', 'appointments'],
};

function show(p: PatientDetail, me: Me = NURSE) {
  const qc = createQueryClient();
  qc.setDefaultOptions({ queries: { ...qc.getDefaultOptions().queries, retry: false } });
  const u = userEvent.setup({ delay: null });
  render(
    <AppProviders queryClient={qc}>
      <MemoryRouter>
        <SessionProvider me={me}>
          <NextAppointments p={p} />
        </SessionProvider>
      </MemoryRouter>
    </AppProviders>,
  );
  return u;
}

describe('NextAppointments', () => {
  it('lists the patient’s next appointments on their own clock too', async () => {
    mockApi({
      'GET /api/v1/patients/:id/appointments': ok({
        appointments: [appointment({ id: 'a-1', start: at(2, '15:00'), patientName: 'Harold Jensen' })].map((a) => ({
          ...a,
          patientTime: { ...a.patientTime, timeZone: 'America/New_York' },
        })),
      }),
    });
    show(harold);
    const list = await screen.findByRole('list', { name: 'Next appointments' });
    expect(list).toHaveTextContent('With Dora Doctor');
    expect(list).toHaveTextContent(/Harold Jensen’s time: 10:00/);
  });

  it('books for the patient, starting with the viewer when they can be booked', async () => {
    const dora = makeUser({ id: DORA.id, name: DORA.name, roles: ['doctor'] });
    const nina = { ...DORA, id: 'nurse-9', name: 'Nina Nurse' };
    let booked = false;
    const mock = mockApi({
      'GET /api/v1/patients/:id/appointments': () =>
        ok({ appointments: booked ? [appointment({ id: 'a-7', start: at(1, '08:00') })] : [] }),
      'GET /api/v1/patients/:id/professionals': ok({ professionals: [DORA, nina] }),
      'GET /api/v1/professionals/:id/slots': ok({ slots: [slot(at(1, '08:00'))] }),
      'POST /api/v1/appointments': () => {
        booked = true;
        return created(appointment({ id: 'a-7', start: at(1, '08:00') }));
      },
    });
    const u = show(harold, dora);
    expect(await screen.findByText('Nothing booked')).toBeInTheDocument();
    await u.click(screen.getByRole('button', { name: 'Book for Harold Jensen' }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByRole('combobox', { name: 'With' })).toHaveValue('Dora Doctor');
    const times = await within(dialog).findByRole('group', { name: 'Open times' });
    await u.click(within(times).getByRole('button'));
    await u.type(within(dialog).getByRole('textbox', { name: /Reason/ }), 'Follow-up');
    await u.click(within(dialog).getByRole('button', { name: 'Book appointment' }));
    expect(await within(dialog).findByText('Booked')).toBeInTheDocument();
    expect(mock.find('POST', '/api/v1/appointments')[0]!.body).toMatchObject({
      patientId: 'pat-1',
      professionalId: DORA.id,
      reason: 'Follow-up',
    });
    expect(mock.find('GET', `/api/v1/professionals/${DORA.id}/slots`)[0]!.query.get('patientId')).toBe('pat-1');
  });

  it('is not there for someone the patient did not let see appointments', () => {
    mockApi({});
    show({ ...harold, access: 'share', scopes: ['vitals'] });
    expect(screen.queryByText('Next appointments')).not.toBeInTheDocument();
  });
});
