/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

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

// The dev server forwards the API to a tend started separately, e.g.
// `tend serve --demo --addr 127.0.0.1:8080`.
const apiTarget = process.env.TEND_API ?? 'http://127.0.0.1:8080';

// Tests see times in one zone, whatever the machine's.
if (process.env.VITEST) process.env.TZ = 'UTC';

export default defineConfig({
  plugins: [react(), keepDistFolder()],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
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
