import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi, NURSE, ok, problem } from '../../test/mockApi';
import { renderApp } from '../../test/render';

describe('Patient page', () => {
  it('shows the patient’s name, profile and what the viewer may see', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/patients/:id': ok({
        id: 'p1',
        name: 'Pat Patient',
        email: 'pat@example.org',
        profile: { birthDate: '1950-04-01', sex: 'female', timeZone: 'Europe/Paris', mrn: 'MRN-77' },
        access: 'share',
        scopes: ['vitals', 'alerts'],
      }),
    });
    renderApp('/patients/p1');
    expect(await screen.findByRole('heading', { name: 'Pat Patient' })).toBeInTheDocument();
    expect(screen.getByText('Female')).toBeInTheDocument();
    expect(screen.getByText('Europe/Paris')).toBeInTheDocument();
    expect(screen.getByText('MRN-77')).toBeInTheDocument();
    expect(screen.getByText('Pat Patient shared their data with you.')).toBeInTheDocument();
    expect(screen.getByText('Vitals')).toBeInTheDocument();
    expect(screen.getByRole('main').querySelector('a[href="/patients"]')).toHaveTextContent('My patients');
  });

  it('says plainly when the patient cannot be seen', async () => {
    mockApi({ 'GET /api/v1/me': ok(NURSE), 'GET /api/v1/patients/:id': problem(404, 'No such patient.') });
    renderApp('/patients/nope');
    expect(await screen.findByRole('heading', { name: 'Patient not found' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(/not on their care team/);
  });

  it('marks fields that were never recorded', async () => {
    mockApi({
      'GET /api/v1/me': ok(NURSE),
      'GET /api/v1/patients/:id': ok({
        id: 'p2',
        name: 'Quinn',
        email: 'q@example.org',
        profile: {},
        access: 'care',
        scopes: [],
      }),
    });
    renderApp('/patients/p2');
    expect(await screen.findByRole('heading', { name: 'Quinn' })).toBeInTheDocument();
    expect(screen.getAllByText('Not recorded')).toHaveLength(4);
    expect(screen.getByText('You are on this patient’s care team.')).toBeInTheDocument();
  });
});
