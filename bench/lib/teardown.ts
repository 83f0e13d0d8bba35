/**
 * Cleanup that always runs: steps are registered as resources are made and run
 * once, newest first, at the end of a bench, after an error, or on SIGINT/SIGTERM.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One cleanup step. */
interface Step {
  readonly label: string;
  readonly run: () => Promise<unknown> | unknown;
}

/** A LIFO stack of cleanup steps that runs at most once. */
export class Teardown {
  private readonly steps: Step[] = [];
  private running: Promise<void> | undefined;

  /** Registers a step; it runs before every step registered earlier. */
  add(label: string, run: () => Promise<unknown> | unknown): void {
    if (this.running) throw new Error(`teardown already running; cannot add "${label}"`);
    this.steps.push({ label, run });
  }

  /** Runs every step, newest first. A failing step is reported and the others still run. Idempotent. */
  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<void> {
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (err) {
        process.stderr.write(`bench: cleanup "${step.label}" failed: ${(err as Error).message}\n`);
      }
    }
  }
}

/**
 * Runs `teardown` and exits on SIGINT/SIGTERM instead of dying with resources
 * left behind. A second signal while cleaning up is ignored (and says so).
 * @returns a function that removes the handlers.
 */
export function cleanUpOnSignals(teardown: Teardown): () => void {
  let signalled = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (signalled) {
      process.stderr.write(`bench: ${signal} again; still cleaning up, please wait\n`);
      return;
    }
    signalled = true;
    process.stderr.write(`bench: ${signal}: cleaning up\n`);
    void teardown.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', handler).on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler).off('SIGTERM', handler);
  };
}

/** A fresh temp directory (e.g. the server's archive dir, so a bench never writes into the checkout), removed at teardown. */
export function scratchDir(teardown: Teardown, prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  teardown.add(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A bench's entry point: runs `run` with a teardown that always runs (also on
 * SIGINT/SIGTERM), then exits 0 when it reported no failed check, else 1.
 * @param run returns the failed checks (empty when all passed).
 */
export function runBench(run: (teardown: Teardown) => Promise<string[]>): void {
  const teardown = new Teardown();
  const removeSignalHandlers = cleanUpOnSignals(teardown);
  const main = async (): Promise<void> => {
    let failed: string[];
    try {
      failed = await run(teardown);
    } finally {
      process.stderr.write('bench: cleaning up\n');
      await teardown.run();
      removeSignalHandlers();
    }
    if (failed.length) throw new Error(`FAILED:\n  ${failed.join('\n  ')}`);
  };
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
