import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useLive } from '../../api/live';
import { handlesAlerts, KIND_LABELS, useAlert, type Alert } from '../../api/monitoring';
import {
  AlertActions,
  AlertHistory,
  AlertProgress,
  SeverityBadge,
  StatusBadge,
} from '../../components/AlertParts/AlertParts';
import { BackLink } from '../../components/BackLink/BackLink';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { useSession } from '../../session/SessionContext';
import { formatDateTime } from '../../util/format';

/** One alert: what it is about, where it stands, what happened to it and by whom, and what to do next. */
export default function AlertDetail() {
  const { patientId = '', alertId = '' } = useParams();
  const { role } = useSession();
  const alert = useAlert(patientId, alertId);
  useLive({ patients: [patientId] });
  const back = handlesAlerts(role) ? (
    <BackLink to="/alerts">Alerts</BackLink>
  ) : (
    <BackLink to={`/patients/${encodeURIComponent(patientId)}`}>The patient</BackLink>
  );

  if (alert.error instanceof ApiError && alert.error.status === 404) {
    return (
      <>
        <PageHeader above={back} title="Alert not found" />
        <ErrorAlert
          title="You cannot see this alert"
          error={new Error('Either there is no such alert, or you may not see this patient’s alerts.')}
        />
      </>
    );
  }
  return (
    <QueryState query={alert} what="the alert">
      {(a) => <AlertView a={a} back={back} mayAct={handlesAlerts(role)} />}
    </QueryState>
  );
}

function AlertView({ a, back, mayAct }: { a: Alert; back: React.ReactNode; mayAct: boolean }) {
  return (
    <>
      <PageHeader
        above={back}
        title={a.title}
        description={
          <Group gap="xs" component="span" wrap="wrap">
            <SeverityBadge severity={a.severity} />
            <StatusBadge status={a.status} />
            <span>{KIND_LABELS[a.kind] ?? a.kind}</span>
          </Group>
        }
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Stack gap="sm">
            <Title order={2} fz="lg">
              About
            </Title>
            <Text size="sm">
              Patient:{' '}
              <Anchor component={Link} to={`/patients/${encodeURIComponent(a.patientId)}`} fw={600}>
                {a.patientName || 'Open the patient'}
              </Anchor>
            </Text>
            {a.detail && <Text size="sm">{a.detail}</Text>}
            <Text size="sm" c="dimmed">
              Opened {formatDateTime(a.openedAt)}
              {a.count > 1 && ` · seen ${a.count} times, last ${formatDateTime(a.lastAt)}`}
            </Text>
            {a.clearedAt && (
              <Text size="sm" c="dimmed">
                The condition cleared {formatDateTime(a.clearedAt)}; the alert waits for someone to resolve it.
              </Text>
            )}
            {a.escalateAt && a.status === 'open' && (
              <Text size="sm" c="orange.8">
                Escalates to the next person at {formatDateTime(a.escalateAt)} unless acknowledged.
              </Text>
            )}
            <AlertProgress alert={a} />
            {mayAct && <AlertActions alert={a} size="sm" />}
          </Stack>
        </Paper>
        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Title order={2} fz="lg" mb="md">
            History
          </Title>
          <AlertHistory alert={a} />
        </Paper>
      </SimpleGrid>
    </>
  );
}
