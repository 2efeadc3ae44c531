import { Select } from '@mantine/core';
import { useUsers } from '../../api/users';

/** Picks a patient by name or email, from the patients an administrator sees. */
export function PatientPicker({
  value,
  onChange,
  label = 'Patient',
  description,
  error,
  exclude,
  clearable = true,
}: {
  value: string | null;
  onChange: (id: string | null) => void;
  label?: string;
  description?: string;
  error?: string;
  exclude?: string;
  clearable?: boolean;
}) {
  const patients = useUsers('', 'patient');
  const data = (patients.data ?? [])
    .filter((u) => u.id !== exclude && !u.disabled)
    .map((u) => ({ value: u.id, label: `${u.name || u.email} (${u.email})` }));
  return (
    <Select
      label={label}
      description={description}
      placeholder={patients.isPending ? 'Loading patients…' : 'Search by name or email'}
      searchable
      clearable={clearable}
      nothingFoundMessage={patients.isPending ? 'Loading…' : 'No patient matches'}
      data={data}
      value={value}
      onChange={onChange}
      error={error ?? (patients.error ? 'Could not load the patients.' : undefined)}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
