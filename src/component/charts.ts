/** Small SVG charts rendered as Lit templates (no chart library). All text goes through Lit's escaping. */
import { html, svg, type TemplateResult } from 'lit';

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
      <text x=${W - pad.r} y=${H - 6} font-size="10" text-anchor="end" fill="currentColor">${opts.xLabel ?? ''} ${xMax}</text>
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
