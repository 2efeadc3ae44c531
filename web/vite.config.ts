/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const outDir = resolve(__dirname, '../internal/web/dist');

// The Go package embeds dist with `//go:embed all:dist`, which needs the folder
// to exist even in a fresh clone. Git keeps it alive through dist/.keep, and
// emptyOutDir wipes that file, so put it back after every build.
function keepDistFolder() {
  return {
    name: 'tend-keep-dist',
    closeBundle() {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(resolve(outDir, '.keep'), '');
    },
  };
}

// Writes name.br and name.gz beside every text file worth compressing, so
// the server (internal/web) sends them as they are instead of compressing
// while the first visitor waits.
function precompress() {
  return {
    name: 'tend-precompress',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
        );
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(file)) continue;
        const data = readFileSync(file);
        if (data.length <= 1024) continue;
        const br = brotliCompressSync(data, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length },
        });
        writeFileSync(`${file}.br`, br);
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

// The entry imports the app (src/main.tsx), and boot the patient pages and
// the chart (src/boot.ts), only when they are to run, so by itself the
// browser would not ask for their code until the entry is in and has run:
// a round trip and a script's run late on every first visit. This lists
// the app, boot's pages and every chunk they import as modulepreload links
// in index.html, so all of it downloads (and is parsed off the main thread)
// alongside the entry, and runs when it is imported.
function preloadApp() {
  return {
    name: 'tend-preload-app',
    enforce: 'post' as const,
    transformIndexHtml: {
      order: 'post' as const,
      handler(html: string, ctx: { bundle?: Record<string, { type: string; name?: string; imports?: string[] }> }) {
        const bundle = ctx.bundle;
        if (!bundle) return html;
        const app = Object.entries(bundle).find(([, c]) => c.type === 'chunk' && c.name === 'app');
        if (!app) return html;
        const want: string[] = [];
        const walk = (file: string) => {
          if (want.includes(file)) return;
          want.push(file);
          for (const dep of bundle[file]?.imports ?? []) walk(dep);
        };
        walk(app[0]);
        const boot = Object.entries(bundle).find(([, c]) => c.type === 'chunk' && c.name === 'boot');
        for (const f of (boot?.[1] as { dynamicImports?: string[] } | undefined)?.dynamicImports ?? []) walk(f);
        const links = want
          .filter((f) => !html.includes(`/${f}"`))
          .map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`);
        // Their stylesheets too: Vite's loader fetches a chunk's CSS before the
        // chunk runs, which on a first visit was one more round trip between
        // the page's data arriving and the app starting; one already linked
        // here it does not wait for.
        for (const f of want) {
          const css = (bundle[f] as { viteMetadata?: { importedCss?: Set<string> } }).viteMetadata?.importedCss;
          for (const c of css ?? []) {
            const link = `<link rel="stylesheet" crossorigin href="/${c}">`;
            if (!html.includes(`/${c}"`) && !links.includes(link)) links.push(link);
          }
        }
        return html.replace('</head>', `  ${links.join('\n    ')}\n  </head>`);
      },
    },
  };
}

// Mantine's useId renders each component that uses it a second time on
// mount (see src/vendor/mantineUseId.ts); every Mantine component imports it
// from the hooks package's index, so that index's import is answered with
// ours.
function mantineUseId() {
  const ours = resolve(__dirname, 'src/vendor/mantineUseId.ts');
  return {
    name: 'tend-mantine-use-id',
    enforce: 'pre' as const,
    resolveId(source: string, importer?: string) {
      if (source === './use-id/use-id.mjs' && importer && /@mantine[\\/]hooks[\\/]/.test(importer)) return ours;
      return null;
    },
  };
}

const LIBS = /node_modules[\\/].*\.[cm]?js$/;
const SHARED = /src[\\/](components|api|util|session)[\\/]/;

// What a first visit to a patient's page runs besides the entry (index.html's
// script and boot): the app (shell, routes) and what boot loads at once (the
// patient pages and the chart).
const FIRST_VIEW =
  /src[\\/](app\.tsx|pages[\\/](Patient[\\/]Patient|MyReadings[\\/]MyReadings)\.tsx|components[\\/]VitalChart[\\/]VitalChart\.tsx)$/;

/**
 * The modules a first visit needs, as the bundler itself sees it: a build
 * (in memory) with its default splitting, which puts each module in a chunk
 * by the set of pages that use it, and then every chunk the first view's
 * chunks import. Mantine and our shared components are imported through
 * index files, so only the bundler knows which of their modules a page
 * really uses.
 */
