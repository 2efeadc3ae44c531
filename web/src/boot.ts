// The first code a page runs. It asks who is signed in and, for a patient's
// page opened directly (a link, a reload), fetches the page's first data
// before the app's own code (React, Mantine: most of what a first visit
// downloads and compiles; index.html preloads it) runs, and only then runs
// that code with the page's and the chart's. On a first visit the parsing
// of that code keeps both cores of a small machine busy, and running it
// would hold each of the data's round trips up further. The answers wait
// here for the app's cache to take them over.
import type { QueryClient } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import { cacheOf, prefetchRecord, type Cache } from './api/prefetch';
import { readCookie } from './api/client';
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

/** How long a page opened directly waits for its first data before its code runs and it shows without. */
export const DATA_GRACE_MS = 600;

/**
 * The first date format a page makes costs the browser some 40–60 ms on
 * this machine, more while both cores are parsing the app's code (it loads
 * the locale's calendar and time zone data), however simple the
 * format; later ones cost under a millisecond. The chart's page needs dates
 * for its axis and tiles, so boot makes one while the page's data is on its
 * way and the main thread has nothing else to do, instead of the app's
 * code paying for it just before the chart can be drawn.
 */
function warmUpDates(): void {
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(0);
}

/** A request boot sent, and its answer once it is in. */
interface Started {
  queryKey: readonly unknown[];
  answer: Promise<unknown>;
  settled: boolean;
  value: unknown;
}

/** What boot started, to be handed over to the app's query cache once it exists. */
export interface Boot {
  /**
   * Settles once the page's first data is in (or after DATA_GRACE_MS), and
   * then the code it needs at once, so that its first render is its whole
   * first view.
   */
  ready: Promise<unknown>;
  handOver(qc: QueryClient): void;
}

export function boot(pathname: string): Boot {
  const started = new Map<string, Started>();
  let app: Cache | null = null;
  const fetch: Cache['fetch'] = (q) => {
    if (app) return app.fetch(q);
    const key = JSON.stringify(q.queryKey);
    let e = started.get(key);
    if (!e) {
      const entry: Started = { queryKey: q.queryKey, answer: q.queryFn({}), settled: false, value: undefined };
      // Nobody may be waiting yet: a failure is the app's to show, not an unhandled rejection.
      entry.answer.then(
        (value) => Object.assign(entry, { settled: true, value }),
        () => {},
      );
      started.set(key, (e = entry));
    }
    return e.answer as ReturnType<typeof q.queryFn>;
  };
  const put: Cache['put'] = (queryKey, value) => {
    if (app) return app.put(queryKey, value);
    started.set(JSON.stringify(queryKey), { queryKey, answer: Promise.resolve(value), settled: true, value });
  };

  const me = fetch(meQuery);
  const patient = /^\/patients\/([^/]+)\/?$/.exec(pathname);
  const self = pathname === '/my-readings';
  let ready: Promise<unknown> = Promise.resolve();
  if (patient || self) {
    // Only from someone signed in: a patient's data asked for by nobody is
    // audited as a refusal. A browser without the session's CSRF cookie has
    // nobody signed in; one with it almost surely has, so a patient's page
    // asks for its record alongside /me instead of a round trip after it.
    // (Your own page needs /me's answer for your id.)
    const id = patient ? decodeURIComponent(patient[1]!) : null;
    const early = id && readCookie('tend_csrf') ? prefetchRecord({ fetch, put }, id) : null;
    early?.catch(() => {}); // a failure is the page's to show
    const data = me.then((m) => early ?? (m && prefetchRecord({ fetch, put }, id ?? m.id))).catch(() => {});
    // Now that the requests are out: their answers come in while the main thread does this.
    warmUpDates();
    ready = Promise.race([data, new Promise((r) => setTimeout(r, DATA_GRACE_MS))])
      .then(() => Promise.all([patient ? loadPatientPage() : loadMyReadingsPage(), loadChart()]))
      .catch(() => {});
  }

  return {
    ready,
    handOver(qc) {
      // What is on its way becomes the cache's; what boot asks for from now on, the cache fetches.
      // An answer already in goes straight into the cache, so that the app's
      // first render has it (a promise, even a settled one, answers only
      // after that render, and the page would be drawn twice).
      for (const { queryKey, answer, settled, value } of started.values()) {
        if (settled) qc.setQueryData(queryKey, value);
        else void qc.prefetchQuery({ queryKey, queryFn: () => answer, retry: false });
      }
      started.clear();
      app = cacheOf(qc);
    },
  };
}
