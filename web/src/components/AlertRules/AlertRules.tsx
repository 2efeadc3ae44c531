import { Badge, Button, Group, Modal, NumberInput, Select, Stack, Switch, Text } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { useMeasurementTypes, type MeasurementType } from '../../api/measurementTypes';
import {
  KIND_LABELS,
  SEVERITIES,
  SEVERITY_LABELS,
  useResetRule,
  useRules,
  useSetRule,
  type Condition,
  type Rule,
  type Severity,
} from '../../api/monitoring';
import { convert, decimalsFor, displayUnit, unitLabel, useUnitPrefs, type UnitPrefs } from '../../util/units';
import { SeverityBadge } from '../AlertParts/AlertParts';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';
import { QueryState } from '../QueryState/QueryState';

const OP_WORDS: Record<Condition['op'], string> = {
  '>': 'above',
  '>=': 'at or above',
  '<': 'below',
  '<=': 'at or below',
};

/** The unit a rule's thresholds are stored in, and the one the viewer reads them in. */
function unitsFor(rule: Rule, types: MeasurementType[], prefs: UnitPrefs): { stored: string; shown: string } {
  const t = types.find((x) => x.key === rule.measure);
  if (!t) return { stored: '', shown: '' };
  return { stored: t.unit, shown: displayUnit(t.unit, prefs) };
}

function show(v: number, u: { stored: string; shown: string }): number {
  const x = convert(v, u.stored, u.shown);
  const f = 10 ** decimalsFor(u.shown);
  return Math.round(x * f) / f;
}

const COMPONENT_LABELS: Record<string, string> = { total: 'score', max_parameter: 'a single parameter' };
const componentLabel = (c: string | undefined) => (c ? `${COMPONENT_LABELS[c] ?? c} ` : '');

function conditionText(c: Condition, u: { stored: string; shown: string }): string {
  const unit = u.shown ? ` ${unitLabel(u.shown)}` : '';
  return `${componentLabel(c.component)}${OP_WORDS[c.op]} ${show(c.value, u)}${unit} (clears past ${show(c.clear, u)})`;
}