async function firstViewModules(): Promise<Set<string>> {
  const { build } = await import('vite');
  const out = await build({
    configFile: false,
    root: __dirname,
    logLevel: 'silent',
    plugins: [react(), mantineUseId()],
    build: { write: false },
  });
  type Chunk = {
    type: 'chunk';
    fileName: string;
    isEntry: boolean;
    facadeModuleId: string | null;
    imports: string[];
    modules: object;
  };
  const chunks = (Array.isArray(out) ? out : [out as { output: unknown[] }])
    .flatMap((o) => (o as { output: { type: string }[] }).output)
    .filter((c): c is Chunk => c.type === 'chunk');
  const byFile = new Map(chunks.map((c) => [c.fileName, c]));
  const need = new Set<string>();
  const seen = new Set<string>();
  const walk = (c: Chunk | undefined) => {
    if (!c || seen.has(c.fileName)) return;
    seen.add(c.fileName);
    for (const id of Object.keys(c.modules)) need.add(id);
    for (const f of c.imports) walk(byFile.get(f));
  };
  const roots = chunks.filter((c) => c.isEntry || (c.facadeModuleId && FIRST_VIEW.test(c.facadeModuleId)));
  // A renamed page must not quietly put the whole first view in the "later" files.
  if (roots.length !== 5) throw new Error(`vite.config.ts: FIRST_VIEW matches ${roots.length} entry chunks, not 5`);
  roots.forEach(walk);
  return need;
}

// The dev server forwards the API to a tend started separately, e.g.
// `tend serve --demo --addr 127.0.0.1:8080`.
const apiTarget = process.env.TEND_API ?? 'http://127.0.0.1:8080';

// Tests see times in one zone, whatever the machine's.
if (process.env.VITEST) process.env.TZ = 'UTC';

export default defineConfig(async ({ command }) => {
  // Only a production build splits code; tests and the dev server need not wait for this.
  const firstView = command === 'build' && !process.env.VITEST ? await firstViewModules() : null;
  const now = (id: string) => !firstView || firstView.has(id);
  return {
    plugins: [react(), mantineUseId(), preloadApp(), keepDistFolder(), precompress()],
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      chunkSizeWarningLimit: 400,
      rolldownOptions: {
        output: {
          // A page opened directly needs the shell, the libraries and the
          // components its page shares with others. Split by the bundler's
          // default, that was some 40 small files for the patient page, which
          // a browser fetches six at a time over HTTP/1.1: a first visit spent
          // more time queueing for them than running them (and 37 files of the
          // same code, preloaded, were still slower than 11). So: the libraries
          // a first visit runs in one file and the rest in another, the same
          // for the code the pages share, each page in its own, and uPlot
          // (charts only) apart.
          codeSplitting: {
            groups: [
              // What src/boot.ts needs, kept apart from React and Mantine so that it runs before they are in.
              {
                name: 'boot',
                test: /src[\\/](boot\.ts|api[\\/](queries|client|keys|prefetch)\.ts|components[\\/]VitalChart[\\/]load\.ts)$/,
                priority: 40,
              },
              { name: 'uplot', test: /node_modules[\\/]uplot[\\/]/, priority: 30 },
              // React apart from the other libraries: Chromium parses each script on a
              // thread of its own, so two halves are parsed side by side, where one
              // file of 650 KB took a single thread some 350 ms on a first visit.
              { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 25 },
              // Stylesheets stay with whoever imports them (main.tsx links Mantine's in index.html).
              // The libraries and the shared code a first visit runs are one file each; the rest of
              // them are a file each too, which index.html does not preload and a first visit neither
              // parses nor runs (a page that needs them fetches them with its own code).
              { name: 'libs', test: (id: string) => LIBS.test(id) && now(id), priority: 21 },
              { name: 'libs-later', test: LIBS, priority: 20 },
              { name: 'shared', test: (id: string) => SHARED.test(id) && now(id), minShareCount: 2, priority: 11 },
              { name: 'shared-later', test: SHARED, minShareCount: 2, priority: 10 },
            ],
          },
        },
      },
    },
    server: {
      proxy: {
        '/api': { target: apiTarget, changeOrigin: false, ws: true },
        '/fhir': { target: apiTarget, changeOrigin: false },
      },
    },
    test: {
      environment: 'happy-dom',
      globals: true,
      setupFiles: ['./src/test/setup.ts'],
      css: false,
      restoreMocks: true,
      testTimeout: 60_000,
      // Mantine goes through Vite's plugins in tests too, so the tests run the useId the app is built with.
      server: { deps: { inline: [/@mantine[\\/]/] } },
    },
  };
});
