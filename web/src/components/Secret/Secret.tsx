import { ActionIcon, Alert, Code, CopyButton, Group, Stack, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { IconCheck, IconCopy, IconKey } from '../Icons/Icons';

/** A secret the server shows once (a device credential), with a copy button and a plain warning. */
export function Secret({
  title,
  secret,
  children,
  onClose,
  warning = 'Copy the credential now: Tend shows it only this once and keeps only a scrambled copy. If it is lost, rotate it to get a new one.',
  copyLabel = 'Copy credential',
  testId = 'device-credential',
}: {
  title: string;
  secret: string;
  children?: ReactNode;
  onClose?: () => void;
  /** What to do with it, said before the secret. */
  warning?: ReactNode;
  copyLabel?: string;
  testId?: string;
}) {
  return (
    <Alert
      color="yellow"
      variant="light"
      title={title}
      icon={<IconKey />}
      role="status"
      withCloseButton={!!onClose}
      closeButtonLabel="I have copied it"
      onClose={onClose}
    >
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          {warning}
        </Text>
        <Group gap="xs" wrap="nowrap" align="center">
          <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} data-testid={testId}>
            {secret}
          </Code>
          <CopyButton value={secret} timeout={2000}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
                <ActionIcon
                  variant="light"
                  color={copied ? 'teal' : 'gray'}
                  size="lg"
                  onClick={copy}
                  aria-label={copied ? 'Copied' : copyLabel}
                >
                  {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
        {children}
      </Stack>
    </Alert>
  );
}
