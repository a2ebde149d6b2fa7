"""Build the models that tests/model-import.test.ts loads, with the real libraries, and save them.

Usage: KERAS_BACKEND=jax python3 tests/python/make_import_fixtures.py [OUT_DIR]
OUT_DIR defaults to tests/fixtures/import. Writes, for each case:
  keras3-<case>.keras  saved by Keras 3 (model.save), then re-zipped with DEFLATE: the three entries are
                       byte for byte what Keras wrote (Keras stores them uncompressed; deflated, a tiny
                       model's archive is ~3 kB instead of ~20 kB)
  keras3-legacy-<case>.h5.gz
                       saved by Keras 3 in the legacy full-model HDF5 format (model.save("….h5"): the
                       Keras 2 layout — model_config, training_config, model_weights/<layer>/weight_names),
                       then gzipped (a tiny model's .h5 is ~20 kB of mostly empty HDF5 structure; ~3 kB
                       gzipped; the test gunzips it)
  keras2-<case>.h5     saved by tf.keras 2 (tf_keras, model.save(..., include_optimizer=False)), when
                       tf_keras imports; otherwise skipped with a line saying so
and expected.json: per file, the probe input (token ids or float32 values), whether it is ids, whether the
model was compiled, and the library's own predictions (model.predict) on it.

The models are tiny (a few units) and seeded (keras.utils.set_random_seed), so the files are small and
the same script makes the same weights on the same versions. The refused cases (a Conv1D, an LSTM with
activation relu, a functional model that branches) are saved here too, so that their configs are what Keras writes.
"""
import gzip
import io
import json
import os
import sys
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np  # noqa: E402
import keras  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "fixtures", "import")
os.makedirs(OUT, exist_ok=True)
rs = np.random.RandomState(27)


def ids(n, T, V, pad="pre"):
    """Token ids 1…V−1 with zero padding before (or after) each row's tokens; one row unpadded."""
    out = np.zeros((n, T), dtype=np.int32)
    for i in range(n):
        length = T if i == 0 else 1 + (i * 3) % T
        toks = rs.randint(1, V, size=length)
        if pad == "pre":
            out[i, T - length:] = toks
        else:
            out[i, :length] = toks
    return out


def floats(n, T, F):
    return rs.uniform(-1, 1, size=(n, T, F)).astype(np.float32)


def padded_floats(n, T, F):
    """Float sequences with all-zero (masked) timesteps before each row's values; one row unpadded."""
    out = floats(n, T, F)
    for i in range(1, n):
        out[i, : (i * 2) % T] = 0
    return out


# Each case: the layers (a function of the layers module, so Keras 3 and tf.keras 2 build the same model),
# the probe input, and the compile arguments (None: saved uncompiled).
def cases(L):
    return {
        "lstm": (lambda: [L.Input((6, 3)), L.LSTM(5), L.Dense(2, activation="softmax")], lambda: floats(4, 6, 3), dict(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])),
        "gru-reset-after": (lambda: [L.Input((7,)), L.Embedding(20, 4, mask_zero=True), L.GRU(5, reset_after=True), L.Dense(3, activation="softmax")], lambda: ids(4, 7, 20), dict(loss="sparse_categorical_crossentropy", optimizer="adam")),
        "gru-reset-before": (lambda: [L.Input((6, 2)), L.GRU(4, reset_after=False), L.Dense(1, activation="sigmoid")], lambda: floats(4, 6, 2), None),
        "simple-rnn": (lambda: [L.Input((6, 2)), L.SimpleRNN(4), L.Dense(1)], lambda: floats(4, 6, 2), dict(loss="mse", optimizer="sgd")),
        "bidirectional": (
            lambda: [L.Input((8,)), L.Embedding(25, 5, mask_zero=True), L.SpatialDropout1D(0.2), L.Bidirectional(L.LSTM(4, return_sequences=True)), L.Bidirectional(L.LSTM(3)), L.Dropout(0.1), L.Dense(2, activation="softmax")],
            lambda: ids(5, 8, 25),
            dict(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"]),
        ),
        "tagger": (lambda: [L.Input((7,)), L.Embedding(18, 4, mask_zero=True), L.LSTM(5, return_sequences=True), L.Dense(4, activation="softmax")], lambda: ids(4, 7, 18, pad="post"), None),
        "forecaster": (lambda: [L.Input((10, 1)), L.LSTM(6), L.Dense(1)], lambda: floats(4, 10, 1), dict(loss="mse", optimizer="adam", metrics=["mae"])),
        "masked-forecaster": (lambda: [L.Input((8, 2)), L.Masking(0.0), L.LSTM(5), L.Dense(1)], lambda: padded_floats(5, 8, 2), dict(loss="mse", optimizer="adam")),
        "time-distributed": (
            lambda: [L.Input((7,)), L.Embedding(18, 4, mask_zero=True), L.GRU(5, return_sequences=True), L.TimeDistributed(L.Dense(3, activation="softmax"))],
            lambda: ids(4, 7, 18, pad="post"),
            dict(loss="sparse_categorical_crossentropy", optimizer="adam"),
        ),
        "bidirectional-merge": (
            lambda: [L.Input((8, 3)), L.Masking(0.0), L.Bidirectional(L.GRU(4, reset_after=False, return_sequences=True), merge_mode="sum"), L.Bidirectional(L.SimpleRNN(3), merge_mode="mul"), L.Dense(2, activation="softmax")],
            lambda: padded_floats(4, 8, 3),
            None,
        ),
        "bidirectional-ave": (
            lambda: [L.Input((6,)), L.Embedding(15, 4, mask_zero=True), L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode="ave"), L.TimeDistributed(L.Dense(2, activation="sigmoid"))],
            lambda: ids(4, 6, 15),
            None,
        ),
    }


