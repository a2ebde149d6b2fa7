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

# Keras 3's Bidirectional serializes the layer it wraps twice while a model loads (once for each
# direction), and the loader's object-sharing scope keys what it has seen by id(): once one Bidirectional's
# wrapped layer is freed, the next Bidirectional's wrapped layer can be given the same id and then be
# handed the first one's backward copy as its forward layer ("Forward layer and backward layer should have
# different `go_backwards` value", seen once in CI on a model with two Bidirectional layers, not on rerun).
# Keeping every wrapped layer alive for the process keeps the ids apart; what loads is unchanged.
_wrapped = []
_bidirectional_init = keras.layers.Bidirectional.__init__


def _init_keeping_layer(self, layer, *args, **kwargs):
    _wrapped.append(layer)
    _bidirectional_init(self, layer, *args, **kwargs)


keras.layers.Bidirectional.__init__ = _init_keeping_layer


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
