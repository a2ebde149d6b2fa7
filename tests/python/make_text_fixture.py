"""A Keras 3 text classifier and its Tokenizer, for the withTokenizer / CLI predict tests.

Run once (needs Keras 3 and a backend; KERAS_BACKEND defaults to jax):
    python3 tests/python/make_text_fixture.py
Writes tests/fixtures/text/{classifier.keras, classifier.h5.gz, tokenizer.json, expected.json}: a tiny Embedding (mask_zero)
-> GRU -> Dense softmax model fitted for a few epochs on made-up sentences, the tokenizer's to_json(), and
Keras's own predictions for probe texts (padded 'pre' to the model's length by pad_sequences).
"""
import gzip
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras.src.legacy.preprocessing.text import Tokenizer  # noqa: E402
from keras.utils import pad_sequences  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "text")
keras.utils.set_random_seed(7)
good = ["a good film", "really good acting", "great fun", "good and great", "i loved it", "loved the acting"]
bad = ["a bad film", "really bad acting", "awful mess", "bad and awful", "i hated it", "hated the plot"]
texts, labels = good + bad, [1] * len(good) + [0] * len(bad)
tok = Tokenizer(num_words=30, oov_token="<oov>")
tok.fit_on_texts(texts)
T = 6
x = pad_sequences(tok.texts_to_sequences(texts), maxlen=T)
model = keras.Sequential([keras.Input((T,), dtype="int32"), keras.layers.Embedding(30, 8, mask_zero=True), keras.layers.GRU(6), keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
model.fit(x, np.array(labels), epochs=30, verbose=0)
probes = ["a really good film", "an awful bad plot", "zebra", "i loved the great acting but hated the plot"]
expected = model.predict(pad_sequences(tok.texts_to_sequences(probes), maxlen=T), verbose=0).tolist()
os.makedirs(OUT, exist_ok=True)
model.save(os.path.join(OUT, "classifier.keras"))
# The same model in the legacy full-model HDF5 layout (Keras 2's), gzipped (~20 kB of mostly empty HDF5).
h5 = os.path.join(OUT, "classifier.h5")
model.save(h5)
with open(h5, "rb") as f, open(h5 + ".gz", "wb") as g:
    g.write(gzip.compress(f.read(), compresslevel=9, mtime=0))
os.remove(h5)
with open(os.path.join(OUT, "tokenizer.json"), "w") as f:
    f.write(tok.to_json())
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump({"keras": keras.__version__, "probes": probes, "sequences": tok.texts_to_sequences(probes), "probabilities": expected}, f, indent=1)
print("written", OUT)
