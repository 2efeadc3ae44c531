import { Anchor, Group } from '@mantine/core';
import { Link } from 'react-router';
import { IconChevronLeft } from '../Icons/Icons';

/** A quiet link back to the list a page was opened from. */
export function BackLink({ to, children }: { to: string; children: string }) {
  return (
    <Anchor component={Link} to={to} size="sm" c="dimmed" w="fit-content">
      <Group gap={2} component="span" wrap="nowrap">
        <IconChevronLeft size={14} />
        {children}
      </Group>
    </Anchor>
  );
}
