/**
 * The progress line the CLI's training commands print per batch: one line rewritten in place on a
 * terminal, one line per tenth of an epoch otherwise (logs stay short).
 */
import type { BatchEndInfo } from '../layers/fit-loop';

export function bar(frac: number, width = 28): string {
  const n = Math.round(Math.max(0, Math.min(1, frac)) * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

export function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

/** `batch(b, stats)` after each batch (stats: e.g. "loss 0.1234  acc 0.5"), `epochEnd()` before the epoch's summary line. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY;
  let lastPrinted = -1;
  return {
    batch(b: BatchEndInfo, stats: string): void {
      const line = `epoch ${b.epoch}/${b.epochs} ${bar(b.batch / b.batches)} ${b.batch}/${b.batches}  ${stats}  ${b.sequencesPerSecond.toFixed(0)} seq/s  ETA ${duration(b.etaSeconds)}`;
      if (tty) stream.write(`\r${line}`);
      else {
        const decile = Math.floor((10 * b.batch) / b.batches);
        if (decile !== lastPrinted) {
          lastPrinted = decile;
          stream.write(`${line}\n`);
        }
      }
    },
    epochEnd(): void {
      if (tty) stream.write('\n');
      lastPrinted = -1;
    },
  };
}
