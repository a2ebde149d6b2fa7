// What rnn_sequence_forward.wgsl and rnn_sequence_backward.wgsl share: the cell arithmetic on 4 units
// per value, the bound on rows per workgroup, and the recurrent-dropout mask. The including kernel
// declares `override ROWS`, `rmask: array<vec4f>` and a uniform `p` with fields H and useRMask.

alias Cell = vec4f;
#include "rnn_cell"

const MAX_ROWS: u32 = 4u; // function-scope arrays need a constant size; loops run to ROWS

// The recurrent-dropout mask of row b, units 4q … 4q+3 (ones without one).
fn recurrentMask(b: u32, q: u32) -> vec4f {
  if (p.useRMask != 0u) { return rmask[b * (p.H / 4u) + q]; }
  return vec4f(1.0);
}
