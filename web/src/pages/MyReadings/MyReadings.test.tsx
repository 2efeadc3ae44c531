import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { NewEntry } from '../../api/journal';
import type { NewReading, Reading } from '../../api/readings';
import { created, mockApi, ok, PATIENT, problem } from '../../test/mockApi';
import { entry, patientDetail, reading, recordRoutes } from '../../test/records';
import { renderApp } from '../../test/render';

const me = () => patientDetail({ id: PATIENT.id, name: PATIENT.name, access: 'self', scopes: [] });

describe('My readings', () => {
  it('lets a patient enter a blood pressure by hand and see it charted and listed', async () => {
    const store = { patient: me(), readings: [] as Reading[], entries: [] };
    const api = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes(store),
      'POST /api/v1/patients/:id/readings': (req) => {
        const item = (req.body as { readings: NewReading[] }).readings[0]!;
        const r = reading({
          type: item.type,
          value: undefined,
          components: item.components,
          unit: 'mm[Hg]',
          takenAt: item.takenAt,
          source: 'manual',
          deviceId: undefined,
          enteredBy: PATIENT.id,
        });
        store.readings.push(r);
        return ok({ results: [{ outcome: 'stored', id: r.id }], stored: 1, duplicate: 0, refused: 0 });
      },
    });
    const { user } = renderApp('/my-readings');
    expect(await screen.findByRole('heading', { name: 'My readings' })).toBeInTheDocument();
    expect(await screen.findByText('No readings yet')).toBeInTheDocument();

    const form = await screen.findByRole('form', { name: 'Add a reading' });
    expect(within(form).getByRole('combobox', { name: 'Measurement' })).toHaveValue('Blood pressure');
    // The time defaults to now.
    const taken = within(form).getByLabelText('Taken at') as HTMLInputElement;
    expect(Math.abs(new Date(taken.value).getTime() - Date.now())).toBeLessThan(2 * 60_000);

    await user.click(within(form).getByRole('button', { name: 'Save reading' }));
    expect(within(form).getAllByText('Enter a number.')).toHaveLength(2);

    await user.type(within(form).getByRole('textbox', { name: 'Systolic' }), '128');
    await user.type(within(form).getByRole('textbox', { name: 'Diastolic' }), '82');
    await user.click(within(form).getByRole('button', { name: 'Save reading' }));

    expect(await within(form).findByText('Saved: blood pressure 128/82 mmHg.')).toBeInTheDocument();
    const sent = api.find('POST', `/api/v1/patients/${PATIENT.id}/readings`)[0]!.body as { readings: NewReading[] };
    expect(sent.readings[0]).toMatchObject({
      type: 'blood_pressure',
      unit: 'mm[Hg]',
      components: [
        { key: 'systolic', value: 128 },
        { key: 'diastolic', value: 82 },
      ],
    });

    // Charted (the tile and the chart's summary) and listed, as entered by the patient.
    expect(await screen.findByRole('button', { name: /Blood pressure: 128\/82 mmHg/ })).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('chart-summary')).toHaveTextContent('1 reading · average 128/82'));
    const row = within(screen.getByRole('table', { name: 'Readings' }))
      .getByText('128/82 mmHg')
      .closest('tr')!;
    expect(row).toHaveTextContent('Entered by hand');
    expect(row).toHaveTextContent('You');
  });

  it('shows the server’s refusal beside the field it is about', async () => {
    mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes({ patient: me(), readings: [] }),
      'POST /api/v1/patients/:id/readings': ok({
        results: [
          {
            outcome: 'refused',
            reason: 'implausible',
            message: 'diastolic blood pressure 800 mmHg is outside the plausible range 10–200 mmHg',
            fields: [
              {
                field: 'components.diastolic',
                message: 'diastolic blood pressure 800 mmHg is outside the plausible range 10–200 mmHg',
              },
            ],
          },
        ],
        stored: 0,
        duplicate: 0,
        refused: 1,
      }),
    });
    const { user } = renderApp('/my-readings');
    const form = await screen.findByRole('form', { name: 'Add a reading' });
    await user.type(within(form).getByRole('textbox', { name: 'Systolic' }), '120');
    await user.type(within(form).getByRole('textbox', { name: 'Diastolic' }), '800');
    await user.click(within(form).getByRole('button', { name: 'Save reading' }));
    const diastolic = within(form).getByRole('textbox', { name: 'Diastolic' });
    await waitFor(() => expect(diastolic).toHaveAttribute('aria-invalid', 'true'));
    expect(
      within(form).getByText('Diastolic blood pressure 800 mmHg is outside the plausible range 10–200 mmHg'),
    ).toBeInTheDocument();
    expect(within(form).getByRole('textbox', { name: 'Systolic' })).not.toHaveAttribute('aria-invalid', 'true');
  });

  it('offers the units a type accepts, with the viewer’s preference first', async () => {
    localStorage.setItem('tend.units', JSON.stringify({ glucose: 'mmol/L' }));
    const api = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes({ patient: me(), readings: [] }),
      'POST /api/v1/patients/:id/readings': ok({
        results: [{ outcome: 'stored', id: 'x' }],
        stored: 1,
        duplicate: 0,
        refused: 0,
      }),
    });
    const { user } = renderApp('/my-readings');
    const form = await screen.findByRole('form', { name: 'Add a reading' });
    await user.click(within(form).getByRole('combobox', { name: 'Measurement' }));
    const options = await screen.findByRole('listbox', { name: 'Measurement', hidden: true });
    await user.click(within(options).getByRole('option', { name: 'Blood glucose', hidden: true }));
    expect(within(form).getByRole('combobox', { name: 'Unit' })).toHaveValue('mmol/L');
    await user.type(within(form).getByRole('textbox', { name: 'Value' }), '6.2');
    await user.click(within(form).getByRole('button', { name: 'Save reading' }));
    await within(form).findByText('Saved: blood glucose 6.2 mmol/L.');
    const sent = api.find('POST', `/api/v1/patients/${PATIENT.id}/readings`)[0]!.body as { readings: NewReading[] };
    expect(sent.readings[0]).toMatchObject({ type: 'blood_glucose', value: 6.2, unit: 'mmol/L' });
  });

  it('adds a symptom to the journal and lists it', async () => {
    const store = {
      patient: me(),
      readings: [] as Reading[],
      entries: [entry({ name: 'Toast', enteredBy: PATIENT.id })],
    };
    const api = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes(store),
      'POST /api/v1/patients/:id/journal': (req) => {
        const body = req.body as NewEntry;
        if (!body.name)
          return problem(422, 'validation failed', {
            errors: [{ location: 'body.name', message: 'say what was felt' }],
          });
        const e = entry({ amount: undefined, ...body, enteredBy: PATIENT.id });
        store.entries.unshift(e);
        return created(e);
      },
    });
    const { user } = renderApp('/my-readings');
    const form = await screen.findByRole('form', { name: 'Add to the journal' });
    expect(await screen.findByText('Toast, 1 bowl')).toBeInTheDocument();
    expect(screen.getByText('Entered by You')).toBeInTheDocument();
    await user.click(within(form).getByRole('radio', { name: 'Symptom' }));
    await user.type(within(form).getByRole('textbox', { name: 'Symptom' }), 'Dizzy when standing');
    await user.type(within(form).getByRole('textbox', { name: 'Note (optional)' }), 'After lunch');
    await user.click(within(form).getByRole('button', { name: 'Add to journal' }));
    expect(await within(form).findByText('Added to the journal.')).toBeInTheDocument();
    const body = api.find('POST', `/api/v1/patients/${PATIENT.id}/journal`)[0]!.body as NewEntry;
    expect(body).toMatchObject({ kind: 'symptom', name: 'Dizzy when standing', severity: 5, note: 'After lunch' });
    const list = screen.getByRole('list', { name: 'Journal entries' });
    expect(await within(list).findByText('Dizzy when standing')).toBeInTheDocument();
    expect(within(list).getByText('severity 5/10')).toBeInTheDocument();
  });

  it('marks a journal entry entered in error, keeping it crossed out', async () => {
    const toast = entry({ name: 'Toast', enteredBy: PATIENT.id });
    const api = mockApi({
      'GET /api/v1/me': ok(PATIENT),
      ...recordRoutes({ patient: me(), readings: [], entries: [toast] }),
      'POST /api/v1/patients/:id/journal/:eid/entered-in-error': (req) => {
        toast.status = 'entered-in-error';
        toast.correction = {
          at: new Date().toISOString(),
          by: PATIENT.id,
          reason: (req.body as { reason: string }).reason,
        };
        return ok(toast);
      },
    });
    const { user } = renderApp('/my-readings');
    await user.click(await screen.findByRole('button', { name: 'Actions for journal entry Toast, 1 bowl' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Mark entered in error…' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText(/Why is it wrong/), 'Wrong day');
    await user.click(within(dialog).getByRole('button', { name: 'Mark entered in error' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(api.find('POST', `/api/v1/patients/${PATIENT.id}/journal/${toast.id}/entered-in-error`)[0]!.body).toEqual({
      reason: 'Wrong day',
    });
    expect(await screen.findByText(/entered in error by You: Wrong day/)).toBeInTheDocument();
  });
});
