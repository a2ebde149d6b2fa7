#!/usr/bin/env node
// Everything the sources need that is generated rather than committed: the shader data
// (src/kernels/shaders.generated.ts, from shaders/*.wgsl) and the built-in dataset
// (demo/public/builtin/sentences.zip, from the npm package sentiment@5.0.2) and the built-in series
// (demo/public/builtin/series.csv, synthetic). Runs after `npm ci`
// (prepare) and before start, build and test; each part is skipped when it is up to date.
import { buildBuiltin } from './builtin.mjs';
import { buildSeries } from './series.mjs';
import { generateShaders } from './shaders.mjs';

generateShaders({ force: process.argv.includes('--force') });
await buildBuiltin({ force: process.argv.includes('--force') });
buildSeries({ force: process.argv.includes('--force') });
