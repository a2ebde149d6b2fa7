/**
 * Node only: find which Vulkan driver gives Dawn an adapter, in a child process, so that what the
 * native side prints while it probes drivers it then rejects stays out of the user's terminal.
 *
 * Why a child: the Vulkan loader, Mesa's drivers and Dawn write straight to file descriptor 2 (for
 * example lavapipe's "error: XDG_RUNTIME_DIR is invalid…" and Dawn's "Warning: Vulkan
 * shaderUniform*ArrayDynamicIndexing required … at InitializeImpl"), which Node cannot redirect inside
 * its own process. The child tries the attempts in order, stops at the first that yields an adapter and
 * says which on stdout; its stderr is captured and kept, to be shown when no adapter is found or when
 * the user asks for it (`--verbose`, WEBGPU_LSTM_VERBOSE=1). The parent then opens only that driver,
 * which probes nothing else. Drivers that print only because XDG_RUNTIME_DIR is missing get one for the
 * instance's creation (withRuntimeDir), in the child and in the parent.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** One driver to try: an ICD file for VK_ICD_FILENAMES, or undefined for the loader's default search. */
export interface DawnAttempt {
  icd: string | undefined;
  label: string;
}

export interface DawnProbe {
  /** Index into the attempts of the first that gave an adapter, or -1. */
  chosen: number;
  /** Per attempt tried, what happened ('adapter: …', 'no adapter', or the error). */
  results: string[];
  /** Everything the native side printed on stderr while probing. */
  native: string;
}

/** The child's answer is the stdout line that starts with this (a driver may print on stdout too). */
const ANSWER = 'webgpu-lstm-probe:';

// Runs in the child: argv[1] is the `webgpu` module's URL, argv[2] the attempts and instance flags. Each
// Dawn instance is kept referenced while it is in use (without a live reference its waits can stall).
const CHILD = `
const [, url, spec] = process.argv;
const { attempts, flags, powerPreference } = JSON.parse(spec);
const dawn = await import(url);
Object.assign(globalThis, dawn.globals);
const instances = [];
const results = [];
let chosen = -1;
for (const [i, a] of attempts.entries()) {
  if (a.icd) process.env.VK_ICD_FILENAMES = a.icd; else delete process.env.VK_ICD_FILENAMES;
  try {
    const instance = dawn.create(flags);
    instances.push(instance);
    const adapter = await instance.requestAdapter({ powerPreference });
    if (adapter) { results.push('adapter: ' + (adapter.info?.description || adapter.info?.vendor || 'unnamed')); chosen = i; break; }
    results.push('no adapter');
  } catch (e) { results.push(String(e?.message ?? e)); }
}
process.stdout.write('${ANSWER}' + JSON.stringify({ chosen, results }) + '\\n');
process.exit(0);
`;

/** The URL of the `webgpu` module this process loads, so the child loads the same one. */
function webgpuUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
}

/**
 * Try the attempts in a child Node process. Rejects only if the child itself could not run or crashed
 * (its captured output in the message); "no driver works" is a result (chosen -1), not an error.
 */
export function probeDawn(attempts: DawnAttempt[], flags: string[], powerPreference: GPUPowerPreference): Promise<DawnProbe> {
  const spec = JSON.stringify({ attempts, flags, powerPreference });
  // The drivers do not change within a process: one probe per distinct question (a process that makes
  // many engines, like the test suite, pays for one child). A failed probe is not kept.
  let probe = probes.get(spec);
  if (!probe) {
    probe = runProbe(spec);
    probes.set(spec, probe);
    // Neither a failed probe nor "no driver works" is kept: the next acquisition looks again.
    probe.then((r) => r.chosen < 0 && probes.delete(spec)).catch(() => probes.delete(spec));
  }
  return probe;
}

const probes = new Map<string, Promise<DawnProbe>>();

function runProbe(spec: string): Promise<DawnProbe> {
  const env = { ...process.env };
  withRuntimeDir(env);
  return new Promise((resolve, reject) => {
    // The answer counts as soon as it is printed: a child that then stalls while Dawn and the drivers
    // tear down is not waited for (it is killed), and one that never answers is given up on.
    const child = spawn(process.execPath, ['--input-type=module', '--eval', CHILD, webgpuUrl(), spec], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      const line = stdout.split('\n').find((l) => l.startsWith(ANSWER));
      if (!line && !error) return; // not yet
      settled = true;
      clearTimeout(timer);
      child.kill();
      let parsed: { chosen: number; results: string[] } | null = null;
      try {
        parsed = line ? (JSON.parse(line.slice(ANSWER.length)) as { chosen: number; results: string[] }) : null;
      } catch {
        parsed = null;
      }
      if (parsed) resolve({ chosen: parsed.chosen, results: parsed.results, native: stderr });
      else reject(new Error(`the Vulkan driver probe (a child Node process) failed: ${error?.message ?? 'no answer'}${stderr.trim() ? `; it printed:\n${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => finish(new Error('no answer within 120 s')), 120_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      // Wait for the whole line: the answer ends with a line feed.
      if (stdout.includes(ANSWER) && stdout.slice(stdout.indexOf(ANSWER)).includes('\n')) finish(null);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => finish(e));
    // Output may still be in the pipes when the child exits: read the answer once they close.
    child.on('close', (code, signal) => finish(new Error(`it exited (${signal ?? `code ${code}`}) without an answer`)));
  });
}

/**
 * Vulkan drivers with window-system support (SwiftShader's, Mesa's) open a Wayland connection when an
 * instance is created, and libwayland prints "error: XDG_RUNTIME_DIR is invalid or not set" where that
 * variable is missing, as on servers and in containers. Give it what it asks for, a private directory
 * (no compositor there, so no connection is made), for the creation only; returns the undo.
 */
export function withRuntimeDir(env: NodeJS.ProcessEnv = process.env): () => void {
  const current = env.XDG_RUNTIME_DIR;
  if (current && isPrivateDir(current)) return () => {};
  const dir = path.join(os.tmpdir(), `webgpu-lstm-runtime-${process.getuid?.() ?? 'user'}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return () => {}; // no writable temporary directory: the drivers may say so, nothing else changes
  }
  if (!isPrivateDir(dir)) return () => {}; // someone else's or too open: leave the variable alone
  env.XDG_RUNTIME_DIR = dir;
  return () => {
    if (current === undefined) delete env.XDG_RUNTIME_DIR;
    else env.XDG_RUNTIME_DIR = current;
  };
}

/** What libwayland accepts as XDG_RUNTIME_DIR: an absolute path to a directory only its owner can use. */
function isPrivateDir(dir: string): boolean {
  try {
    const st = fs.statSync(dir);
    return path.isAbsolute(dir) && st.isDirectory() && (st.mode & 0o077) === 0 && (process.getuid === undefined || st.uid === process.getuid());
  } catch {
    return false;
  }
}
