// The parameter block every GEMM kernel takes (matmul*.wgsl; the contract is in matmul.wgsl's header).
// offI: where the row list starts in the kernels that take one (matmul_vec4's ROW_INDEX, matmul_tn_vec4's
// K_INDEX); 0 and unread in the others.
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  offA: u32, offB: u32, offC: u32,
  accumulate: u32,
  alpha: f32,
  offI: u32,
}
