// The parameter block every GEMM kernel takes (matmul*.wgsl; the contract is in matmul.wgsl's header).
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  offA: u32, offB: u32, offC: u32,
  accumulate: u32,
  alpha: f32,
}
