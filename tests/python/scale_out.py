"""The scale-out round trip: a model trained with webgpu-lstm, exported as .keras, trained on with Keras 3's
distribution API over several devices, saved, and brought back.

    XLA_FLAGS=--xla_force_host_platform_device_count=4 KERAS_BACKEND=jax \
        python3 tests/python/scale_out.py IN.keras DATA.json OUT.keras OUT.json

DATA.json: {"x": [...], "y": [...], "probe": [...], "epochs": N, "ids": true|false}. Trains on (x, y) with
keras.distribution.DataParallel over every JAX device (on a CPU machine the XLA flag above gives four),
saves OUT.keras, and writes OUT.json: {"devices": n, "losses": [...], "probe": Keras's predictions}.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=4")
import numpy as np  # noqa: E402
import keras  # noqa: E402


def main() -> int:
    src, data_path, out_model, out_json = sys.argv[1:5]
    data = json.load(open(data_path))
    devices = keras.distribution.list_devices()
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    model = keras.saving.load_model(src)
    dtype = np.int32 if data.get("ids") else np.float32
    x = np.asarray(data["x"], dtype=dtype)
    y = np.asarray(data["y"])
    if getattr(model, "optimizer", None) is None:
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    # Batches divisible by the device count: each device gets an equal share.
    batch = 4 * len(devices)
    history = model.fit(x, y, epochs=data.get("epochs", 2), batch_size=batch, verbose=0)
    model.save(out_model)
    probe = model.predict(np.asarray(data["probe"], dtype=dtype), verbose=0).tolist()
    json.dump({"devices": len(devices), "backend": keras.backend.backend(), "keras": keras.__version__, "losses": history.history["loss"], "probe": probe}, open(out_json, "w"))
    print(f"Keras {keras.__version__} ({keras.backend.backend()}), DataParallel over {len(devices)} devices: losses {history.history['loss']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
