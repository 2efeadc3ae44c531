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
        return html.replace('</head>', `  ${links.join('\n    ')}\n  </head>`);
      },
    },
  };
}

// The dev server forwards the API to a tend started separately, e.g.
// `tend serve --demo --addr 127.0.0.1:8080`.
const apiTarget = process.env.TEND_API ?? 'http://127.0.0.1:8080';

// Tests see times in one zone, whatever the machine's.
if (process.env.VITEST) process.env.TZ = 'UTC';

export default defineConfig({
  plugins: [react(), preloadApp(), keepDistFolder(), precompress()],
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
        // more time queueing for them than running them. So: the libraries
        // in one file, the code the pages share in another, each page in its
        // own, and uPlot (charts only) apart.
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
            { name: 'libs', test: /node_modules[\\/].*\.[cm]?js$/, priority: 20 },
            { name: 'shared', test: /src[\\/](components|api|util|session)[\\/]/, minShareCount: 2, priority: 10 },
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
  },
});
