/**
 * Prediction's input projections as table lookups. In a model whose first layer is an Embedding (matrix
 * E, [V, D]) and whose first recurrent layer reads the embedding's output unchanged — only layers that
 * are the identity at inference (Dropout, SpatialDropout1D) in between — each row of X·Wx is a row of
 * E·Wx ([V, G]): the table of that token. With the tables, a prediction's input GEMM (a third of an LSTM
 * layer's multiply-adds at the notebook's sizes) becomes a gather of rows.
 *
 * The tables are the GEMM E·Wx itself, run by the same kernel over the same K in the same order as the
 * input GEMM it replaces, so a prediction gives the same numbers either way (tests/token-tables.test.ts).
 * They hold while the weights do (ParameterStore.version). Building them costs a GEMM over V rows, so a
 * model builds them only once predictions at the same weights have sent V token rows through the GEMM
 * (rent or buy: never more than twice the cost of the better choice in hindsight) — at once for a call
 * that projects V rows by itself (the test split), after a hundred or so single sentences of 20 tokens
 * at the notebook's vocabulary of 2000.
 */
import type { Engine } from '../engine/engine';
import type { ParameterStore } from '../engine/parameters';
import type { Slice, Tensor } from '../engine/tensor';
import { gemm } from '../ops/matmul';
import type { Graph } from './built';
import { recurrentOf } from './kinds/cells';

/** Layers that pass their input through unchanged at inference. */
const IDENTITY_AT_INFERENCE: ReadonlySet<string> = new Set(['Dropout', 'SpatialDropout1D']);
/** All tables of a model together stay under this (a vocabulary of 20,000 and 4·196 columns is 63 MB). */
const MAX_TABLE_BYTES = 64 * 1024 * 1024;

/** The embedding and the kernels (Wx) whose products a model's predictions can look up. */
interface TablePlan {
  embeddings: string;
  V: number;
  D: number;
  /** Parameter names of each direction's Wx ([D, G]) and G. */
  kernels: Array<{ name: string; G: number }>;
}

/** What a graph allows: null when its first recurrent layer does not read an embedding's output directly. */
export function tablePlan(graph: Graph): TablePlan | null {
  const first = graph.layers[0];
  if (!first || first.layer.className !== 'Embedding') return null;
  let i = 1;
  while (i < graph.layers.length && IDENTITY_AT_INFERENCE.has(graph.layers[i]!.layer.className)) i++;
  const rec = graph.layers[i];
  if (!rec || !recurrentOf(rec.layer)) return null;
  const [V, D] = first.weights[0]!.shape as [number, number];
  const kernels = rec.weights.filter((w) => w.name.endsWith('/kernel') && w.shape[0] === D).map((w) => ({ name: w.name, G: w.shape[1]! }));
  return kernels.length > 0 ? { embeddings: first.weights[0]!.name, V, D, kernels } : null;
}

export class TokenTables {
  private readonly plan: TablePlan | null;
  /** One [V, G] table per kernel, by the kernel's parameter name. */
  private readonly tables = new Map<string, Slice>();
  /** The weights' version the tables hold (−1: never built). */
  private builtAt = -1;
  /** Token rows projected through the GEMM at `spentAt`'s weights. */
  private spent = 0;
  private spentAt = -1;

  constructor(
    private readonly engine: Engine,
    private readonly params: ParameterStore,
    graph: Graph,
  ) {
    const plan = tablePlan(graph);
    const bytes = plan ? plan.kernels.reduce((s, k) => s + plan.V * k.G * 4, 0) : 0;
    const { maxStorageBufferBindingSize, maxComputeWorkgroupsPerDimension } = engine.device.limits;
    // The GEMM that builds a table tiles its V rows by 16 at the finest (gpu tuning, matmul_tiled).
    const fits = (k: { G: number }) => plan!.V * k.G * 4 <= maxStorageBufferBindingSize && Math.ceil(plan!.V / 16) <= maxComputeWorkgroupsPerDimension;
    this.plan = plan && bytes <= MAX_TABLE_BYTES && plan.kernels.every(fits) ? plan : null;
  }

  /** Whether this model's predictions can use tables at all. */
  get applies(): boolean {
    return this.plan !== null;
  }

  /**
   * Before the steps of a prediction that sends `rows` token rows through the first recurrent layer's
   * input projection: build the tables (one step of their own, submitted ahead of the prediction's)
   * when they are out of date and the rule above says so.
   */
  prepare(rows: number): void {
    const plan = this.plan;
    const version = this.params.version;
    if (!plan || this.builtAt === version) return;
    if (this.spentAt !== version) {
      this.spentAt = version;
      this.spent = 0;
    }
    this.spent += rows;
    if (this.spent < plan.V) return;
    const step = this.engine.beginStep({ grad: false, label: 'token tables' });
    try {
      const E = this.params.get(plan.embeddings).data;
      for (const k of plan.kernels) {
        let table = this.tables.get(k.name);
        if (!table) this.tables.set(k.name, (table = this.engine.allocate(plan.V * k.G, `token table ${k.name}`)));
        gemm(step, { a: E, b: this.params.get(k.name).data, c: table, M: plan.V, N: k.G, K: plan.D });
      }
      step.submit();
    } catch (e) {
      step.abort();
      throw e;
    }
    this.builtAt = version;
  }

  /** The table of kernel `wx` ([V, G]: row v is E[v]·Wx) at the current weights, or null. */
  lookup(wx: Tensor): Slice | null {
    return this.builtAt === this.params.version ? (this.tables.get(wx.name) ?? null) : null;
  }

  destroy(): void {
    for (const t of this.tables.values()) this.engine.release(t);
    this.tables.clear();
    this.builtAt = -1;
  }
}
