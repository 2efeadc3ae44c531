import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { forgetAllButMe } from './api/auth';
import { ApiError, setUnauthorizedHandler } from './api/client';
import { keys } from './api/keys';
import { cssVariablesResolver, theme } from './theme';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        // A 4xx will not get better by asking again; a dropped connection might.
        retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
}

/** Theme, data cache, and what to do when the server says the session is gone. */
export function AppProviders({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  useEffect(() => {
    setUnauthorizedHandler(() => {
      // Forget everything the signed-out user had loaded; the guard then shows the login page.
      forgetAllButMe(queryClient);
      queryClient.setQueryData(keys.me, null);
    });
    return () => setUnauthorizedHandler(null);
  }, [queryClient]);

  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </MantineProvider>
  );
}
