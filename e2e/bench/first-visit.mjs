// Compares first visits to a patient's page (empty cache, a year of
// minute-level heart rate) between builds of tend, in turns, so that the
// machine's drift from minute to minute falls on both alike. A change to the
// web app is judged by the paired differences, not by one figure each.
//
//   node bench/first-visit.mjs seed DIR [--bin BIN]
//       a data folder with the perf test's nurse, patient and year of readings
//   node bench/first-visit.mjs compare DIR --bin A [--bin B …] [--runs N]
//       N cold visits to each build in turn, each on its own copy of DIR;
//       with --fresh-window, the address is opened the moment the browser's
//       window is, without waiting for the window's own start-up (see
//       browserSettled in lib/firstvisit.mjs)
//
// A build is a binary: `make build && cp bin/tend /tmp/tend-a`. Each prints
// the median time to interactive and to the chart drawn (as tests/perf.test.mjs
// reports them), and each later build its paired difference from the first.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { signInApi } from '../lib/api.mjs';
import { DESKTOP, launch } from '../lib/browser.mjs';
import {
  chartSpot,
  cookiesOf,
  median,
  NURSE,
  openAndTime,
  seedYear,
  timedContext,
} from '../lib/firstvisit.mjs';
import { startTend, tendBinary } from '../lib/tend.mjs';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    bin: { type: 'string', multiple: true },
    runs: { type: 'string', default: '12' },
    'fresh-window': { type: 'boolean', default: false },
  },
});
const [command, dir] = positionals;
if (!['seed', 'compare'].includes(command) || !dir) {
  console.error('usage: first-visit.mjs seed DIR [--bin BIN] | compare DIR --bin A [--bin B …] [--runs N]');
  process.exit(2);
}
const data = resolve(dir);

if (command === 'seed') {
  mkdirSync(data, { recursive: true });
  const tend = await startTend({ bin: resolve(values.bin?.[0] ?? tendBinary()), dataDir: data });
  try {
    const { patientId, stored, ms } = await seedYear(tend);
    writeFileSync(join(data, 'first-visit.json'), `${JSON.stringify({ patientId })}\n`);
    console.log(`seeded ${data}: ${stored} readings in ${(ms / 1000).toFixed(1)} s`);
  } finally {
    await tend.stop();
  }
} else {
  const bins = (values.bin ?? []).map((b) => resolve(b));
  if (bins.length === 0) throw new Error('compare needs at least one --bin');
  const runs = Number(values.runs);
  const { patientId } = JSON.parse(readFileSync(join(data, 'first-visit.json'), 'utf8'));
  const browser = await launch();
  const builds = [];
  try {
    for (const bin of bins) {
      const copy = mkdtempSync(join(tmpdir(), 'tend-first-visit-'));
      cpSync(data, copy, { recursive: true });
      const tend = await startTend({ bin, dataDir: copy });
      const cookies = cookiesOf(await signInApi(tend.url, NURSE), tend.url);
      builds.push({ bin, copy, tend, cookies, visits: [] });
    }
    const at = await chartSpot(browser, builds[0].tend.url, builds[0].cookies, patientId, DESKTOP);
    // One visit each first, not counted: the server's own first read of the year.
    for (let i = -1; i < runs; i++) {
      // Turns alternate who goes first, so neither always follows the other.
      const order = i % 2 ? builds : [...builds].reverse();
      for (const b of order) {
        const { context, page, problems } = await timedContext(browser, b.tend.url, b.cookies, DESKTOP, {
          settle: !values['fresh-window'],
        });
        const r = await openAndTime(page, at, patientId);
        await context.close();
        if (problems.length) throw new Error(`${b.bin}: the app threw: ${problems.join('; ')}`);
        if (i >= 0) b.visits.push(r);
      }
    }
  } finally {
    await browser.close();
    for (const b of builds) {
      await b.tend.stop();
      rmSync(b.copy, { recursive: true, force: true });
    }
  }
  const first = builds[0];
  for (const b of builds) {
    const line = [
      `${b.bin}: interactive ${median(b.visits.map((v) => v.interactiveMs))} ms`,
      `drawn ${median(b.visits.map((v) => v.chartDrawnMs))} ms`,
      `quiet ${median(b.visits.map((v) => v.mainThreadQuietMs))} ms`,
      `(${b.visits.map((v) => v.interactiveMs).join(' ')})`,
    ];
    if (b !== first) {
      const diffs = b.visits.map((v, i) => v.interactiveMs - first.visits[i].interactiveMs);
      line.push(`\n  paired difference from the first: median ${median(diffs)} ms, faster in ${diffs.filter((d) => d < 0).length} of ${diffs.length}`);
    }
    console.log(line.join(', '));
  }
}
