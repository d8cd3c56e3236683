/**
 * `onevisit serve` as a child process (`node dist/src/cli/main.js serve`), configured through its environment
 * as an operator would: start it, wait until it answers or exits, stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../src/store/index.js';

export const CLI_MAIN = path.join(projectRoot(), 'dist', 'src', 'cli', 'main.js');

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (null after a signal) once the process has ended. */
  exited: Promise<number | null>;
  /** The status of GET /api/v1/services once the server answers, or `exited <code>` if the process ends first. */
  ready(): Promise<number | string>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const running = new Set<ServeProcess>();

/** Stops every child still running (an afterEach hook: a test that timed out never reached its own cleanup). */
export async function stopAllServes(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

export function startServe(env: Record<string, string>, port: number): ServeProcess {
  const child = spawn(process.execPath, [CLI_MAIN, 'serve'], {
    env: { ...process.env, ONEVISIT_DEMO: '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      running.delete(self);
      resolve(code);
    });
  });
  const self: ServeProcess = {
    child,
    port,
    stdout: () => out,
    stderr: () => err,
    exited,
    async ready() {
      for (;;) {
        if (exitCode !== undefined) return `exited ${exitCode}`;
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/services`);
          await res.arrayBuffer();
          return res.status;
        } catch {
          // Not listening yet; poll again unless it has gone.
          await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 50))]);
        }
      }
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      // One that does not end on SIGTERM (the failure this helper exists to catch) is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(self);
  return self;
}
