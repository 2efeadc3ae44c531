// Starts a built tend binary on a free port with a fresh data folder, and
// creates accounts through its own admin command, as an operator would.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The binary under test: $TEND_BIN, or ../bin/tend next to this folder. */
export function tendBinary() {
  const bin = resolve(join(here, '..'), process.env.TEND_BIN || '../bin/tend');
  if (!existsSync(bin)) {
    throw new Error(
      `No tend binary at ${bin}. Build it first (make build, or go build -o bin/tend ./cmd/tend) ` +
        'or point TEND_BIN at one.',
    );
  }
  return bin;
}

/** Which optional flags `tend serve` knows, so the test runs on older and newer builds alike. */
function serveFlags(bin) {
  const help = spawnSync(bin, ['serve', '--help'], { encoding: 'utf8' });
  const text = `${help.stdout}\n${help.stderr}`;
  const extra = [];
  // Device doors listen on their own ports: keep them off the fixed defaults.
  for (const flag of ['--mqtt-addr', '--mllp-addr', '--turn-addr']) {
    if (text.includes(flag)) extra.push(flag, '127.0.0.1:0');
  }
  return extra;
}

/**
 * Starts `tend serve` and resolves once it says where it listens.
 * Returns { url, dataDir, bin, logs(), addUser(), stop() }.
 */
export async function startTend({ timeoutMs = 30_000, bin = tendBinary(), dataDir: keep } = {}) {
  // A given data folder is kept afterwards (a benchmark's seeded data); a fresh one is removed.
  const dataDir = keep ?? mkdtempSync(join(tmpdir(), 'tend-e2e-'));
  const args = ['serve', '--addr', '127.0.0.1:0', '--data-dir', dataDir, '--log-level', 'warn', ...serveFlags(bin)];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => (out += d));

  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`tend did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tend exited with ${code} before listening:\n${out}`));
    });
  });

  return {
    url,
    dataDir,
    bin,
    logs: () => out,
    /** Adds a user with `tend admin user add … --password-stdin` and returns the JSON it prints. */
    addUser({ email, name, roles, password }) {
      const roleArgs = roles.flatMap((r) => ['--role', r]);
      const res = spawnSync(
        bin,
        ['admin', 'user', 'add', '--email', email, '--name', name, ...roleArgs, '--password-stdin', '--data-dir', dataDir],
        { input: `${password}\n`, encoding: 'utf8', timeout: 30_000 },
      );
      if (res.status !== 0) throw new Error(`tend admin user add failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
      return JSON.parse(res.stdout);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
