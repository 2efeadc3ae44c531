import { Button, EmptyState } from '@mantine/core';
import { Link } from 'react-router';
import { IconInbox } from '../../components/Icons/Icons';

export default function NotFound() {
  return (
    <EmptyState
      py={64}
      icon={<IconInbox size={28} />}
      withIndicatorBackground
      title="Page not found"
      description="The address may be mistyped, or the page has moved."
    >
      <Button component={Link} to="/" variant="light">
        Go to your home page
      </Button>
    </EmptyState>
  );
}
