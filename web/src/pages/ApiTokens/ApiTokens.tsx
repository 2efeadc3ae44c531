import {
  ActionIcon,
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import { useCreateToken, useRevokeToken, useTokens } from '../../api/tokens';
import type { ApiToken, NewApiToken } from '../../api/types';
import { ConfirmModal } from '../../components/ConfirmModal/ConfirmModal';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { IconCheck, IconCopy, IconKey } from '../../components/Icons/Icons';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { QueryState } from '../../components/QueryState/QueryState';
import { formatDateTime } from '../../util/format';

export default function ApiTokens() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [label, setLabel] = useState('');
  const [touched, setTouched] = useState(false);
  const [fresh, setFresh] = useState<NewApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);

  const labelError =
    (touched && !label.trim() ? 'Give the token a name you will recognise.' : undefined) ??
    (create.error instanceof ApiError ? create.error.fieldErrors()['label'] : undefined);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!label.trim()) return;
    create.mutate(label.trim(), {
      onSuccess: (t) => {
        setFresh(t);
        setLabel('');
        setTouched(false);
      },
    });
  };

  return (
    <>
      <PageHeader
        title="API tokens"
        description="A token lets a script, a device gateway or another program use Tend's API as you. Treat it like a password."
      />
      <Stack gap="lg">
        <Paper withBorder p={{ base: 'md', sm: 'lg' }}>
          <Title order={2} fz="lg" mb="md">
            Create a token
          </Title>
          <form onSubmit={submit} noValidate aria-label="Create a token">
            <Stack gap="sm">
              {create.error ? <ErrorAlert error={create.error} title="Could not create the token" /> : null}
              <Group align="flex-start" gap="xs" wrap="wrap">
                <TextInput
                  label="Label"
                  placeholder="e.g. Home scale gateway"
                  value={label}
                  onChange={(e) => setLabel(e.currentTarget.value)}
                  error={labelError}
                  style={{ flex: '1 1 16rem' }}
                  maxLength={100}
                />
                <Button
                  type="submit"
                  loading={create.isPending}
                  mt={{ base: 0, xs: 25 }}
                  leftSection={<IconKey size={16} />}
                >
                  Create token
                </Button>
              </Group>
            </Stack>
          </form>
          {fresh && (
            <Alert
              color="teal"
              mt="md"
              title={`Token “${fresh.label}” created`}
              role="status"
              withCloseButton
              closeButtonLabel="Dismiss"
              onClose={() => setFresh(null)}
            >
              <Text size="sm" mb="xs">
                Copy it now: Tend shows it only this once.
              </Text>
              <Group gap="xs" wrap="nowrap" align="center">
                <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid="new-token">
                  {fresh.token}
                </Code>
                <CopyButton value={fresh.token} timeout={2000}>
                  {({ copied, copy }) => (
                    <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
                      <ActionIcon
                        variant="light"
                        color={copied ? 'teal' : 'gray'}
                        size="lg"
                        onClick={copy}
                        aria-label={copied ? 'Copied' : 'Copy token'}
                      >
                        {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
                      </ActionIcon>
                    </Tooltip>
                  )}
                </CopyButton>
              </Group>
            </Alert>
          )}
        </Paper>

        <Paper withBorder p={{ base: 'sm', sm: 'md' }}>
          <Title order={2} fz="lg" mb="md" px={{ base: 4, sm: 0 }}>
            Your tokens
          </Title>
          <QueryState
            query={tokens}
            what="your tokens"
            isEmpty={(l) => l.length === 0}
            empty={{ title: 'No tokens', description: 'Tokens you create appear here.' }}
          >
            {(list) => (
              <div className="table-scroll">
                <Table miw={480} aria-label="Your tokens">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Label</Table.Th>
                      <Table.Th>Created</Table.Th>
                      <Table.Th>Last used</Table.Th>
                      <Table.Th>
                        <span
                          className="visually-hidden"
                          style={{
                            position: 'absolute',
                            width: 1,
                            height: 1,
                            overflow: 'hidden',
                            clip: 'rect(0 0 0 0)',
                          }}
                        >
                          Actions
                        </span>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {list.map((t) => (
                      <Table.Tr key={t.id}>
                        <Table.Td>
                          <Text size="sm" fw={600}>
                            {t.label}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{formatDateTime(t.createdAt)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" c={t.lastUsedAt ? undefined : 'dimmed'}>
                            {t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">
                          <Button
                            variant="subtle"
                            color="red"
                            size="xs"
                            onClick={() => setRevoking(t)}
                            aria-label={`Revoke ${t.label}`}
                          >
                            Revoke
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
            )}
          </QueryState>
        </Paper>
      </Stack>
      <ConfirmModal
        opened={revoking !== null}
        title={`Revoke “${revoking?.label ?? ''}”?`}
        confirmLabel="Revoke token"
        loading={revoke.isPending}
        error={revoke.error}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              if (fresh?.id === revoking.id) setFresh(null);
              setRevoking(null);
            },
          })
        }
      >
        <Text size="sm">Programs using this token will stop working at once. This cannot be undone.</Text>
      </ConfirmModal>
    </>
  );
}
