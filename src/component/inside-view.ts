/**
 * "Inside the model" in <lstm-trainer>: heatmaps (units × words) of what one recurrent layer computed
 * for the sentence in the try-it box — an LSTM's forget, input and output gates and its cell state; a
 * GRU's update and reset gates, candidate and h; a SimpleRNN's h — with the units ordered by how hard
 * they push toward the predicted class, a caption per view that names what the user is looking at, and
 * one unit's c and h plotted across the words. Render functions only: the data comes from the Worker
 * (TrainerActions.inspect), the small view state (which layer, all units or the top ones, which unit)
 * lives in the element.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { lineChart } from './charts';
import type { ModelInside } from './trainer-types';

/** Units shown until "show all" is pressed (the strongest first). */
export const TOP_UNITS = 16;

type Cell = ModelInside['layers'][number]['cell'];
type Layer = ModelInside['layers'][number];

/** How a value is coloured: a gate in [0, 1] from white to blue; a signed state blue (−) … red (+). */
type Scale = 'gate' | 'signed';

interface ViewSpec {
  name: string;
  title: string;
  scale: Scale;
}

/** The views each cell gets, in the order shown. */
export const INSIDE_VIEWS: Readonly<Record<Cell, readonly ViewSpec[]>> = {
  LSTM: [
    { name: 'f', title: 'Forget gate f', scale: 'gate' },
    { name: 'i', title: 'Input gate i', scale: 'gate' },
    { name: 'o', title: 'Output gate o', scale: 'gate' },
    { name: 'c', title: 'Cell state c', scale: 'signed' },
  ],
  GRU: [
    { name: 'z', title: 'Update gate z', scale: 'gate' },
    { name: 'r', title: 'Reset gate r', scale: 'gate' },
    { name: 'candidate', title: 'Candidate h̃', scale: 'signed' },
    { name: 'h', title: 'Hidden state h', scale: 'signed' },
  ],
  SimpleRNN: [{ name: 'h', title: 'Hidden state h', scale: 'signed' }],
};

/** What the element keeps of the view between renders. */
export interface InsideState {
  /** Index into `layers` (a layer and direction). */
  layer: number;
  showAll: boolean;
  /** The unit whose c and h are plotted; null: none. */
  unit: number | null;
}

/** A column of the heatmaps: a word that the model read, and its timestep. */
export interface InsideColumn {
  word: string;
  step: number;
}

/** One column per word in the sequence (words out of the vocabulary or cut by the length are not read: no column). */
export function insideColumns(d: ModelInside, layer: Layer): InsideColumn[] {
  return d.tokens.filter((t): t is { word: string; id: number; step: number } => t.step !== null && !layer.masked[t.step]).map((t) => ({ word: t.word, step: t.step }));
}

/** The layer shown first: the one influence ranks (its first direction), else the last one. */
export function defaultInsideLayer(d: ModelInside): number {
  const top = d.influence[0];
  const i = top ? d.layers.findIndex((l) => l.layer === top.layer) : -1;
  return i >= 0 ? i : d.layers.length - 1;
}

/**
 * The units of `layer` in the order shown: by |influence| for the layer the classifier reads; for a
 * lower layer (which influence does not rank) by how much their h varies over the words.
 */
export function unitOrder(d: ModelInside, layer: Layer, cols: readonly InsideColumn[]): { units: number[]; ranked: boolean } {
  const own = d.influence.filter((u) => u.layer === layer.layer && u.direction === layer.direction);
  if (own.length === layer.units) return { units: own.map((u) => u.unit), ranked: true };
  const h = layer.values.h!;
  const H = layer.units;
  const spread = Array.from({ length: H }, (_, j) => {
    const v = cols.map((c) => h[c.step * H + j]!);
    const m = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
    return v.reduce((a, b) => a + (b - m) ** 2, 0);
  });
  return { units: spread.map((_, j) => j).sort((a, b) => spread[b]! - spread[a]!), ranked: false };
}

