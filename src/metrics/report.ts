/**
 * Accuracy, confusion matrix and a classification report with scikit-learn's numbers and layout
 * (precision, recall, F1, support per class; accuracy; macro and weighted averages). A zero division
 * (no predictions of a class, or no true rows) counts as 0.0, as sklearn's default does.
 */
export interface ClassScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  classes: ClassScores[];
  accuracy: number;
  macroAvg: Omit<ClassScores, 'label'>;
  weightedAvg: Omit<ClassScores, 'label'>;
  /** confusion[true][predicted] */
  confusion: number[][];
  total: number;
}

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  if (yTrue.length !== yPred.length) throw new Error(`confusionMatrix: ${yTrue.length} true labels vs ${yPred.length} predictions`);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]!]![yPred[i]!]!++;
  return m;
}

const div = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function classificationReport(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, labelNames: readonly string[]): ClassificationReport {
  const n = labelNames.length;
  const confusion = confusionMatrix(yTrue, yPred, n);
  const total = yTrue.length;
  const classes = labelNames.map((label, c) => {
    const tp = confusion[c]![c]!;
    const predicted = confusion.reduce((s, row) => s + row[c]!, 0);
    const support = confusion[c]!.reduce((s, v) => s + v, 0);
    const precision = div(tp, predicted);
    const recall = div(tp, support);
    const f1 = div(2 * precision * recall, precision + recall);
    return { label, precision, recall, f1, support };
  });
  const correct = labelNames.reduce((s, _, c) => s + confusion[c]![c]!, 0);
  const avg = (w: (c: ClassScores) => number) => {
    const wsum = classes.reduce((s, c) => s + w(c), 0);
    const mean = (k: 'precision' | 'recall' | 'f1') => div(classes.reduce((s, c) => s + w(c) * c[k], 0), wsum);
    return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: total };
  };
  return { classes, accuracy: div(correct, total), macroAvg: avg(() => 1), weightedAvg: avg((c) => c.support), confusion, total };
}

/**
 * `v` with `digits` decimals as Python's format(v, '.Nf') writes it: rounded from the double's exact
 * binary value, ties to even. (JavaScript's toFixed rounds exact ties up: 0.625 → "0.63", Python "0.62".)
 * toFixed(100) gives the exact expansion of every double ≥ 2⁻⁴⁸; anything smaller rounds to zero anyway.
 */
export function formatFixed(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  const negative = v < 0 || Object.is(v, -0);
  const exact = Math.abs(v).toFixed(100);
  const [whole, frac] = exact.split('.') as [string, string];
  const kept = whole + frac.slice(0, digits);
  const rest = frac.slice(digits);
  let roundUp = rest[0]! > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1)));
  if (rest[0] === '5' && !/[1-9]/.test(rest.slice(1))) roundUp = Number(kept[kept.length - 1]) % 2 === 1; // an exact tie: to even
  let n = BigInt(kept);
  if (roundUp) n += 1n;
  const s = n.toString().padStart(digits + 1, '0');
  const out = digits > 0 ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return negative && /[1-9]/.test(out) ? `-${out}` : out;
}

/** The text sklearn.metrics.classification_report prints (digits = 2 by default). */
export function formatReport(r: ClassificationReport, digits = 2): string {
  const width = Math.max('weighted avg'.length, digits, ...r.classes.map((c) => c.label.length));
  const num = (v: number) => formatFixed(v, digits).padStart(9);
  const row = (name: string, s: Omit<ClassScores, 'label'>) => `${name.padStart(width)}  ${num(s.precision)} ${num(s.recall)} ${num(s.f1)} ${String(s.support).padStart(9)}\n`;
  let out = `${''.padStart(width)}  ${'precision'.padStart(9)} ${'recall'.padStart(9)} ${'f1-score'.padStart(9)} ${'support'.padStart(9)}\n\n`;
  for (const c of r.classes) out += row(c.label, c);
  out += '\n';
  out += `${'accuracy'.padStart(width)}  ${''.padStart(9)} ${''.padStart(9)} ${num(r.accuracy)} ${String(r.total).padStart(9)}\n`;
  out += row('macro avg', r.macroAvg);
  out += row('weighted avg', r.weightedAvg);
  return out;
}

/** The confusion matrix as a small text table (rows: true class, columns: predicted). */
export function formatConfusion(r: ClassificationReport): string {
  const names = r.classes.map((c) => c.label);
  const corner = 'true \\ predicted';
  const first = Math.max(corner.length, ...names.map((n) => n.length)) + 2;
  const w = Math.max(...names.map((n) => n.length), ...r.confusion.flat().map((v) => String(v).length)) + 2;
  let out = `${corner.padEnd(first)}${names.map((n) => n.padStart(w)).join('')}\n`;
  r.confusion.forEach((row, i) => {
    out += `${names[i]!.padEnd(first)}${row.map((v) => String(v).padStart(w)).join('')}\n`;
  });
  return out;
}
