// The end of the vec4 GEMM kernels whose invocations own an 8 × 8 block of C (matmul_vec4.wgsl,
// matmul_tn_vec4.wgsl): acc[2i + j] holds row row0 + i, vec4 column c0 + j. Rows and columns past the
// edge are skipped; C = alpha · acc (+ C when accumulate = 1). The including kernel declares
// `C: array<vec4f>`, the uniform `p` (gemm_params) and `fn cRow(m: u32) -> u32`, the row of C that row m
// of the block's product goes to (m itself unless the kernel scatters rows).

fn storeBlock8x8(row0: u32, c0: u32, n4: u32, acc: array<vec4f, 16>) {
  let ldc4 = p.ldc / 4u;
  for (var i = 0u; i < 8u; i++) {
    let m = row0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 2u; j++) {
      let c = c0 + j;
      if (c >= n4) { break; }
      let idx = p.offC / 4u + cRow(m) * ldc4 + c;
      var v = p.alpha * acc[2u * i + j];
      if (p.accumulate != 0u) { v += C[idx]; }
      C[idx] = v;
    }
  }
}