/** Blue (negative) … white (0) … red (positive), |v| ≥ scale at full strength. */
export function divergingColor(v: number, scale: number): string {
  const a = Math.min(1, Math.abs(v) / (scale || 1));
  return v >= 0 ? `rgba(220, 38, 38, ${a.toFixed(3)})` : `rgba(37, 99, 235, ${a.toFixed(3)})`;
}

/** White (0) … blue (1), for gates. */
export function gateColor(v: number): string {
  return `rgba(37, 99, 235, ${Math.min(1, Math.max(0, v)).toFixed(3)})`;
}

const fmt = (v: number) => (Math.abs(v) >= 0.001 || v === 0 ? v.toFixed(3) : v.toExponential(2));

/** The value of `name` at column `col`, averaged over `units`. */
function meanAt(layer: Layer, name: string, col: InsideColumn, units: readonly number[]): number {
  const v = layer.values[name]!;
  let s = 0;
  for (const j of units) s += v[col.step * layer.units + j]!;
  return s / Math.max(1, units.length);
}

/** The columns where the units' mean of `name` is lowest and highest. */
function extremes(layer: Layer, name: string, cols: readonly InsideColumn[], units: readonly number[]) {
  let lo = 0, hi = 0;
  const m = cols.map((c) => meanAt(layer, name, c, units));
  m.forEach((v, k) => {
    if (v < m[lo]!) lo = k;
    if (v > m[hi]!) hi = k;
  });
  return { lo: { word: cols[lo]!.word, v: m[lo]! }, hi: { word: cols[hi]!.word, v: m[hi]! } };
}

/** The column where `name` moved most from the word before (mean |Δ| over the units); the first word counts from 0. */
function biggestChange(layer: Layer, name: string, cols: readonly InsideColumn[], units: readonly number[]): { word: string; v: number } {
  const v = layer.values[name]!;
  const H = layer.units;
  let best = { word: cols[0]!.word, v: -1 };
  cols.forEach((c, k) => {
    let s = 0;
    for (const j of units) s += Math.abs(v[c.step * H + j]! - (k > 0 ? v[cols[k - 1]!.step * H + j]! : 0));
    s /= Math.max(1, units.length);
    if (s > best.v) best = { word: c.word, v: s };
  });
  return best;
}

const q = (w: string) => `“${w}”`;

