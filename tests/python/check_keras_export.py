"""Load .keras archives written by webgpu-lstm's exportKeras in Keras 3 and compare predictions.

Usage: python3 tests/python/check_keras_export.py CASES.json
CASES.json: [{"file": "model.keras", "x": [...nested input...], "expected": [...our predictions...]}, ...]
Prints one line per case and exits 1 if any prediction differs by more than 1e-5 (absolute).
Needs Keras 3 and a backend (jax or tensorflow); KERAS_BACKEND defaults to jax.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np  # noqa: E402
import keras  # noqa: E402

def main() -> int:
    cases = json.load(open(sys.argv[1]))
    worst_all = 0.0
    for c in cases:
        model = keras.saving.load_model(c["file"])
        x = np.asarray(c["x"], dtype=np.int32 if c.get("ids") else np.float32)
        got = np.asarray(model.predict(x, verbose=0))
        want = np.asarray(c["expected"], dtype=np.float32)
        worst = float(np.max(np.abs(got - want)))
        worst_all = max(worst_all, worst)
        print(f"{os.path.basename(c['file'])}: Keras {keras.__version__} ({keras.backend.backend()}) loads it; max |difference| {worst:.2e}")
    return 0 if worst_all <= 1e-5 else 1

if __name__ == "__main__":
    sys.exit(main())
