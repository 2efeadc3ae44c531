import type { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, useLocation } from 'react-router';
import { AppProviders, createQueryClient } from '../AppProviders';
import { AppRoutes } from '../routes';

/** Shows the current path, so tests can check where the app went. */
function LocationProbe() {
  const loc = useLocation();
  return (
    <output data-testid="location" hidden>
      {loc.pathname + loc.search}
    </output>
  );
}

/**
 * Renders the whole app at a path, with a fresh cache, as a person would open
 * it. `before` gets the cache first, as src/app.tsx hands boot's answers over.
 */
export function renderApp(path = '/', { before }: { before?: (qc: QueryClient) => void } = {}) {
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({
    queries: { ...queryClient.getDefaultOptions().queries, retry: false },
  });
  before?.(queryClient);
  const u = userEvent.setup({ delay: null });
  const utils = render(
    <AppProviders queryClient={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
        <LocationProbe />
      </MemoryRouter>
    </AppProviders>,
  );
  return { user: u, queryClient, ...utils };
}
