import { Alert, Anchor, Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useDashboard, useNow, type DashboardRow } from '../../api/dashboard';
import type { Scope } from '../../api/types';
import { SCOPE_LABELS } from '../../components/Badges/Badges';
import { IconLock } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { UnitsMenu } from '../../components/UnitsMenu/UnitsMenu';
import { formatAgo } from '../../util/format';
import { useUnitPrefs, type UnitPrefs } from '../../util/units';
import { firstName, theirClock, VITALS, vitalName, VitalValue, whenPhrase } from './parts';

const JOURNAL_KINDS: Record<string, string> = {
  food: 'Food',
  medication: 'Medication',
  symptom: 'Symptom',
  note: 'Note',
};

function list(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** "Dad measured his blood pressure at 08:12 today", without guessing pronouns. */
function lastMeasured(r: DashboardRow, now: number): string {
  const newest = [...(r.vitals ?? [])].sort((a, b) => Date.parse(b.takenAt) - Date.parse(a.takenAt))[0];
  if (!newest) return `${firstName(r.name)} has not measured anything yet.`;
  const theirs = theirClock(newest.takenAt, r.timeZone);
  return `${firstName(r.name)} measured ${vitalName(newest.type)} ${whenPhrase(newest.takenAt, now)}${
    theirs ? ` (${theirs})` : ''
  }.`;
}

function PersonCard({ r, prefs, now }: { r: DashboardRow; prefs: UnitPrefs; now: number }) {
  const first = firstName(r.name);
  const headingId = `family-${r.id}`;
  const hidden = r.notShared.map((s: Scope) => SCOPE_LABELS[s]?.toLowerCase() ?? s);
  return (
    <Paper withBorder p={{ base: 'sm', sm: 'md' }} component="section" aria-labelledby={headingId} data-patient={r.id}>
      <Group justify="space-between" align="flex-start" gap="xs" mb="xs">
        <Title order={2} fz="lg" id={headingId}>
          {r.name}
        </Title>
        <Anchor component={Link} to={`/patients/${encodeURIComponent(r.id)}`} size="sm">
          Open {first}’s page
        </Anchor>
      </Group>

      {r.vitals ? (
        <Stack gap="sm">
          <Text fw={600}>{lastMeasured(r, now)}</Text>
          {r.vitals.length > 0 && (
            <SimpleGrid
              cols={{ base: 2, xs: 3, md: 4 }}
              spacing="xs"
              role="list"
              aria-label={`${first}’s latest readings`}
            >
              {VITALS.filter((v) => r.vitals!.some((x) => x.type === v.type)).map((v) => {
                const vital = r.vitals!.find((x) => x.type === v.type)!;
                return (
                  <Paper key={v.type} bg="gray.0" p="xs" radius="sm" role="listitem">
                    <Text size="xs" c="dimmed">
                      {v.name.charAt(0).toUpperCase() + v.name.slice(1)}
                    </Text>
                    <VitalValue vital={vital} prefs={prefs} now={now} />
                    <Text size="xs" c="dimmed">
                      {formatAgo(vital.takenAt, now)}
                      {vital.outOfRange ? ' · outside the usual range' : ''}
                    </Text>
                  </Paper>
                );
              })}
            </SimpleGrid>
          )}
          {r.today && r.today.total > 0 && (
            <Text size="sm">
              Today: {r.today.done} of {r.today.total} planned {r.today.total === 1 ? 'measurement' : 'measurements'}{' '}
              done
              {r.today.missed > 0 && (
                <Text span c="red.8" fw={600}>
                  {' '}
                  · {r.today.missed} missed
                </Text>
              )}
              {r.today.due > 0 && ` · ${r.today.due} due now`}.
            </Text>
          )}
        </Stack>
      ) : (
        <Text>{first} has not shared their readings with you.</Text>
      )}

      {r.alerts && (
        <Text size="sm" mt="sm">
          {r.alerts.open + r.alerts.acknowledged === 0 ? (
            'No open alerts.'
          ) : (
            <>
              <Badge color={r.alerts.highest === 'critical' ? 'red' : 'orange'} radius="sm" mr={6} tt="none">
                {r.alerts.open + r.alerts.acknowledged} open{' '}
                {r.alerts.open + r.alerts.acknowledged === 1 ? 'alert' : 'alerts'}
              </Badge>
              {r.alerts.top?.title}
              {r.alerts.acknowledged > 0 && r.alerts.open === 0 && ' — a nurse is on it.'}
            </>
          )}
        </Text>
      )}

      {r.scopes.includes('journal') && (
        <Text size="sm" mt="xs">
          {r.journal
            ? `Latest journal entry: ${JOURNAL_KINDS[r.journal.kind] ?? r.journal.kind}${r.journal.name ? ` — ${r.journal.name}` : ''}, ${whenPhrase(r.journal.occurredAt, now)}.`
            : 'The journal is empty.'}
        </Text>
      )}

      {hidden.length > 0 && (
        <Alert variant="light" color="gray" mt="sm" p="xs" icon={<IconLock size={16} />} title={undefined}>
          <Text size="sm">
            Not shared with you: {list(hidden)}. {first} can change this in Tend under Sharing.
          </Text>
        </Alert>
      )}
    </Paper>
  );
}

/** A family member's landing page: the people who share with them, each as far as they share. */
export default function FamilyView() {
  const { query } = useDashboard();
  const prefs = useUnitPrefs();
  const now = useNow();
  return (
    <>
      <PageHeader
        title="Family"
        description="The people who chose to share their health data with you, and only what each of them shares."
        actions={<UnitsMenu />}
      />
      <QueryState
        query={query}
        what="the people who share with you"
        isEmpty={(d) => d.patients.length === 0}
        empty={{
          title: 'Nobody shares their data with you yet',
          description: 'When someone shares their readings with you in Tend, they appear here.',
        }}
      >
        {(d) => (
          <Stack gap="md">
            {d.patients.map((r) => (
              <PersonCard key={r.id} r={r} prefs={prefs} now={now} />
            ))}
          </Stack>
        )}
      </QueryState>
    </>
  );
}
