import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../ErrorAlert/ErrorAlert';

/**
 * The modal form that adds or changes one thing in a list (a medicine, a schedule): its fields, an alert for a
 * failure that no field explains, and Cancel and submit buttons.
 */
export function EditorModal({
  title,
  onClose,
  onSubmit,
  saving,
  error,
  errorTitle,
  submitLabel,
  children,
}: {
  title: string;
  onClose: () => void;
  onSubmit: (e: FormEvent) => void;
  saving: boolean;
  /** The save's failure when no field shows it, else null. */
  error: unknown;
  errorTitle: string;
  submitLabel: string;
  children: ReactNode;
}) {
  return (
    <Modal opened onClose={onClose} title={<Text fw={600}>{title}</Text>} size="lg" centered>
      <form onSubmit={onSubmit} aria-label={title} noValidate>
        <Stack gap="sm">
          {children}
          <ErrorAlert error={error} title={errorTitle} />
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={saving}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * The errors of an EditorModal's fields: those the form found before sending and those the server gave back, and
 * the save's failure when no field shows it (for the modal's alert).
 */
export function useFieldErrors(saveError: unknown) {
  const [found, setFound] = useState<Record<string, string>>({});
  const server = saveError instanceof ApiError ? saveError.fieldErrors() : {};
  return {
    err: (field: string): string | undefined => found[field] ?? server[field],
    /** Shows what the form found and says whether it found anything (then it must not send). */
    reject: (errors: Record<string, string>) => {
      setFound(errors);
      return Object.keys(errors).length > 0;
    },
    unexplained: Object.keys(server).length ? null : saveError,
  };
}
