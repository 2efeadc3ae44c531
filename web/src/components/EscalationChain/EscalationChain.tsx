import { ActionIcon, Badge, Button, Group, MultiSelect, NumberInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useChain, useSetChain, type Chain, type ChainMember } from '../../api/monitoring';
import { useSession } from '../../session/SessionContext';
import { ROLE_LABELS } from '../../session/roles';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { IconPlus, IconTrash } from '../Icons/Icons';
import { QueryState } from '../QueryState/QueryState';

interface StepDraft {
  userIds: string[];
  waitMinutes: number | string;
}

function memberLabel(m: ChainMember): string {
  const role = m.roles.find((r) => r === 'nurse' || r === 'doctor');
  return role ? `${m.name} (${ROLE_LABELS[role].toLowerCase()})` : m.name;
}

function ChainEditor({ patientId, chain, onDone }: { patientId: string; chain: Chain; onDone: () => void }) {
  const { me, role } = useSession();
  const save = useSetChain(patientId);
  const [steps, setSteps] = useState<StepDraft[]>(() =>
    chain.steps.length
      ? chain.steps.map((s) => ({ userIds: s.members.map((m) => m.userId), waitMinutes: s.waitMinutes }))
      : [{ userIds: [], waitMinutes: 15 }],
  );
  // The people who can be named: whoever is in the chain now (by default the
  // care team's nurses and doctors), and the viewer.
  const people = new Map<string, string>();
  chain.steps.forEach((s) => s.members.forEach((m) => people.set(m.userId, memberLabel(m))));
  if (role === 'nurse' || role === 'doctor') people.set(me.id, people.get(me.id) ?? `${me.name} (you)`);
  const options = [...people].map(([value, label]) => ({ value, label }));
  const server = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const update = (i: number, patch: Partial<StepDraft>) =>
    setSteps((xs) => xs.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  return (
    <form
      aria-label="Escalation chain"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(
          steps.map((s) => ({ userIds: s.userIds, waitMinutes: Number(s.waitMinutes) || 1 })),
          { onSuccess: onDone },
        );
      }}
    >
      <Stack gap="sm">
        {steps.map((s, i) => (
          <Group key={i} gap="xs" align="flex-end" wrap="wrap">
            <MultiSelect
              label={`Step ${i + 1}: who is told`}
              data={options}
              value={s.userIds}
              onChange={(v) => update(i, { userIds: v })}
              error={server[`steps[${i}].userIds`]}
              style={{ flex: '1 1 14rem' }}
            />
            <NumberInput
              label="Then wait (min)"
              min={1}
              max={1440}
              value={s.waitMinutes}
              onChange={(v) => update(i, { waitMinutes: v })}
              error={server[`steps[${i}].waitMinutes`]}
              w={130}
            />
            <ActionIcon
              variant="subtle"
              color="gray"
              size="lg"
              aria-label={`Remove step ${i + 1}`}
              onClick={() => setSteps((xs) => xs.filter((_, j) => j !== i))}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Group>
        ))}
        <Button
          variant="subtle"
          size="compact-sm"
          leftSection={<IconPlus size={14} />}
          onClick={() => setSteps((xs) => [...xs, { userIds: [], waitMinutes: 15 }])}
          style={{ alignSelf: 'flex-start' }}
          disabled={steps.length >= 10}
        >
          Add a step
        </Button>
        <ErrorAlert error={Object.keys(server).length ? null : save.error} title="Could not save the chain" />
        <Group justify="flex-end" gap="xs" wrap="wrap">
          <Button variant="default" onClick={onDone} disabled={save.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            Save chain
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Who hears of the patient's alerts, in order, and how long each has before it goes to the next. */
export function EscalationChain({ patientId }: { patientId: string }) {
  const chain = useChain(patientId);
  const reset = useSetChain(patientId);
  const [editing, setEditing] = useState(false);
  return (
    <QueryState query={chain} what="the escalation chain">
      {(c) =>
        editing ? (
          <ChainEditor patientId={patientId} chain={c} onDone={() => setEditing(false)} />
        ) : (
          <Stack gap="sm">
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Group gap="xs">
                <Badge color={c.custom ? 'grape' : 'gray'} variant="light" radius="sm">
                  {c.custom ? 'Set for this patient' : 'Default: the care team'}
                </Badge>
              </Group>
              <Group gap="xs">
                {c.custom && (
                  <Button size="xs" variant="subtle" onClick={() => reset.mutate([])} loading={reset.isPending}>
                    Return to the default
                  </Button>
                )}
                <Button size="xs" variant="default" onClick={() => setEditing(true)}>
                  Edit chain
                </Button>
              </Group>
            </Group>
            <ErrorAlert error={reset.error} title="Could not change the chain" />
            {c.steps.length === 0 ? (
              <Text size="sm" c="dimmed">
                Nobody: the patient has no nurse or doctor on their care team.
              </Text>
            ) : (
              <Stack gap={0} component="ol" className="divided-list" aria-label="Escalation steps" p={0} m={0}>
                {c.steps.map((s, i) => (
                  <Stack key={i} component="li" gap={2} py="xs">
                    <Text size="sm" fw={600}>
                      {i + 1}. {s.members.map(memberLabel).join(', ')}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {i < c.steps.length - 1
                        ? `Unacknowledged after ${s.waitMinutes} min, it goes to step ${i + 2}.`
                        : `The last step (waits ${s.waitMinutes} min).`}
                    </Text>
                  </Stack>
                ))}
              </Stack>
            )}
          </Stack>
        )
      }
    </QueryState>
  );
}
