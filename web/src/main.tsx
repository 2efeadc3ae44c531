import '@mantine/core/styles.css';
import './index.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { AppProviders, createQueryClient } from './AppProviders';
import { fetchMe } from './api/auth';
import { keys } from './api/keys';
import { AppRoutes } from './routes';

const queryClient = createQueryClient();
// Ask who is signed in while React starts, not after its first render.
void queryClient.prefetchQuery({ queryKey: keys.me, queryFn: fetchMe, retry: false });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProviders queryClient={queryClient}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </AppProviders>
  </StrictMode>,
);
