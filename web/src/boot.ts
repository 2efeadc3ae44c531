// The first code a page runs. It asks who is signed in and, for a patient's
// page opened directly (a link, a reload), starts that page's code, the
// chart's code and the page's first data, all before the app's own code
// (React, Mantine: most of what a first visit downloads and compiles) is
// in. The answers wait here for the app's cache to take them over.
import type { QueryClient } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import { fetchWith, prefetchRecord, type Fetch } from './api/prefetch';
import { meQuery } from './api/queries';
import { loadChart } from './components/VitalChart/load';

/** A page's code, loaded once; what it was, once it is in. */
export interface PageLoader {
  (): Promise<{ default: ComponentType }>;
  loaded(): ComponentType | null;
}

function pageLoader(load: () => Promise<{ default: ComponentType }>): PageLoader {
  let promise: Promise<{ default: ComponentType }> | null = null;
  let page: ComponentType | null = null;
  const loader = () =>
    (promise ??= load().then((m) => {
      page = m.default;
      return m;
    }));
  return Object.assign(loader, { loaded: () => page });
}

export const loadPatientPage = pageLoader(() => import('./pages/Patient/Patient'));
export const loadMyReadingsPage = pageLoader(() => import('./pages/MyReadings/MyReadings'));

/** What boot started, to be handed over to the app's query cache once it exists. */
export interface Boot {
  /** Settles once the code the page needs at once is in, so its first render need not wait for it. */
  codeReady: Promise<unknown>;
  handOver(qc: QueryClient): void;
}

export function boot(pathname: string): Boot {
  const started = new Map<string, { queryKey: readonly unknown[]; answer: Promise<unknown> }>();
  let app: Fetch | null = null;
  const fetch: Fetch = (q) => {
    if (app) return app(q);
    const key = JSON.stringify(q.queryKey);
    let e = started.get(key);
    if (!e) {
      e = { queryKey: q.queryKey, answer: q.queryFn({}) };
      // Nobody may be waiting yet: a failure is the app's to show, not an unhandled rejection.
      e.answer.catch(() => {});
      started.set(key, e);
    }
    return e.answer as ReturnType<typeof q.queryFn>;
  };

  const me = fetch(meQuery);
  const patient = /^\/patients\/([^/]+)\/?$/.exec(pathname);
  const self = pathname === '/my-readings';
  let codeReady: Promise<unknown> = Promise.resolve();
  if (patient || self) {
    codeReady = Promise.all([patient ? loadPatientPage() : loadMyReadingsPage(), loadChart()]).catch(() => {});
    // Only once someone is known to be signed in: a patient's data asked for by nobody is audited as a refusal.
    void me.then((m) => m && prefetchRecord(fetch, patient ? decodeURIComponent(patient[1]!) : m.id)).catch(() => {});
  }

  return {
    codeReady,
    handOver(qc) {
      // What is on its way becomes the cache's; what boot asks for from now on, the cache fetches.
      for (const { queryKey, answer } of started.values()) {
        void qc.prefetchQuery({ queryKey, queryFn: () => answer, retry: false });
      }
      started.clear();
      app = fetchWith(qc);
    },
  };
}
