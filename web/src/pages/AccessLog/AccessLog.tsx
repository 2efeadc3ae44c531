import { Button, Center, Paper, Switch } from '@mantine/core';
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
  const [showOwn, setShowOwn] = useState(false);
  const log = useAccessLog(me.id, limit);
  const events = log.data && (showOwn ? log.data : log.data.filter((e) => e.actorId !== me.id));

  return (
    <>
      <PageHeader
        title="Who accessed my data"
        description="Every time someone opens or changes your data, Tend writes it down. Attempts that were refused are listed too."
      />
      <Paper withBorder p={{ base: 'sm', sm: 'md' }}>
        <Switch
          mb="md"
          label="Include what I did myself"
          checked={showOwn}
          onChange={(e) => setShowOwn(e.currentTarget.checked)}
        />
        <QueryState
          query={{ ...log, data: events }}
          what="the access log"
          isEmpty={(l) => l.length === 0}
          empty={{
            title: 'Nobody has accessed your data yet',
            description: showOwn
              ? 'When someone does, you will see it here.'
              : 'When someone else does, you will see it here.',
          }}
        >
          {(shown) => (
            <>
              <EventsTable events={shown} />
              {(log.data?.length ?? 0) >= limit && (
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
