import {
  Button,
  Checkbox,
  Divider,
  Group,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { ROLES, SEXES, type Profile, type Role, type Sex, type User } from '../../api/types';
import { ROLE_LABELS } from '../../session/roles';
import { browserTimeZone, timeZones, todayYmd } from '../../util/format';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';

export const MIN_PASSWORD = 12;

export interface UserFormValues {
  email: string;
  name: string;
  roles: Role[];
  password: string;
  profile: Profile;
}

const SEX_LABELS: Record<Sex, string> = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' };

const ROLE_HELP: Record<Role, string> = {
  patient: 'Is monitored; owns their data and decides who sees it',
  nurse: 'Sees the patients on their care team or who share with them',
  doctor: 'Sees the patients on their care team or who share with them',
  admin: 'Manages users and care teams',
  family: 'Sees what a patient chooses to share',
};

/** Drops the empty fields of a profile, so the server receives only what was filled in. */
export function cleanProfile(p: Profile): Profile {
  const out: Profile = {};
  if (p.birthDate) out.birthDate = p.birthDate;
  if (p.sex) out.sex = p.sex;
  if (p.timeZone) out.timeZone = p.timeZone;
  if (p.mrn?.trim()) out.mrn = p.mrn.trim();
  return out;
}

interface Props {
  mode: 'create' | 'edit';
  initial?: User;
  submitLabel: string;
  submitting: boolean;
  error: unknown;
  onSubmit: (values: UserFormValues) => void;
  onCancel?: () => void;
}

/** Adds a user or edits one: identity, roles, and for patients their clinical profile. */
export function UserForm({ mode, initial, submitLabel, submitting, error, onSubmit, onCancel }: Props) {
  const [email, setEmail] = useState(initial?.email ?? '');
  const [name, setName] = useState(initial?.name ?? '');
  const [roles, setRoles] = useState<Role[]>(initial?.roles ?? []);
  const [password, setPassword] = useState('');
  const [profile, setProfile] = useState<Profile>({
    timeZone: mode === 'create' ? browserTimeZone() : undefined,
    ...initial?.profile,
  });
  const [touched, setTouched] = useState(false);
  const zones = useMemo(() => timeZones(), []);

  const isPatient = roles.includes('patient');
  const server = error instanceof ApiError ? error.fieldErrors() : {};

  const local: Record<string, string> = {};
  if (mode === 'create' && !/^\S+@\S+\.\S+$/.test(email.trim())) local['email'] = 'Enter an email address.';
  if (!name.trim()) local['name'] = 'Enter a name.';
  if (roles.length === 0) local['roles'] = 'Choose at least one role.';
  if (mode === 'create' && password.length < MIN_PASSWORD)
    local['password'] = `At least ${MIN_PASSWORD} characters (${password.length} so far).`;
  const shown = (key: string) => (touched ? local[key] : undefined) ?? server[key];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(local).length) return;
    onSubmit({ email: email.trim(), name: name.trim(), roles, password, profile: cleanProfile(profile) });
  };

  const setP = (patch: Partial<Profile>) => setProfile((p) => ({ ...p, ...patch }));

  return (
    <form onSubmit={submit} noValidate aria-label={mode === 'create' ? 'Add user' : 'Edit user'}>
      <Stack gap="md">
        {error ? (
          <ErrorAlert error={error} title={mode === 'create' ? 'Could not add the user' : 'Could not save'} />
        ) : null}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            required={mode === 'create'}
            disabled={mode === 'edit'}
            description={mode === 'edit' ? 'The email address cannot be changed.' : 'Used to sign in.'}
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={shown('email')}
          />
          <TextInput
            label="Full name"
            required
            autoComplete="off"
            description="As it should appear to others."
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={shown('name')}
          />
        </SimpleGrid>

        <Checkbox.Group
          label="Roles"
          description="A person may hold several roles, e.g. a doctor who is also a patient."
          required
          value={roles}
          onChange={(v) => setRoles(ROLES.filter((r) => v.includes(r)))}
          error={shown('roles')}
        >
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} mt="xs" spacing="xs">
            {ROLES.map((r) => (
              <Checkbox key={r} value={r} label={ROLE_LABELS[r]} description={ROLE_HELP[r]} />
            ))}
          </SimpleGrid>
        </Checkbox.Group>

        {mode === 'create' && (
          <PasswordInput
            label="Initial password"
            required
            autoComplete="new-password"
            description={`At least ${MIN_PASSWORD} characters. Give it to the person safely; they can change it after signing in.`}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={shown('password')}
          />
        )}

        {isPatient && (
          <>
            <Divider mt="xs" />
            <div>
              <Title order={3} fz="md">
                Clinical profile
              </Title>
              <Text size="sm" c="dimmed">
                Used to read the patient's measurements correctly: reference ranges by age and sex, schedules in their
                time zone.
              </Text>
            </div>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="Date of birth"
                type="date"
                max={todayYmd()}
                value={profile.birthDate ?? ''}
                onChange={(e) => setP({ birthDate: e.currentTarget.value || undefined })}
                error={server['profile.birthDate']}
              />
              <Select
                label="Sex"
                placeholder="Not recorded"
                clearable
                data={SEXES.map((s) => ({ value: s, label: SEX_LABELS[s] }))}
                value={profile.sex ?? null}
                onChange={(v) => setP({ sex: (v as Sex | null) ?? undefined })}
                error={server['profile.sex']}
              />
              <Select
                label="Time zone"
                searchable
                placeholder="Choose a time zone"
                nothingFoundMessage="No such time zone"
                data={zones}
                limit={60}
                value={profile.timeZone ?? null}
                onChange={(v) => setP({ timeZone: v ?? undefined })}
                error={server['profile.timeZone']}
              />
              <TextInput
                label="Medical record number (MRN)"
                autoComplete="off"
                value={profile.mrn ?? ''}
                onChange={(e) => setP({ mrn: e.currentTarget.value })}
                error={server['profile.mrn']}
              />
            </SimpleGrid>
          </>
        )}

        <Group justify="flex-end" gap="xs" mt="xs">
          {onCancel && (
            <Button variant="default" onClick={onCancel} disabled={submitting}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={submitting}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
