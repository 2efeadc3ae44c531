// The pieces every view of an alert shares: its badges, the buttons that
// move it along (acknowledge, resolve with a comment, comment) and its
// history, so the inbox, the alert's page and the patient page agree.
import { Anchor, Badge, Button, Group, Modal, Paper, Stack, Text, Textarea, Timeline } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import {
  HISTORY_LABELS,
  KIND_LABELS,
  SEVERITY_COLORS,
  SEVERITY_LABELS,
  STATUS_COLORS,
  STATUS_LABELS,
  useAlertAction,
  type Alert,
  type AlertAction,
  type AlertLogEntry,
  type AlertStatus,
  type Severity,
} from '../../api/monitoring';
import { formatAgo, formatDateTime } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge
      component="span"
      color={SEVERITY_COLORS[severity] ?? 'gray'}
      variant={severity === 'critical' ? 'filled' : 'light'}
      radius="sm"
    >
      {SEVERITY_LABELS[severity] ?? severity}
    </Badge>
  );
}

export function StatusBadge({ status }: { status: AlertStatus }) {
  return (
    <Badge component="span" color={STATUS_COLORS[status] ?? 'gray'} variant="outline" radius="sm">
      {STATUS_LABELS[status] ?? status}
    </Badge>
  );
}

export const alertPath = (a: Pick<Alert, 'patientId' | 'id'>) =>
  `/patients/${encodeURIComponent(a.patientId)}/alerts/${encodeURIComponent(a.id)}`;

const MODAL_TEXT: Record<AlertAction, { title: string; label: string; button: string; required: boolean }> = {
  acknowledge: {
    title: 'Acknowledge the alert',
    label: 'What you are doing (optional)',
    button: 'Acknowledge',
    required: false,
  },
  resolve: { title: 'Resolve the alert', label: 'What was done', button: 'Resolve', required: true },
  comments: { title: 'Add a comment', label: 'Comment', button: 'Add comment', required: true },
};

