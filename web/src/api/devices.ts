import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';

export const DEVICE_KINDS = [
  'blood_pressure_monitor',
  'thermometer',
  'glucometer',
  'pulse_oximeter',
  'heart_rate_strap',
  'scale',
  'multi_parameter_monitor',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const KIND_LABELS: Record<DeviceKind, string> = {
  blood_pressure_monitor: 'Blood pressure monitor',
  thermometer: 'Thermometer',
  glucometer: 'Glucose meter',
  pulse_oximeter: 'Pulse oximeter',
  heart_rate_strap: 'Heart rate strap',
  scale: 'Scale',
  multi_parameter_monitor: 'Multi-parameter monitor',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind as DeviceKind] ?? humanize(kind);
}

export interface Refusal {
  reason: string;
  count: number;
  firstAt: string;
  lastAt: string;
}

/** A registered device. It never carries its secret. */
export interface Device {
  id: string;
  kind: DeviceKind;
  maker: string;
  model: string;
  serial: string;
  eui64?: string;
  protocol?: string;
  label?: string;
  enabled: boolean;
  patientId?: string;
  assignedAt?: string;
  lastSeenAt?: string;
  batteryPercent?: number;
  status?: string;
  statusAt?: string;
  credentialSetAt?: string;
  createdAt?: string;
  updatedAt?: string;
  refusals?: Refusal[];
}

export interface NewDevice {
  kind: DeviceKind;
  maker: string;
  model?: string;
  serial: string;
  eui64?: string;
  label?: string;
  patientId?: string;
}

/** The answer to registering a device or rotating its credential: the secret is shown this once. */
export interface DeviceWithCredential {
  device: Device;
  credential: string;
}

export interface Assignment {
  id: string;
  deviceId: string;
  patientId: string;
  from: string;
  to?: string;
  assignedBy?: string;
  unassignedBy?: string;
}

/** What a person calls a device: its label, else maker and model. */
export function deviceName(d: Pick<Device, 'label' | 'maker' | 'model'>): string {
  return d.label || [d.maker, d.model].filter(Boolean).join(' ') || 'Device';
}

/** "cuff-too-loose" or "patient_mismatch" as words: "Cuff too loose". */
export function humanize(slug: string): string {
  const s = slug.replace(/[-_]+/g, ' ').trim();
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : slug;
}

/** Why readings were refused, in words an administrator can act on. */
export const REFUSAL_LABELS: Record<string, string> = {
  disabled: 'Device is disabled',
  unassigned: 'Device is not assigned to a patient',
  patient_mismatch: 'Sent for a different patient than the one it is assigned to',
  before_assignment: 'Taken before the device was assigned to its patient',
  implausible: 'Value impossible for a living body',
  unit: 'Unit not accepted for the measurement',
  unknown_type: 'Measurement type Tend does not know',
  incomplete: 'Missing part of the measurement (e.g. diastolic)',
  future: 'Time in the future (device clock wrong?)',
  invalid: 'Malformed reading',
};

export function refusalLabel(reason: string): string {
  return REFUSAL_LABELS[reason] ?? humanize(reason);
}

export interface DeviceFilter {
  kind?: string;
  patientId?: string;
  q?: string;
}

const PAGE = 100;
const enc = encodeURIComponent;

/** The register, a page at a time (the server pages by the last id seen). */
export function useDevices(f: DeviceFilter) {
  return useInfiniteQuery({
    queryKey: keys.devices(f),
    initialPageParam: '',
    queryFn: ({ pageParam, signal }) =>
      api<{ devices: Device[] }>('/api/v1/devices', {
        query: { kind: f.kind, patientId: f.patientId, q: f.q, after: pageParam || undefined, limit: PAGE },
        signal,
      }).then((r) => r.devices ?? []),
    getNextPageParam: (last) => (last.length === PAGE ? last[last.length - 1]!.id : undefined),
    placeholderData: keepPreviousData,
  });
}

export function useDevice(id: string) {
  return useQuery({
    queryKey: keys.device(id),
    queryFn: ({ signal }) => api<Device>(`/api/v1/devices/${enc(id)}`, { signal }),
    retry: false,
  });
}

export function useDeviceHistory(id: string) {
  return useQuery({
    queryKey: keys.deviceHistory(id),
    queryFn: ({ signal }) =>
      api<{ assignments: Assignment[] }>(`/api/v1/devices/${enc(id)}/history`, { signal }).then(
        (r) => r.assignments ?? [],
      ),
  });
}

/** The devices assigned to a patient, for those who may see the patient's vitals. */
export function usePatientDevices(patientId: string, enabled = true) {
  return useQuery({
    queryKey: keys.patientDevices(patientId),
    queryFn: ({ signal }) =>
      api<{ devices: Device[] }>(`/api/v1/patients/${enc(patientId)}/devices`, { signal }).then((r) => r.devices ?? []),
    enabled,
  });
}

function useDeviceMutation<V, R extends Device | DeviceWithCredential>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (res: R) => {
      const d: Device = 'device' in res ? res.device : res;
      qc.setQueryData(keys.device(d.id), (old: Device | undefined) => ({ ...old, ...d }));
      void qc.invalidateQueries({ queryKey: keys.devicesAll });
      void qc.invalidateQueries({ queryKey: ['patient-devices'] });
    },
  });
}

export function useCreateDevice() {
  return useDeviceMutation((body: NewDevice) => api<DeviceWithCredential>('/api/v1/devices', { method: 'POST', body }));
}

export function useSetDeviceEnabled(id: string) {
  return useDeviceMutation((enabled: boolean) =>
    api<Device>(`/api/v1/devices/${enc(id)}`, { method: 'PATCH', body: { enabled } }),
  );
}

export function useRotateCredential(id: string) {
  return useDeviceMutation(() =>
    api<DeviceWithCredential>(`/api/v1/devices/${enc(id)}/credential`, { method: 'POST' }),
  );
}

export function useAssignDevice(id: string) {
  return useDeviceMutation((patientId: string) =>
    api<Device>(`/api/v1/devices/${enc(id)}/assignment`, { method: 'PUT', body: { patientId } }),
  );
}

export function useUnassignDevice(id: string) {
  return useDeviceMutation(() => api<Device>(`/api/v1/devices/${enc(id)}/assignment`, { method: 'DELETE' }));
}
