/** `model.summary()`: Keras 3's table (layer and type, output shape, parameter count) and the totals. */
import { countParams, type Graph, type Shape } from './graph';
import { ruleOf } from './rules';

const WIDTHS = [33, 24, 15];

const kerasShape = (s: Shape) => `(${['None', ...s.map((d) => (d === null ? 'None' : String(d)))].join(', ')})`;
const thousands = (n: number) => n.toLocaleString('en-US');

/** Keras's readable size: bytes in B, KB, MB, GB (powers of 1024), two decimals. */
export function readableBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(2)} ${units[u]}`;
}

export function formatSummary(graph: Graph, name: string): string {
  const fit = (text: string, width: number, right = false) => {
    const t = text.length > width - 2 ? `${text.slice(0, width - 3)}…` : text;
    return right ? ` ${t.padStart(width - 2)} ` : ` ${t.padEnd(width - 2)} `;
  };
  const row = (cells: string[], bar: string) => `${bar}${cells.map((c, i) => fit(c, WIDTHS[i]!, i === 2)).join(bar)}${bar}`;
  const rule = (l: string, mid: string, r: string, fill: string) => `${l}${WIDTHS.map((w) => fill.repeat(w)).join(mid)}${r}`;
  const lines = [`Model: "${name}"`, rule('┏', '┳', '┓', '━'), row(['Layer (type)', 'Output Shape', 'Param #'], '┃'), rule('┡', '╇', '┩', '━')];
  graph.layers.forEach((b, i) => {
    const r = ruleOf(b.layer).summaryRow(b);
    lines.push(row([r.layer, kerasShape(r.outputShape), thousands(r.params)], '│'));
    if (i < graph.layers.length - 1) lines.push(rule('├', '┼', '┤', '─'));
  });
  lines.push(rule('└', '┴', '┘', '─'));
  const total = countParams(graph);
  lines.push(` Total params: ${thousands(total)} (${readableBytes(total * 4)})`);
  lines.push(` Trainable params: ${thousands(total)} (${readableBytes(total * 4)})`);
  lines.push(` Non-trainable params: 0 (${readableBytes(0)})`);
  return lines.join('\n');
}
