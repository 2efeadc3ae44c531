// The JavaScript a browser must fetch before the app can show anything: the
// entry script in index.html, the modules it preloads, and the app it starts
// at once (src/main.tsx imports ./app as soon as boot has sent the first
// requests) with everything that imports, gzip-compressed as a server or
// CDN would send them. Issue 5 allows at most 300 KB.
// Usage: npm run size (after npm run build); --json prints the figures as JSON.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../../internal/web/dist');
const LIMIT = 300 * 1024;

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const refs = new Set();
for (const m of html.matchAll(/<script[^>]+src="([^"]+\.js)"/g)) refs.add(m[1]);
for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)) refs.add(m[1]);
// The app the entry starts at once, and the chunks that imports, all the way down.
const read = (ref) => readFileSync(join(dist, ref.replace(/^\//, '')), 'utf8');
const entry = [...refs][0];
const todo = [...refs];
while (todo.length) {
  const ref = todo.pop();
  const dir = ref.slice(0, ref.lastIndexOf('/') + 1);
  const code = read(ref);
  const found = [...code.matchAll(/(?:from|import)\s*["'`]\.\/([^"'`]+\.js)["'`]/g)].map((m) => m[1]);
  if (ref === entry) {
    found.push(...[...code.matchAll(/import\(\s*["'`]\.\/(app-[^"'`]+\.js)["'`]\s*\)/g)].map((m) => m[1]));
  }
  for (const f of found) {
    if (!refs.has(dir + f)) {
      refs.add(dir + f);
      todo.push(dir + f);
    }
  }
}
const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+\.css)"/g)].map((m) => m[1]);

const size = (ref) => {
  const buf = readFileSync(join(dist, ref.replace(/^\//, '')));
  return { file: ref, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
};
const js = [...refs].map(size);
const styles = css.map(size);
const total = js.reduce((n, f) => n + f.gzip, 0);
const out = {
  firstLoadJsGzipBytes: total,
  firstLoadJsBytes: js.reduce((n, f) => n + f.bytes, 0),
  firstLoadCssGzipBytes: styles.reduce((n, f) => n + f.gzip, 0),
  limitBytes: LIMIT,
  files: js,
};
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(out, null, 2));
} else {
  for (const f of js)
    console.log(`${f.file}  ${(f.bytes / 1024).toFixed(1)} KB, gzip ${(f.gzip / 1024).toFixed(1)} KB`);
  console.log(
    `First-load JavaScript: ${(total / 1024).toFixed(1)} KB gzip (limit ${LIMIT / 1024} KB); CSS ${(out.firstLoadCssGzipBytes / 1024).toFixed(1)} KB gzip`,
  );
}
// vite.config.ts keeps what a first visit does not run in libs-later and
// shared-later; one of them here means the first view imports it after all.
const later = js.filter((f) => /-later-/.test(f.file)).map((f) => f.file);
if (later.length) {
  console.error(`The first load includes ${later.join(', ')}: see firstViewModules in vite.config.ts.`);
  process.exit(1);
}
if (total > LIMIT) {
  console.error(
    `The first load is over ${LIMIT / 1024} KB of compressed JavaScript: move something into a lazy chunk.`,
  );
  process.exit(1);
}
