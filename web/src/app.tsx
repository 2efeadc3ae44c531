// The app itself: React, the router and the query cache, started by
// main.tsx once boot has sent the first requests on their way.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppProviders, createQueryClient } from './AppProviders';
import type { Boot } from './boot';
import { AppRoutes } from './routes';

export function startApp(boot: Boot): void {
  const queryClient = createQueryClient();
  boot.handOver(queryClient);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <AppProviders queryClient={queryClient}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </AppProviders>
    </StrictMode>,
  );
}