def functional(L, Model, layers):
    """The layers as a functional chain (Input → … → output)."""
    x = inp = layers[0]
    for layer in layers[1:]:
        x = layer(x)
    return Model(inp, x)


def rezip(path):
    """Re-zip a .keras archive with DEFLATE (same entries, same bytes)."""
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in entries:
            z.writestr(name, data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


expected = {}


def record(file, model, x, compiled):
    y = np.asarray(model.predict(x, verbose=0), dtype=np.float32)
    expected[file] = {"ids": bool(x.dtype.kind == "i"), "compiled": compiled, "x": x.tolist(), "y": y.tolist()}
    print(f"{file}: {os.path.getsize(os.path.join(OUT, file))} bytes, output {list(y.shape)}")


def legacy_h5(model, file, x, compiled):
    """The model saved by Keras 3 in the legacy .h5 format, gzipped (see the module comment)."""
    path = os.path.join(OUT, file[: -len(".gz")])
    model.save(path)
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    with open(os.path.join(OUT, file), "wb") as f:
        f.write(gzip.compress(data, compresslevel=9, mtime=0))
    record(file, model, x, compiled)


def keras3():
    L = keras.layers
    for name, (make, probe, comp) in cases(L).items():
        keras.utils.set_random_seed(3)
        model = keras.Sequential(make(), name=name.replace("-", "_"))
        if comp:
            model.compile(**comp)
        file = f"keras3-{name}.keras"
        model.save(os.path.join(OUT, file))
        rezip(os.path.join(OUT, file))
        x = probe()
        record(file, model, x, comp is not None)
        legacy_h5(model, f"keras3-legacy-{name}.h5.gz", x, comp is not None)
    # A functional model that is a single chain (loads as a Sequential).
    keras.utils.set_random_seed(3)
    model = functional(L, keras.Model, [keras.Input((6, 3)), L.LSTM(5, return_sequences=True), L.GRU(3), L.Dense(2)])
    model.compile(loss="mse", optimizer="adam")
    model.save(os.path.join(OUT, "keras3-functional.keras"))
    rezip(os.path.join(OUT, "keras3-functional.keras"))
    x = floats(4, 6, 3)
    record("keras3-functional.keras", model, x, True)
    legacy_h5(model, "keras3-legacy-functional.h5.gz", x, True)
    # Refused: a layer kind the engine has not got, and an LSTM option it has not got.
    for name, layers in {"conv1d": [keras.Input((6, 3)), L.Conv1D(2, 3), L.LSTM(3), L.Dense(1)], "lstm-relu": [keras.Input((6, 3)), L.LSTM(3, activation="relu", name="lstm_2"), L.Dense(1)]}.items():
        keras.utils.set_random_seed(3)
        path = os.path.join(OUT, f"keras3-refused-{name}.keras")
        keras.Sequential(layers).save(path)
        rezip(path)
        print(f"keras3-refused-{name}.keras: {os.path.getsize(path)} bytes")
    # Refused: a functional model that branches (two LSTMs over the same input, added).
    keras.utils.set_random_seed(3)
    inp = keras.Input((6, 3))
    out = L.Dense(1)(L.Add()([L.LSTM(2)(inp), L.LSTM(2)(inp)]))
    path = os.path.join(OUT, "keras3-refused-branch.keras")
    keras.Model(inp, out).save(path)
    rezip(path)
    print(f"keras3-refused-branch.keras: {os.path.getsize(path)} bytes")


def keras2():
    try:
        import tf_keras  # noqa: F401
    except Exception as e:  # noqa: BLE001
        print(f"tf.keras 2 (tf_keras) is not importable here ({e}); the keras2-*.h5 fixtures were not made")
        return
    import tensorflow as tf

    tf.keras.utils.set_random_seed(3)
    L = tf_keras.layers
    for name, (make, probe, comp) in cases(L).items():
        tf_keras.utils.set_random_seed(3)
        layers = make()
        model = tf_keras.Sequential(layers, name=name.replace("-", "_"))
        if comp:
            model.compile(**comp)
        file = f"keras2-{name}.h5"
        model.save(os.path.join(OUT, file), include_optimizer=False)
        record(file, model, probe(), comp is not None)
    tf_keras.utils.set_random_seed(3)
    model = functional(L, tf_keras.Model, [L.Input((6, 3)), L.LSTM(5, return_sequences=True), L.GRU(3), L.Dense(2)])
    model.compile(loss="mse", optimizer="adam")
    model.save(os.path.join(OUT, "keras2-functional.h5"), include_optimizer=False)
    record("keras2-functional.h5", model, floats(4, 6, 3), True)


keras3()
keras2()
versions = {"keras": keras.__version__, "backend": keras.backend.backend()}
try:
    import tf_keras

    versions["tf_keras"] = tf_keras.__version__
except Exception:  # noqa: BLE001
    pass
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"versions": versions, "files": expected}, f)
print(f"expected.json: {len(expected)} files, {versions}")
