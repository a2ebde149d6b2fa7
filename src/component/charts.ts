/**
 * Small SVG charts rendered as Lit templates (no chart library), and the training progress every element
 * shows (progressBar, lossCurve). All text goes through Lit's escaping.
 */
import { html, nothing, svg, type TemplateResult } from 'lit';
import type { BatchEndInfo } from '../layers/fit-loop';

export interface Series {
  name: string;
  values: Array<number | null>;
  color: string;
  /** x position of value i (defaults to i). */
  xs?: number[];
}

/** A line chart of several series over a shared x axis; `yMax` fixes the top (e.g. 1 for accuracy). */
export function lineChart(title: string, series: Series[], opts: { yMin?: number; yMax?: number; xLabel?: string; width?: number } = {}): TemplateResult {
  const W = opts.width ?? 320;
  const H = 160;
  const pad = { l: 36, r: 8, t: 8, b: 22 };
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const xsAll = series.flatMap((s) => s.xs ?? s.values.map((_, i) => i));
  const xMax = Math.max(1, ...xsAll);
  const yMin = opts.yMin ?? (all.length ? Math.min(...all) : 0);
  const yMax = opts.yMax ?? (all.length ? Math.max(...all) : 1);
  const span = yMax - yMin || 1;
  const x = (v: number) => pad.l + (v / xMax) * (W - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - yMin) / span) * (H - pad.t - pad.b);
  const lines = series.map((s) => {
    const pts = s.values
      .map((v, i) => (v === null || !Number.isFinite(v) ? null : `${x(s.xs?.[i] ?? i).toFixed(1)},${y(v).toFixed(1)}`))
      .filter((p) => p !== null)
      .join(' ');
    // Epoch-level series get a marker per point, so a single epoch is visible too.
    const dots =
      s.values.length <= 50
        ? s.values.map((v, i) => (v === null || !Number.isFinite(v) ? null : svg`<circle cx=${x(s.xs?.[i] ?? i).toFixed(1)} cy=${y(v).toFixed(1)} r="3" fill=${s.color} />`))
        : [];
    return svg`<polyline points=${pts} fill="none" stroke=${s.color} stroke-width=${s.values.length > 200 ? 1 : 2} />${dots}`;
  });
  return html`<figure class="chart" part="chart">
    <figcaption>${title}</figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${title}>
      <line x1=${pad.l} y1=${H - pad.b} x2=${W - pad.r} y2=${H - pad.b} stroke="currentColor" stroke-opacity="0.3" />
      <line x1=${pad.l} y1=${pad.t} x2=${pad.l} y2=${H - pad.b} stroke="currentColor" stroke-opacity="0.3" />
      <text x="2" y=${pad.t + 8} font-size="10" fill="currentColor">${yMax.toFixed(2)}</text>
      <text x="2" y=${H - pad.b} font-size="10" fill="currentColor">${yMin.toFixed(2)}</text>
      <text x=${W - pad.r} y=${H - 6} font-size="10" text-anchor="end" fill="currentColor">${opts.xLabel ?? ''} ${Number.isInteger(xMax) ? xMax : xMax.toFixed(1)}</text>
      ${lines}
    </svg>
    <div class="legend">${series.map((s) => html`<span><i style="background:${s.color}"></i>${s.name}</span>`)}</div>
  </figure>`;
}

/** Horizontal bars for class balance. */
export function bars(counts: Record<string, number>): TemplateResult {
  const entries = Object.entries(counts).sort((a, b) => a[0].localeCompare(b[0]));
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return html`<div class="bars" part="class-balance">
    ${entries.map(
      ([label, n]) => html`<div class="bar-row">
        <span class="bar-label">${label}</span>
        <span class="bar" style="width:${((100 * n) / max).toFixed(1)}%"></span>
        <span class="bar-value">${n}</span>
      </div>`,
    )}
  </div>`;
}

