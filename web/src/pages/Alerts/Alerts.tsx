import { Alert as MAlert, Anchor, Badge, Button, Chip, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { useCallback, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useLive, useLiveStatus, type LiveEvent } from '../../api/live';
import {
  ALERT_KINDS,
  ALERT_STATUSES,
  alertOf,
  KIND_LABELS,
  SEVERITIES,
  SEVERITY_LABELS,
  STATUS_LABELS,
  useAlertInbox,
  type Alert,
  type AlertKind,
  type AlertStatus,
  type Severity,
} from '../../api/monitoring';
import { usePatients } from '../../api/patients';
import { AlertCard, alertPath } from '../../components/AlertParts/AlertParts';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';

const LIVE_LABEL: Record<string, string> = {
  open: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  idle: 'Not live',
};

/** The alerts of every patient the nurse or doctor looks after, newest first, kept live. */
export default function Alerts() {
  const [status, setStatus] = useState<AlertStatus[]>(['open', 'acknowledged']);
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [kind, setKind] = useState<AlertKind | ''>('');
  const [patientId, setPatientId] = useState('');
  const [fresh, setFresh] = useState<Set<string>>(() => new Set());
  const [critical, setCritical] = useState<Alert | null>(null);
  const patients = usePatients();
  const inbox = useAlertInbox({ status: status.length ? status : ['open', 'acknowledged'], patientId });

  const onEvent = useCallback((e: LiveEvent) => {
    if (e.kind !== 'alert.opened') return;
    const a = alertOf(e);
    if (!a) return;
    setFresh((s) => new Set(s).add(a.id));
    if (a.severity === 'critical') setCritical(a);
  }, []);
  useLive({ all: true, onEvent });
  const live = useLiveStatus();

  const all = useMemo(() => inbox.data?.pages.flatMap((p) => p.alerts) ?? [], [inbox.data]);
  const shown = all.filter((a) => (!severity || a.severity === severity) && (!kind || a.kind === kind));
  const patientOptions = (patients.data ?? [])
    .filter((p) => p.access !== 'self' && p.scopes.includes('alerts'))
    .map((p) => ({ value: p.id, label: p.name }));
  const filtered = !!severity || !!kind || !!patientId;

  return (
    <>
      <PageHeader
        title="Alerts"
        description="Alerts about the patients you look after, newest first. Acknowledge one to say you are on it (it stops escalating), and resolve it saying what was done."
        actions={
          <Badge
            variant="dot"
            color={live === 'open' ? 'green' : 'gray'}
            size="lg"
            aria-live="polite"
            data-testid="live-status"
          >
            {LIVE_LABEL[live] ?? live}
          </Badge>
        }
      />
      {critical && (
        <MAlert
          color="red"
          variant="filled"
          title="New critical alert"
          mb="md"
          role="alert"
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setCritical(null)}
        >
          <Group gap="xs" wrap="wrap">
            <Text size="sm" inherit>
              {critical.title}
              {critical.patientName && ` · ${critical.patientName}`}
            </Text>
            <Anchor component={Link} to={alertPath(critical)} c="white" fw={700} size="sm" underline="always">
              Open it
            </Anchor>
          </Group>
        </MAlert>
      )}
      <Paper withBorder p={{ base: 'sm', sm: 'md' }} mb="md">
        <Stack gap="sm">
          <Chip.Group multiple value={status} onChange={(v) => setStatus(v as AlertStatus[])}>
            <Group gap="xs" role="group" aria-label="Show alerts that are">
              {ALERT_STATUSES.map((s) => (
                <Chip key={s} value={s} size="sm">
                  {STATUS_LABELS[s]}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
          <Group gap="sm" grow preventGrowOverflow={false} wrap="wrap">
            <Select
              label="Severity"
              value={severity}
              onChange={(v) => setSeverity((v ?? '') as Severity | '')}
              data={[
                { value: '', label: 'Any severity' },
                ...SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] })),
              ]}
              allowDeselect={false}
              miw={150}
            />
            <Select
              label="Kind"
              value={kind}
              onChange={(v) => setKind((v ?? '') as AlertKind | '')}
              data={[
                { value: '', label: 'Any kind' },
                ...ALERT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
              ]}
              allowDeselect={false}
              miw={180}
            />
            <Select
              label="Patient"
              value={patientId}
              onChange={(v) => setPatientId(v ?? '')}
              data={[{ value: '', label: 'All patients' }, ...patientOptions]}
              searchable
              allowDeselect={false}
              miw={180}
            />
          </Group>
        </Stack>
      </Paper>
      <QueryState
        query={{ ...inbox, data: inbox.data ? shown : undefined }}
        what="the alerts"
        isEmpty={(l) => l.length === 0}
        empty={{
          title: filtered ? 'No alert matches' : 'No alerts',
          description: filtered
            ? 'Nothing matches these filters. Clear a filter to see more.'
            : 'When a reading is out of range, a measurement is missed or a device needs attention, the alert appears here at once.',
        }}
      >
        {(list) => (
          <Stack gap="sm">
            <Text size="sm" c="dimmed" aria-live="polite">
              {list.length === 1 ? '1 alert' : `${list.length} alerts`}
            </Text>
            <Stack gap="sm" component="ul" p={0} m={0} aria-label="Alerts">
              {list.map((a) => (
                <AlertCard key={a.id} alert={a} isNew={fresh.has(a.id)} />
              ))}
            </Stack>
            {inbox.hasNextPage && (
              <Button
                variant="default"
                onClick={() => void inbox.fetchNextPage()}
                loading={inbox.isFetchingNextPage}
                style={{ alignSelf: 'center' }}
              >
                Show older alerts
              </Button>
            )}
          </Stack>
        )}
      </QueryState>
    </>
  );
}
