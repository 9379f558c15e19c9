// The real session server for the end-to-end tests: flow-server on a free loopback
// port with a throwaway data directory, one flow created through its CLI, sessions
// created over its REST API exactly as an integrator's backend does.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './browser.mjs';

const targetDir = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'flow-widget', 'target');
const binary = join(targetDir, 'debug', 'flow-server');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts flow-server (with its demo host when `demo`); resolves once it accepts requests. */
export async function startFlowServer({ technologies = 'MRZ', demo = false } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-e2e-'));
  const flow = JSON.parse(execFileSync(binary, [
    'flows', 'create', '--data-dir', dataDir, '--technologies', technologies,
  ], { encoding: 'utf8' }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [
    'serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dataDir,
    '--widget-dir', join(repoRoot, 'dist'), ...(demo ? ['--demo'] : []),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  // The server prints its address once it listens: no polling, no sleeping.
  await new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      if (out.includes('listening on')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`flow-server exited ${code}: ${out}`)));
  });

  async function createSession(body = {}) {
    const res = await fetch(`${url}/api/v1/flows/session/create/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: flow.api_key, ...body }),
    });
    if (res.status !== 200) throw new Error(`session/create answered ${res.status}`);
    return (await res.json()).session_id;
  }

  async function close() {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { url, flow, createSession, close };
}
