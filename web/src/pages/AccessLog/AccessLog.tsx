import { Button, Center, Paper } from '@mantine/core';
import { useState } from 'react';
import { useAccessLog } from '../../api/audit';
import { EventsTable } from '../../components/EventsTable/EventsTable';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { useSession } from '../../session/SessionContext';

const PAGE = 50;

export default function AccessLog() {
  const { me } = useSession();
  const [limit, setLimit] = useState(PAGE);
  const log = useAccessLog(me.id, limit);

  return (
    <>
      <PageHeader
        title="Who accessed my data"
        description="Every time someone opens or changes your data, Tend writes it down. Attempts that were refused are listed too."
      />
      <Paper withBorder p={{ base: 'sm', sm: 'md' }}>
        <QueryState
          query={log}
          what="the access log"
          isEmpty={(l) => l.length === 0}
          empty={{ title: 'Nobody has accessed your data yet', description: 'When someone does, you will see it here.' }}
        >
          {(events) => (
            <>
              <EventsTable events={events} />
              {events.length >= limit && (
                <Center mt="md">
                  <Button variant="default" onClick={() => setLimit((l) => l + PAGE)} loading={log.isFetching}>
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