/** What a view shows, in a sentence or three, tied to this sentence's numbers (over the units shown). */
export function insideCaption(cell: Cell, name: string, layer: Layer, cols: readonly InsideColumn[], units: readonly number[], label: string): string {
  if (cols.length === 0) return '';
  const e = extremes(layer, name, cols, units);
  const ch = () => biggestChange(layer, name, cols, units);
  const many = cols.length > 1;
  // What the classifier reads: h after the last word — the first column for a direction that read the sentence backwards.
  const read = layer.direction === 'backward' ? 'first column (this direction reads the sentence backwards)' : 'last column';
  switch (`${cell}/${name}`) {
    case 'LSTM/f':
      return `The forget gate decides, word by word, how much of each unit's cell state is carried on: 1 keeps all of it, 0 wipes it. ${
        many ? `Here the units shown keep least at ${q(e.lo.word)} (mean f = ${fmt(e.lo.v)}) and most at ${q(e.hi.word)} (${fmt(e.hi.v)}). ` : ''
      }A pale column is a reset: what the cell held before that word (the old subject, the mood so far) is being dropped — watch the cell state change colour there.`;
    case 'LSTM/i':
      return `The input gate decides how much of the new candidate each word writes into the cell state. It opens widest at ${q(e.hi.word)} (mean i = ${fmt(e.hi.v)})${
        many ? ` and least at ${q(e.lo.word)} (${fmt(e.lo.v)})` : ''
      }: a dark column is a word the model takes note of — the new subject being written after the old one was forgotten.`;
    case 'LSTM/o':
      return `The output gate decides how much of the cell state is shown as h: to the next word and, after the last word, to the classifier. It is most open at ${q(e.hi.word)} (mean o = ${fmt(e.hi.v)})${
        many ? ` and most closed at ${q(e.lo.word)} (${fmt(e.lo.v)})` : ''
      }. A unit can carry something in its cell state for a while and only let it out later.`;
    case 'LSTM/c': {
      const c = ch();
      return `The cell state is the conveyor belt that runs along the sentence: only the forget gate (removing) and the input gate (adding) change it, so what a unit holds can travel many words unchanged. Red is positive, blue negative. It moves most at ${q(
        c.word,
      )} (mean |Δc| = ${fmt(c.v)}). The top rows push hardest toward “${label}”: their colour in the ${read}, through the output gate, is what the classifier reads.`;
    }
    case 'GRU/z':
      return `The update gate mixes the old and the new: h = z·(h before) + (1 − z)·candidate. Near 1 a unit keeps what it had; near 0 it takes the candidate. The units shown rewrite themselves most at ${q(e.lo.word)} (mean z = ${fmt(e.lo.v)})${
        many ? ` and hold on most at ${q(e.hi.word)} (${fmt(e.hi.v)})` : ''
      } — the GRU's forget and input gates in one.`;
    case 'GRU/r':
      return `The reset gate decides how much of the previous h goes into the candidate: near 0 the candidate is computed as if the sentence started at this word. It is lowest at ${q(e.lo.word)} (mean r = ${fmt(e.lo.v)}).`;
    case 'GRU/candidate': {
      const c = ch();
      return `The candidate is what each unit would become from this word (and what the reset gate let through of the past); the update gate decides how much of it is taken. It swings most at ${q(c.word)} (mean |Δ| = ${fmt(c.v)}).`;
    }
    case 'GRU/h': {
      const c = ch();
      return `The hidden state is the GRU's only memory: the classifier reads its ${read}. It changes most at ${q(c.word)} (mean |Δh| = ${fmt(c.v)}); the top rows push hardest toward “${label}”.`;
    }
    default: {
      const c = ch();
      return `A SimpleRNN has no gates: its whole memory h is rewritten at every word from the word and the h before it, so nothing shields an early clue from being overwritten. It changes most at ${q(
        c.word,
      )} (mean |Δh| = ${fmt(c.v)}); the classifier reads the ${read}, and the top rows push hardest toward “${label}”.`;
    }
  }
}

export interface InsideActions {
  set(patch: Partial<InsideState>): void;
}

