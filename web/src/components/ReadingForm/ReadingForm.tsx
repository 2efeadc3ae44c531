import {
  Alert,
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { sentence } from '../../api/client';
import { byChartOrder, type MeasurementType } from '../../api/measurementTypes';
import { itemFieldErrors, useEnterReadings, type NewReading } from '../../api/readings';
import { fromLocalInput, toLocalInput } from '../../util/format';
import { unitLabel, useUnitPrefs, displayUnit } from '../../util/units';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';

type Values = Record<string, string | number>;

function without(o: Record<string, string>, k: string): Record<string, string> {
  const next = { ...o };
  delete next[k];
  return next;
}

function componentLabel(name: string): string {
  return name.replace(/ blood pressure$/i, '');
}

/** The numbers a person types for a type: the required parts of a panel, or the one value. */
function fieldsOf(t: MeasurementType): { key: string; label: string; field: string }[] {
  if (t.components?.length) {
    return t.components
      .filter((c) => c.required)
      .map((c) => ({ key: c.key, label: componentLabel(c.name), field: `components.${c.key}` }));
  }
  return [{ key: t.key, label: 'Value', field: 'value' }];
}

function defaultUnit(t: MeasurementType, prefUnit: string): string {
  return t.units.includes(prefUnit) ? prefUnit : t.unit;
}

/** Manual entry of one reading, with the server's refusal shown beside the field it is about. */
export function ReadingForm({
  patientId,
  types,
  initialType,
  forSelf,
}: {
  patientId: string;
  types: MeasurementType[];
  initialType?: string;
  forSelf: boolean;
}) {
  const prefs = useUnitPrefs();
  const sorted = [...types].sort(byChartOrder);
  const [typeKey, setTypeKey] = useState<string>(initialType ?? sorted[0]?.key ?? '');
  const type = sorted.find((t) => t.key === typeKey);
  const [unit, setUnit] = useState<string>(() => (type ? defaultUnit(type, displayUnit(type.unit, prefs)) : ''));
  const [values, setValues] = useState<Values>({});
  const [takenAt, setTakenAt] = useState(() => toLocalInput(new Date()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const enter = useEnterReadings(patientId);

  const chooseType = (key: string | null) => {
    if (!key) return;
    const t = sorted.find((x) => x.key === key);
    setTypeKey(key);
    setValues({});
    setErrors({});
    setGeneral(null);
    if (t) setUnit(defaultUnit(t, displayUnit(t.unit, prefs)));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!type) return;
    setSaved(null);
    setGeneral(null);
    const errs: Record<string, string> = {};
    const fields = fieldsOf(type);
    for (const f of fields) {
      const v = values[f.key];
      if (v === undefined || v === '' || Number.isNaN(Number(v))) errs[f.field] = 'Enter a number.';
    }
    const when = fromLocalInput(takenAt);
    if (!when) errs['takenAt'] = 'Say when it was measured.';
    setErrors(errs);
    if (Object.keys(errs).length || !when) return;

    const item: NewReading = { type: type.key, unit, takenAt: when.toISOString() };
    if (type.components?.length) item.components = fields.map((f) => ({ key: f.key, value: Number(values[f.key]) }));
    else item.value = Number(values[type.key]);

    enter.mutate([item], {
      onSuccess: (ans) => {
        const r = ans.results?.[0];
        if (!r) return;
        if (r.outcome === 'refused') {
          const byField = itemFieldErrors(r);
          const known = Object.fromEntries(
            Object.entries(byField)
              .filter(([k]) => k === 'unit' || k === 'takenAt' || fields.some((f) => f.field === k))
              .map(([k, m]) => [k, sentence(m)]),
          );
          setErrors(known);
          if (!Object.keys(known).length) setGeneral(sentence(r.message ?? 'The reading was refused.'));
          return;
        }
        const shown = fields.map((f) => values[f.key]).join('/');
        setSaved(
          r.outcome === 'duplicate'
            ? 'This reading was already saved.'
            : `Saved: ${type.name.toLowerCase()} ${shown} ${unitLabel(unit)}.`,
        );
        setValues({});
        setErrors({});
        setTakenAt(toLocalInput(new Date()));
      },
    });
  };

  if (!type) return null;
  const fields = fieldsOf(type);

  return (
    <Paper withBorder p={{ base: 'md', sm: 'lg' }} component="section" aria-labelledby="enter-title">
      <Title order={2} fz="lg" mb={4} id="enter-title">
        Add a reading
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {forSelf ? 'Measured yourself without a connected device? Enter it here.' : 'Enter a reading taken by hand.'}
      </Text>
      <form onSubmit={submit} noValidate aria-label="Add a reading">
        <Stack gap="sm">
          <Select
            label="Measurement"
            data={sorted.map((t) => ({ value: t.key, label: t.name }))}
            value={typeKey}
            onChange={chooseType}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          <SimpleGrid cols={fields.length > 1 ? 2 : 1} spacing="sm">
            {fields.map((f) => (
              <NumberInput
                key={`${type.key}-${f.key}`}
                label={f.label}
                value={values[f.key] ?? ''}
                onChange={(v) => {
                  setValues((old) => ({ ...old, [f.key]: v }));
                  setErrors((old) => without(old, f.field));
                }}
                error={errors[f.field]}
                decimalScale={3}
                allowNegative={false}
                hideControls
                inputMode="decimal"
                rightSection={
                  <Text size="xs" c="dimmed" pr={6}>
                    {unitLabel(unit)}
                  </Text>
                }
                rightSectionWidth={60}
              />
            ))}
          </SimpleGrid>
          <SimpleGrid cols={type.units.length > 1 ? { base: 1, xs: 2 } : 1} spacing="sm">
            {type.units.length > 1 && (
              <Select
                label="Unit"
                data={type.units.map((u) => ({ value: u, label: unitLabel(u) }))}
                value={unit}
                onChange={(v) => v && setUnit(v)}
                allowDeselect={false}
                error={errors['unit']}
              />
            )}
            <TextInput
              type="datetime-local"
              label="Taken at"
              value={takenAt}
              onChange={(e) => setTakenAt(e.currentTarget.value)}
              error={errors['takenAt']}
              max={toLocalInput(new Date(Date.now() + 60_000))}
            />
          </SimpleGrid>
          {general && (
            <Alert color="red" variant="light" role="alert" title="Not saved">
              {general}
            </Alert>
          )}
          <ErrorAlert error={enter.error} title="Could not save the reading" />
          {saved && (
            <Alert color="teal" variant="light" role="status">
              {saved}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={enter.isPending}>
              Save reading
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
