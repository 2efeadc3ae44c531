import { Button, Code, Group, Paper, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../../api/client';
import {
  DEVICE_KINDS,
  deviceName,
  KIND_LABELS,
  useCreateDevice,
  type DeviceKind,
  type DeviceWithCredential,
  type NewDevice,
} from '../../api/devices';
import { BackLink } from '../../components/BackLink/BackLink';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { PatientPicker } from '../../components/PatientPicker/PatientPicker';
import { Secret } from '../../components/Secret/Secret';

const EMPTY = { kind: null as DeviceKind | null, maker: '', model: '', serial: '', eui64: '', label: '' };

export default function DeviceCreate() {
  const create = useCreateDevice();
  const [form, setForm] = useState(EMPTY);
  const [patientId, setPatientId] = useState<string | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [done, setDone] = useState<DeviceWithCredential | null>(null);

  const server = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const err = (k: string) => local[k] ?? server[k];
  const set = (k: keyof typeof EMPTY) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const v = e.currentTarget.value;
    setForm((f) => ({ ...f, [k]: v }));
    setLocal((l) => ({ ...l, [k]: '' }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!form.kind) errs['kind'] = 'Choose what the device measures.';
    if (!form.maker.trim()) errs['maker'] = 'Give the maker.';
    if (!form.serial.trim()) errs['serial'] = 'Give the serial number.';
    if (form.eui64.trim() && form.eui64.replace(/[\s:.-]/g, '').length !== 16)
      errs['eui64'] = 'An EUI-64 has 16 hex digits, e.g. 00:1A:2B:FF:FE:3C:4D:5E.';
    setLocal(errs);
    if (Object.values(errs).some(Boolean) || !form.kind) return;
    const body: NewDevice = { kind: form.kind, maker: form.maker.trim(), serial: form.serial.trim() };
    if (form.model.trim()) body.model = form.model.trim();
    if (form.eui64.trim()) body.eui64 = form.eui64.trim();
    if (form.label.trim()) body.label = form.label.trim();
    if (patientId) body.patientId = patientId;
    create.mutate(body, { onSuccess: setDone });
  };

  if (done) {
    const d = done.device;
    return (
      <>
        <PageHeader above={<BackLink to="/admin/devices">Devices</BackLink>} title="Device registered" />
        <Paper withBorder p={{ base: 'md', sm: 'lg' }} maw={720}>
          <Stack gap="md">
            <Text>
              <b>{deviceName(d)}</b> (serial {d.serial}) is registered
              {d.patientId ? ' and assigned to its patient' : ''}. It signs in with its id and this credential, for
              example with HTTP Basic authentication to <Code>POST /api/v1/readings</Code>.
            </Text>
            <div>
              <Text size="xs" fw={600} c="dimmed" tt="uppercase">
                Device id
              </Text>
              <Code data-testid="device-id">{d.id}</Code>
            </div>
            <Secret title="The device’s credential" secret={done.credential} />
            <Group gap="xs">
              <Button component={Link} to={`/admin/devices/${encodeURIComponent(d.id)}`}>
                Open device
              </Button>
              <Button
                variant="default"
                onClick={() => {
                  setDone(null);
                  setForm(EMPTY);
                  setPatientId(null);
                  create.reset();
                }}
              >
                Register another
              </Button>
            </Group>
          </Stack>
        </Paper>
      </>
    );
  }

  const generalError = create.error && !Object.keys(server).length ? create.error : null;

  return (
    <>
      <PageHeader
        above={<BackLink to="/admin/devices">Devices</BackLink>}
        title="Register device"
        description="Tend gives the device its own credential. Assign it to a patient now or later; an unassigned device’s readings are refused."
      />
      <Paper withBorder p={{ base: 'md', sm: 'lg' }} maw={720}>
        <form onSubmit={submit} noValidate aria-label="Register device">
          <Stack gap="sm">
            <Select
              label="Kind"
              placeholder="What it measures"
              data={DEVICE_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }))}
              value={form.kind}
              onChange={(v) => {
                setForm((f) => ({ ...f, kind: v as DeviceKind | null }));
                setLocal((l) => ({ ...l, kind: '' }));
              }}
              error={err('kind')}
              required
            />
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <TextInput
                label="Maker"
                value={form.maker}
                onChange={set('maker')}
                error={err('maker')}
                required
                maxLength={100}
              />
              <TextInput
                label="Model"
                value={form.model}
                onChange={set('model')}
                error={err('model')}
                maxLength={100}
              />
              <TextInput
                label="Serial number"
                value={form.serial}
                onChange={set('serial')}
                error={err('serial')}
                required
                maxLength={100}
              />
              <TextInput
                label="EUI-64"
                description="Optional; hospital monitors name themselves by it"
                value={form.eui64}
                onChange={set('eui64')}
                error={err('eui64')}
              />
            </SimpleGrid>
            <TextInput
              label="Label"
              description="Optional; a name people will recognise, e.g. “Margaret’s cuff”"
              value={form.label}
              onChange={set('label')}
              error={err('label')}
              maxLength={200}
            />
            <PatientPicker
              value={patientId}
              onChange={setPatientId}
              label="Assign to patient"
              description="Optional; you can assign it later"
              error={err('patientId')}
            />
            <ErrorAlert error={generalError} title="Could not register the device" />
            <Group justify="flex-end">
              <Button type="submit" loading={create.isPending}>
                Register device
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>
    </>
  );
}