function RuleForm({
  patientId,
  rule,
  units,
  onClose,
}: {
  patientId: string;
  rule: Rule;
  units: { stored: string; shown: string };
  onClose: () => void;
}) {
  const set = useSetRule(patientId);
  const [conds, setConds] = useState(() =>
    rule.conditions.map((c) => ({ ...c, value: show(c.value, units), clear: show(c.clear, units) })),
  );
  const [consecutive, setConsecutive] = useState<number | string>(rule.consecutive);
  const [severity, setSeverity] = useState<Severity>(rule.severity);
  const [enabled, setEnabled] = useState(rule.enabled);
  const server = set.error instanceof ApiError ? set.error.fieldErrors() : {};
  const unit = units.shown ? unitLabel(units.shown) : '';
  const title = `Change “${rule.name}” for this patient`;

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    set.mutate(
      {
        key: rule.key,
        patch: {
          enabled,
          severity,
          consecutive: Number(consecutive) || 1,
          conditions: conds.length
            ? conds.map((c) => ({
                ...c,
                value: convert(Number(c.value), units.shown, units.stored),
                clear: convert(Number(c.clear), units.shown, units.stored),
              }))
            : undefined,
        },
      },
      { onSuccess: onClose },
    );
  };

  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>{title}</Text>} centered>
      <form onSubmit={submit} aria-label={title} noValidate>
        <Stack gap="sm">
          {conds.map((c, i) => (
            <Group key={i} gap="sm" grow wrap="wrap" align="flex-start">
              <NumberInput
                label={`Alert when ${componentLabel(c.component)}is ${OP_WORDS[c.op]}${unit ? ` (${unit})` : ''}`}
                value={c.value}
                decimalScale={4}
                onChange={(v) => setConds((xs) => xs.map((x, j) => (j === i ? { ...x, value: Number(v) } : x)))}
                error={server[`conditions[${i}].value`]}
              />
              <NumberInput
                label={`Clears past${unit ? ` (${unit})` : ''}`}
                description="Hysteresis: a value hovering at the threshold does not flap"
                value={c.clear}
                decimalScale={4}
                onChange={(v) => setConds((xs) => xs.map((x, j) => (j === i ? { ...x, clear: Number(v) } : x)))}
                error={server[`conditions[${i}].clear`]}
              />
            </Group>
          ))}
          <Group gap="sm" grow wrap="wrap" align="flex-start">
            <NumberInput
              label="Readings in a row"
              min={1}
              max={20}
              value={consecutive}
              onChange={setConsecutive}
              error={server.consecutive}
            />
            <Select
              label="Severity"
              data={SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))}
              value={severity}
              onChange={(v) => v && setSeverity(v as Severity)}
              allowDeselect={false}
            />
          </Group>
          <Switch label="On" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <ErrorAlert error={Object.keys(server).length ? null : set.error} title="Could not save the rule" />
          {Object.keys(server).length > 0 && <ErrorAlert error={set.error} title="Check the values" />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={set.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={set.isPending}>
              Save for this patient
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * The alert rules that apply to the patient: the defaults, with what a
 * professional changed for this patient; turn one on or off, change its
 * thresholds, readings in a row and severity, or return it to the default.
 */
export function AlertRules({ patientId }: { patientId: string }) {
  const rules = useRules(patientId);
  const types = useMeasurementTypes();
  const prefs = useUnitPrefs();
  const set = useSetRule(patientId);
  const reset = useResetRule(patientId);
  const [editing, setEditing] = useState<Rule | null>(null);
  const unitsOf = (r: Rule) => unitsFor(r, types.data ?? [], prefs);

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Defaults follow the clinical guidelines; a change here applies to this patient only.
      </Text>
      <ErrorAlert error={set.error ?? reset.error} title="Could not change the rule" />
      <QueryState query={rules} what="the alert rules" isEmpty={(l) => l.length === 0} empty={{ title: 'No rules' }}>
        {(list) => (
          <Stack gap={0} component="ul" className="divided-list" aria-label="Alert rules" p={0} m={0}>
            {list.map((r) => (
              <Group
                key={r.key}
                component="li"
                justify="space-between"
                wrap="wrap"
                gap="xs"
                py="sm"
                aria-label={r.name}
              >
                <Stack gap={4} style={{ flex: '1 1 16rem', minWidth: 0 }}>
                  <Group gap={6} wrap="wrap">
                    <Text fw={600} size="sm" c={r.enabled ? undefined : 'dimmed'}>
                      {r.name}
                    </Text>
                    <SeverityBadge severity={r.severity} />
                    {r.overridden && (
                      <Badge component="span" color="grape" variant="light" radius="sm">
                        Changed for this patient
                      </Badge>
                    )}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {KIND_LABELS[r.kind]}
                    {r.conditions.length > 0 &&
                      ` · ${r.conditions.map((c) => conditionText(c, unitsOf(r))).join(' or ')}`}
                    {r.consecutive > 1 && ` · ${r.consecutive} readings in a row`}
                  </Text>
                </Stack>
                <Group gap="xs" wrap="nowrap">
                  <Switch
                    aria-label={`${r.name} on`}
                    checked={r.enabled}
                    disabled={set.isPending}
                    onChange={(e) => set.mutate({ key: r.key, patch: { enabled: e.currentTarget.checked } })}
                  />
                  <Button size="xs" variant="default" onClick={() => setEditing(r)} aria-label={`Change ${r.name}`}>
                    Change
                  </Button>
                  {r.overridden && (
                    <Button
                      size="xs"
                      variant="subtle"
                      onClick={() => reset.mutate(r.key)}
                      loading={reset.isPending && reset.variables === r.key}
                      aria-label={`Reset ${r.name} to the default`}
                    >
                      Reset
                    </Button>
                  )}
                </Group>
              </Group>
            ))}
          </Stack>
        )}
      </QueryState>
      {editing && (
        <RuleForm patientId={patientId} rule={editing} units={unitsOf(editing)} onClose={() => setEditing(null)} />
      )}
    </Stack>
  );
}
