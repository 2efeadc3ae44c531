import { Chip, Group, Paper, Stack, Tabs, Title } from '@mantine/core';
import { useState } from 'react';
import { handlesAlerts, usePatientAlerts, type AlertStatus } from '../../api/monitoring';
import type { PatientDetail } from '../../api/types';
import { useSession } from '../../session/SessionContext';
import { AlertCard } from '../AlertParts/AlertParts';
import { AlertRules } from '../AlertRules/AlertRules';
import { EscalationChain } from '../EscalationChain/EscalationChain';
import { Medications } from '../Medications/Medications';
import { QueryState } from '../QueryState/QueryState';
import { Schedules } from '../Schedules/Schedules';

/** The patient's alerts, open ones first by default; resolved ones on request. */
function PatientAlerts({ patientId }: { patientId: string }) {
  const [withResolved, setWithResolved] = useState(false);
  const status: AlertStatus[] = withResolved ? ['open', 'acknowledged', 'resolved'] : ['open', 'acknowledged'];
  const alerts = usePatientAlerts(patientId, status);
  return (
    <Stack gap="sm">
      <Group>
        <Chip size="xs" checked={withResolved} onChange={setWithResolved}>
          Include resolved
        </Chip>
      </Group>
      <QueryState
        query={alerts}
        what="the alerts"
        isEmpty={(l) => l.length === 0}
        empty={{ title: withResolved ? 'No alerts' : 'No open alerts' }}
      >
        {(list) => (
          <Stack gap="sm" component="ul" p={0} m={0} aria-label="Patient alerts">
            {list.map((a) => (
              <AlertCard key={a.id} alert={a} showPatient={false} />
            ))}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

/**
 * Monitoring a patient, for their nurses and doctors: alerts, measurement
 * schedules, alert rules, the escalation chain and medicines, as tabs.
 * Shown only to a professional, and each tab only with the scope it needs.
 */
export function PatientMonitoring({ p }: { p: PatientDetail }) {
  const { role, me } = useSession();
  if (!handlesAlerts(role) || p.id === me.id || p.access === 'self') return null;
  const has = (s: string) => p.access === 'care' || p.scopes.includes(s as never);
  const tabs = [
    has('alerts') && { value: 'alerts', label: 'Alerts', body: <PatientAlerts patientId={p.id} /> },
    has('vitals') && { value: 'schedules', label: 'Schedules', body: <Schedules patientId={p.id} /> },
    has('vitals') && { value: 'rules', label: 'Alert rules', body: <AlertRules patientId={p.id} /> },
    has('alerts') && { value: 'escalation', label: 'Escalation', body: <EscalationChain patientId={p.id} /> },
    has('medications') && { value: 'medications', label: 'Medicines', body: <Medications patientId={p.id} /> },
  ].filter((t): t is { value: string; label: string; body: React.ReactElement } => !!t);
  if (!tabs.length) return null;
  return (
    <Paper withBorder p={{ base: 'sm', sm: 'lg' }} component="section" aria-labelledby="monitoring-title">
      <Title order={2} fz="lg" mb="sm" id="monitoring-title">
        Monitoring
      </Title>
      <Tabs defaultValue={tabs[0]!.value} keepMounted={false}>
        <Tabs.List mb="md" style={{ flexWrap: 'wrap' }}>
          {tabs.map((t) => (
            <Tabs.Tab key={t.value} value={t.value}>
              {t.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map((t) => (
          <Tabs.Panel key={t.value} value={t.value}>
            {t.body}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Paper>
  );
}
