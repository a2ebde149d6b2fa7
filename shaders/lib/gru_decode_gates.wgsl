// The GRU's gate order (Keras's) for the decode kernels: z, r, h̃. Gate g of unit j is column g·H + j of
// Wx [In, 3H], Wh [H, 3H] and of each 3H block of the bias. (The same order as the training kernels'
// and src/reference/cells.ts; written here apart so the decoder depends on nothing still in flux.)
const GRU_Z: u32 = 0u;
const GRU_R: u32 = 1u;
const GRU_H: u32 = 2u;
