import { Button, Center, Group, Paper, Select } from '@mantine/core';
import { useState } from 'react';
import { useAudit } from '../../api/audit';
import { useUsers } from '../../api/users';
import { EventsTable } from '../../components/EventsTable/EventsTable';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';

const PAGE = 100;

export default function Audit() {
  const [patientId, setPatientId] = useState<string | null>(null);
  const [actorId, setActorId] = useState<string | null>(null);
  const [limit, setLimit] = useState(PAGE);
  const users = useUsers('', '');
  const events = useAudit({ patientId: patientId ?? undefined, actorId: actorId ?? undefined, limit });

  const all = users.data ?? [];
  const patients = all.filter((u) => u.roles.includes('patient')).map((u) => ({ value: u.id, label: u.name }));
  const actors = all.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }));

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every read and write of patient data, and every refusal, with who, when and from where."
      />
      <Paper withBorder p={{ base: 'sm', sm: 'md' }}>
        <Group gap="sm" mb="md" wrap="wrap">
          <Select
            label="Patient"
            placeholder="All patients"
            searchable
            clearable
            data={patients}
            value={patientId}
            onChange={setPatientId}
            w={{ base: '100%', xs: 260 }}
          />
          <Select
            label="Who"
            placeholder="Everyone"
            searchable
            clearable
            data={actors}
            value={actorId}
            onChange={setActorId}
            w={{ base: '100%', xs: 300 }}
          />
        </Group>
        <QueryState
          query={events}
          what="the audit log"
          isEmpty={(l) => l.length === 0}
          empty={{ title: 'No events', description: 'Nothing was recorded for this filter.' }}
        >
          {(list) => (
            <>
              <EventsTable events={list} technical />
              {list.length >= limit && (
                <Center mt="md">
                  <Button variant="default" onClick={() => setLimit((l) => l + PAGE)} loading={events.isFetching}>
                    Show older
                  </Button>
                </Center>
              )}
            </>
          )}
        </QueryState>
      </Paper>
    </>
  );
}