/** Asks for the comment that goes with acknowledging, resolving or commenting, and sends it. */
function CommentModal({ alert, action, onClose }: { alert: Alert; action: AlertAction; onClose: () => void }) {
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  const m = useAlertAction();
  const t = MODAL_TEXT[action];
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (t.required && !text.trim()) {
      setMissing(true);
      return;
    }
    m.mutate({ id: alert.id, action, comment: text.trim() || undefined }, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>{t.title}</Text>} centered>
      <form onSubmit={submit} aria-label={t.title} noValidate>
        <Stack>
          <Text size="sm">
            {alert.title}
            {alert.patientName && ` · ${alert.patientName}`}
          </Text>
          <Textarea
            label={t.label}
            autosize
            minRows={3}
            maxLength={2000}
            value={text}
            data-autofocus
            onChange={(e) => {
              setText(e.currentTarget.value);
              setMissing(false);
            }}
            error={missing ? (action === 'resolve' ? 'Say what was done.' : 'Write a comment.') : undefined}
            withAsterisk={t.required}
          />
          <ErrorAlert error={m.error} title="That did not work" />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={m.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={m.isPending}>
              {t.button}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * The buttons that move an alert on: Acknowledge (at once), Resolve… and
 * Comment… (each asks for the words). A resolved alert takes no more.
 */
export function AlertActions({ alert, size = 'xs' }: { alert: Alert; size?: 'xs' | 'sm' }) {
  const [modal, setModal] = useState<AlertAction | null>(null);
  const ack = useAlertAction();
  if (alert.status === 'resolved') return null;
  return (
    <>
      <Group gap="xs" wrap="wrap">
        {alert.status === 'open' && (
          <Button
            size={size}
            onClick={() => ack.mutate({ id: alert.id, action: 'acknowledge' })}
            loading={ack.isPending}
            aria-label={`Acknowledge: ${alert.title}`}
          >
            Acknowledge
          </Button>
        )}
        <Button
          size={size}
          variant="light"
          color="green"
          onClick={() => setModal('resolve')}
          aria-label={`Resolve: ${alert.title}`}
        >
          Resolve…
        </Button>
        <Button
          size={size}
          variant="default"
          onClick={() => setModal('comments')}
          aria-label={`Comment on: ${alert.title}`}
        >
          Comment…
        </Button>
      </Group>
      {ack.error && <ErrorAlert error={ack.error} title="Could not acknowledge the alert" />}
      {modal && <CommentModal alert={alert} action={modal} onClose={() => setModal(null)} />}
    </>
  );
}

/** Who moved the alert on, and when, in a line or two. */
export function AlertProgress({ alert }: { alert: Alert }) {
  return (
    <>
      {alert.acknowledgedAt && (
        <Text size="xs" c="dimmed">
          Acknowledged by {alert.acknowledgedByName || 'someone'} {formatAgo(alert.acknowledgedAt)}
          {alert.ackComment && `: “${alert.ackComment}”`}
        </Text>
      )}
      {alert.resolvedAt && (
        <Text size="xs" c="dimmed">
          Resolved by {alert.resolvedBy ? alert.resolvedByName || 'someone' : 'Tend'} {formatAgo(alert.resolvedAt)}
          {alert.resolveComment && `: “${alert.resolveComment}”`}
        </Text>
      )}
    </>
  );
}

const recent = (iso: string) => Date.now() - new Date(iso).getTime() < 24 * 3600_000;

/** One alert as a card: what, whose, when, where it stands, and what to do. */
export function AlertCard({
  alert,
  showPatient = true,
  isNew = false,
}: {
  alert: Alert;
  showPatient?: boolean;
  isNew?: boolean;
}) {
  const color = SEVERITY_COLORS[alert.severity] ?? 'gray';
  return (
    <Paper
      component="li"
      withBorder
      p="sm"
      aria-label={`${SEVERITY_LABELS[alert.severity]} alert: ${alert.title}`}
      style={{
        borderLeft: `4px solid var(--mantine-color-${color}-6)`,
        background: isNew ? `var(--mantine-color-${color}-0)` : undefined,
        listStyle: 'none',
      }}
    >
      <Stack gap={6}>
        <Group gap={6} wrap="wrap">
          <SeverityBadge severity={alert.severity} />
          <StatusBadge status={alert.status} />
          {isNew && (
            <Badge color="grape" variant="filled" radius="sm">
              New
            </Badge>
          )}
          <Text size="xs" c="dimmed">
            {KIND_LABELS[alert.kind] ?? alert.kind}
          </Text>
        </Group>
        <Group gap="xs" wrap="wrap" align="baseline">
          <Anchor component={Link} to={alertPath(alert)} fw={600} size="sm">
            {alert.title}
          </Anchor>
          {showPatient && (
            <Anchor component={Link} to={`/patients/${encodeURIComponent(alert.patientId)}`} size="sm" c="dimmed">
              {alert.patientName || 'Patient'}
            </Anchor>
          )}
        </Group>
        {alert.detail && <Text size="sm">{alert.detail}</Text>}
        <Text size="xs" c="dimmed">
          Opened <time dateTime={alert.openedAt}>{formatDateTime(alert.openedAt)}</time>
          {recent(alert.openedAt) && ` (${formatAgo(alert.openedAt)})`}
          {alert.count > 1 && ` · seen ${alert.count} times, last ${formatAgo(alert.lastAt)}`}
          {alert.clearedAt && ' · the condition has cleared'}
          {alert.escalationStep > 0 && ` · escalated to step ${alert.escalationStep + 1}`}
        </Text>
        <AlertProgress alert={alert} />
        <AlertActions alert={alert} />
      </Stack>
    </Paper>
  );
}

function historyLine(e: AlertLogEntry): string {
  const who = e.actorId ? e.actorName || 'Someone' : 'Tend';
  const step =
    e.step !== undefined && (e.action === 'notified' || e.action === 'escalated') ? ` (step ${e.step + 1})` : '';
  return `${HISTORY_LABELS[e.action] ?? e.action}${step} · ${who}`;
}

/** What happened to an alert since it opened, oldest first, with who and when. */
export function AlertHistory({ alert }: { alert: Alert }) {
  const entries = alert.history ?? [];
  return (
    <Timeline bulletSize={14} lineWidth={2} aria-label="History">
      <Timeline.Item
        title={
          <Text size="sm" fw={600}>
            Opened · Tend
          </Text>
        }
      >
        <Text size="xs" c="dimmed">
          <time dateTime={alert.openedAt}>{formatDateTime(alert.openedAt)}</time>
        </Text>
      </Timeline.Item>
      {entries.map((e, i) => (
        <Timeline.Item
          key={`${e.at}-${i}`}
          title={
            <Text size="sm" fw={600}>
              {historyLine(e)}
            </Text>
          }
        >
          {e.detail && <Text size="sm">{e.detail}</Text>}
          <Text size="xs" c="dimmed">
            <time dateTime={e.at}>{formatDateTime(e.at)}</time>
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