/** Confusion matrix as a heatmap table (rows: true class, columns: predicted). */
export function heatmap(labels: string[], m: number[][]): TemplateResult {
  const max = Math.max(1, ...m.flat());
  return html`<table class="heatmap" part="confusion-matrix">
    <thead>
      <tr>
        <th scope="col">true \\ predicted</th>
        ${labels.map((l) => html`<th scope="col">${l}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${m.map(
        (row, i) => html`<tr>
          <th scope="row">${labels[i]}</th>
          ${row.map((v) => {
            const a = v / max;
            return html`<td style="background: rgba(37, 99, 235, ${(0.08 + 0.85 * a).toFixed(3)}); color: ${a > 0.55 ? 'white' : 'inherit'}">${v}</td>`;
          })}
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Seconds as people read them ("2 min 5 s", "40 s"). */
export function duration(s: number): string {
  if (!Number.isFinite(s)) return '…';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** A loss as people read it: four decimals, or three significant digits when it is small (a scaled MSE). */
export const formatLoss = (v: number): string => (Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(3));

export interface ProgressOptions {
  /** Optimizer steps per epoch: count steps ("step 40 of 600") instead of epochs and batches. */
  stepsPerEpoch?: number;
  /** Show the running accuracy (classifiers). */
  accuracy?: boolean;
}

/** The live progress of a training run: a bar, and what the last batch said (the same in every element). */
export function progressBar(p: BatchEndInfo, o: ProgressOptions = {}): TemplateResult {
  const done = (p.epoch - 1 + p.batch / p.batches) / p.epochs;
  const where = o.stepsPerEpoch
    ? `step ${(p.epoch - 1) * o.stepsPerEpoch + p.batch} of ${p.epochs * o.stepsPerEpoch}`
    : `epoch ${p.epoch}/${p.epochs} · batch ${p.batch}/${p.batches}`;
  return html`<div part="progress" class="progress" data-testid="progress">
    <progress max="1" .value=${done}></progress>
    <span
      >${where} · loss ${formatLoss(p.loss)}${o.accuracy ? ` · accuracy ${p.accuracy.toFixed(3)}` : ''} · ${p.sequencesPerSecond.toFixed(0)} seq/s · ETA
      ${duration(p.etaSeconds)}</span
    >
  </div>`;
}

/** The progress bar while training, else `note` in its place (how the last run ended), else nothing. */
export function progressOrNote(p: BatchEndInfo | null, note: string, o: ProgressOptions = {}): TemplateResult | typeof nothing {
  if (p) return progressBar(p, o);
  return note ? html`<p part="progress" class="progress" data-testid="progress">${note}</p>` : nothing;
}

export interface LossCurve {
  /** The running training loss after each batch. */
  batchLosses: readonly number[];
  /** Per epoch (or validation interval): the epoch's training loss and the validation loss. */
  epochs: ReadonlyArray<{ epoch: number; loss: number; valLoss: number | null }>;
  /** The batch in progress, to place the batch curve while training; null: after training. */
  progress: BatchEndInfo | null;
  /** The x axis: epochs (1 per epoch, the default) or steps (the steps per epoch). */
  xPerEpoch?: number;
  xLabel?: string;
  title?: string;
  width?: number;
}

/** The loss curves every element draws: the running batch loss, each epoch's training loss, and validation. */
export function lossCurve(c: LossCurve): TemplateResult {
  const per = c.xPerEpoch ?? 1;
  const p = c.progress;
  // Where the batch curve ends: the batch in progress, or the last epoch once training is over.
  const span = (p ? p.epoch - 1 + p.batch / p.batches : Math.max(1, c.epochs.at(-1)?.epoch ?? 1)) * per;
  const n = Math.max(1, c.batchLosses.length);
  const epochX = c.epochs.map((e) => e.epoch * per);
  return lineChart(
    c.title ?? 'Loss',
    [
      { name: 'train (per batch, running)', values: [...c.batchLosses], color: '#93c5fd', xs: c.batchLosses.map((_, i) => ((i + 1) / n) * span) },
      { name: 'train (epoch)', values: c.epochs.map((e) => e.loss), color: '#2563eb', xs: epochX },
      { name: 'validation', values: c.epochs.map((e) => e.valLoss), color: '#dc2626', xs: epochX },
    ],
    { yMin: 0, xLabel: c.xLabel ?? 'epoch', ...(c.width ? { width: c.width } : {}) },
  );
}