/** The heatmap of one view: a row per unit (the row header picks the unit), a column per word. */
function heatmapOf(view: ViewSpec, layer: Layer, cols: readonly InsideColumn[], units: readonly number[], scores: Map<number, number> | null, s: InsideState, a: InsideActions, caption: string) {
  const v = layer.values[view.name]!;
  const H = layer.units;
  let scale = 1;
  if (view.scale === 'signed') {
    scale = 0;
    for (const j of units) for (const c of cols) scale = Math.max(scale, Math.abs(v[c.step * H + j]!));
  }
  return html`<figure class="inside-map" data-testid="inside-map" data-name=${view.name}>
    <figcaption><strong>${view.title}</strong> <span class="scale">${view.scale === 'gate' ? 'white 0 … blue 1' : `blue −${fmt(scale)} … white 0 … red +${fmt(scale)}`}</span></figcaption>
    <div class="inside-scroll">
      <table class="units-words">
        <thead>
          <tr>
            <th class="corner">unit</th>
            ${cols.map((c) => html`<th class="word" scope="col"><span>${c.word}</span></th>`)}
          </tr>
        </thead>
        <tbody>
          ${units.map(
            (j) => html`<tr class=${s.unit === j ? 'selected' : ''}>
              <th scope="row">
                <button
                  class="unit"
                  data-unit=${j}
                  title=${`unit ${j}${scores ? ` · push toward the predicted class ${fmt(scores.get(j) ?? 0)}` : ''} · click to plot its values across the words`}
                  @click=${() => a.set({ unit: s.unit === j ? null : j })}
                >
                  ${j}
                </button>
              </th>
              ${cols.map((c) => {
                const x = v[c.step * H + j]!;
                return html`<td data-v=${x} title=${`unit ${j} · “${c.word}” · ${view.name} = ${fmt(x)}`} style="background:${view.scale === 'gate' ? gateColor(x) : divergingColor(x, scale)}"></td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <p class="caption">${caption}</p>
  </figure>`;
}

/** One unit's c and h (what the cell has of them) across the words. */
function unitChart(layer: Layer, cols: readonly InsideColumn[], j: number): TemplateResult {
  const H = layer.units;
  const colors: Record<string, string> = { c: '#dc2626', h: '#2563eb', candidate: '#16a34a' };
  const names = layer.cell === 'LSTM' ? ['c', 'h'] : layer.cell === 'GRU' ? ['h', 'candidate'] : ['h'];
  const series = names.map((n) => ({ name: n === 'candidate' ? 'candidate h̃' : n, values: cols.map((c) => layer.values[n]![c.step * H + j]!), color: colors[n]! }));
  return html`<div class="unit-chart" data-testid="inside-unit" data-unit=${j}>
    ${lineChart(`Unit ${j}: ${names.map((n) => (n === 'candidate' ? 'h̃' : n)).join(' and ')} across the words`, series, { xLabel: 'word', width: 480 })}
    <p class="words-axis">${cols.map((c, k) => html`<span><b>${k}</b> ${c.word}</span> `)}</p>
  </div>`;
}

/** The whole section: the layer picker, the views, the chosen unit's chart. */
export function renderInside(d: ModelInside, s: InsideState, a: InsideActions): TemplateResult {
  const layer = d.layers[s.layer] ?? d.layers[defaultInsideLayer(d)]!;
  const cols = insideColumns(d, layer);
  if (cols.length === 0) {
    return html`<p class="hint" data-testid="inside-empty">None of these words is in the model's vocabulary: it read nothing but padding.</p>`;
  }
  const { units: ordered, ranked } = unitOrder(d, layer, cols);
  const units = s.showAll ? ordered : ordered.slice(0, TOP_UNITS);
  const scores = ranked ? new Map(d.influence.filter((u) => u.layer === layer.layer && u.direction === layer.direction).map((u) => [u.unit, u.score])) : null;
  const dropped = d.tokens.filter((t) => t.step === null).map((t) => t.word);
  const views = INSIDE_VIEWS[layer.cell];
  return html`<div class="inside-body">
    <p class="inside-lead">
      ${d.layers.length > 1
        ? html`<label class="inline"
            >Layer
            <select data-testid="inside-layer" @change=${(e: Event) => a.set({ layer: Number((e.target as HTMLSelectElement).value), unit: null })}>
              ${d.layers.map((l, i) => html`<option value=${i} .selected=${i === s.layer}>${l.layer} (${l.cell}, ${l.direction})</option>`)}
            </select></label
          >`
        : html`<span>${layer.layer} (${layer.cell}${layer.direction === 'backward' ? ', backward' : ''}), ${layer.units} units.</span>`}
      ${ranked
        ? html`Rows: the units that push hardest toward “${d.label}” first (output weight × h after the last word).`
        : html`Rows: the units whose h varies most over the words first (the classifier reads another layer).`}
      Hover a cell for its unit, word and value; click a unit's number to plot it.
      ${dropped.length ? html`<span class="hint">Not read (outside the vocabulary or the sequence length): ${dropped.map((w) => `“${w}”`).join(', ')}.</span>` : nothing}
    </p>
    <div class="actions">
      ${ordered.length > TOP_UNITS
        ? html`<button data-testid="inside-all" @click=${() => a.set({ showAll: !s.showAll })}>
            ${s.showAll ? `Show the top ${TOP_UNITS} units` : `Show all ${ordered.length} units`}
          </button>`
        : nothing}
    </div>
    ${s.unit !== null && s.unit < layer.units ? unitChart(layer, cols, s.unit) : nothing}
    <div class="inside-maps">${views.map((v) => heatmapOf(v, layer, cols, units, scores, s, a, insideCaption(layer.cell, v.name, layer, cols, units, d.label)))}</div>
  </div>`;
}
