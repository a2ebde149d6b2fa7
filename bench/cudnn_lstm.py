"""The PyTorch cuDNN half of the real-GPU benchmark (bench/real-gpu.sh runs it, then bench/real-gpu.ts).

The LSTM rows, then the same model with cuDNN's GRU (nn.GRU: the reset-after form, as Keras's default GRU
and ours with resetAfter) at the reference shape and every sweep point.

The reference model as cuDNN can run it, with the same shapes, data recipe and step as our engine's
cuDNN-comparable configuration (bench/workloads.ts, CUDNN_COMPARABLE):
Embedding(vocab, embed) -> SpatialDropout1D(0.4) -> LSTM(units), last hidden state -> Dense(classes),
softmax cross-entropy, Adam(lr 1e-3, eps 1e-7 as Keras). cuDNN has no LSTM input or recurrent dropout,
so neither model uses them. Random full-length batches (no padding), four of them reused round-robin.

  python3 bench/cudnn_lstm.py OUT.json [--quick]

Writes the numbers as JSON (read by bench/real-gpu.ts --cudnn). Numbers only; nothing passes or fails.
"""
import json
import sys
import time
import traceback

import torch
from torch import nn

REFERENCE = dict(vocab=2000, embed=128, units=196, classes=2, batch=32, maxlen=28)
SWEEPS = [(f"hidden {u}", dict(units=u)) for u in (64, 128, 256, 512)] + \
         [(f"seq len {t}", dict(maxlen=t)) for t in (16, 32, 64, 128)] + \
         [(f"batch {b}", dict(batch=b)) for b in (8, 32, 128)]


class Net(nn.Module):
    def __init__(self, s, cell="lstm"):
        super().__init__()
        self.embedding = nn.Embedding(s["vocab"], s["embed"])
        self.rnn = (nn.GRU if cell == "gru" else nn.LSTM)(s["embed"], s["units"], batch_first=True)
        self.dense = nn.Linear(s["units"], s["classes"])

    def forward(self, ids):
        x = self.embedding(ids)  # (B, T, E)
        # SpatialDropout1D: one mask per (sequence, embedding channel), shared across time.
        x = nn.functional.dropout1d(x.transpose(1, 2), p=0.4, training=self.training).transpose(1, 2).contiguous()
        _, h = self.rnn(x)
        h = h[0] if isinstance(h, tuple) else h  # the LSTM's (h, c), the GRU's h
        return self.dense(h[-1])


def timing(xs):
    s = sorted(xs)
    q = lambda f: s[min(len(s) - 1, max(0, round(f * (len(s) - 1))))]
    return dict(medianMs=q(0.5), p10Ms=q(0.1), p90Ms=q(0.9), samples=len(s))


def batches(s, dev, n=4):
    g = torch.Generator().manual_seed(1)
    out = []
    for _ in range(n):
        ids = torch.randint(1, s["vocab"], (s["batch"], s["maxlen"]), generator=g)
        labels = torch.randint(0, s["classes"], (s["batch"],), generator=g)
        out.append((ids.to(dev), labels.to(dev)))
    return out


def bench(s, dev, steps, warmup, infer, cell="lstm"):
    torch.manual_seed(1)
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    model = Net(s, cell).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    lossf = nn.CrossEntropyLoss()
    data = batches(s, dev)

    def step(i):
        ids, labels = data[i % len(data)]
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(ids), labels)
        loss.backward()
        opt.step()
        return loss

    model.train()
    step(0).item()
    first = (time.perf_counter() - t0) * 1000
    for i in range(warmup):
        step(i).item()
    ms = []
    for i in range(steps):
        a = time.perf_counter()
        step(i).item()  # wait for the step, as ours does when it reads the loss back
        ms.append((time.perf_counter() - a) * 1000)
    torch.cuda.synchronize()
    a = time.perf_counter()
    for i in range(steps):
        step(i)
    torch.cuda.synchronize()
    pipelined = (time.perf_counter() - a) * 1000 / steps
    peak = torch.cuda.max_memory_allocated()
    r = dict(shape=s, firstStepMs=first, step=timing(ms), pipelinedStepMs=pipelined, peakBytes=peak,
             inferSeqPerSec32=None, inferSeqPerSec512=None)
    if infer:
        model.eval()
        for B in (32, 512):
            ids = torch.randint(1, s["vocab"], (B, s["maxlen"]), device=dev)
            reps = 20
            with torch.no_grad():
                model(ids).cpu()
                a = time.perf_counter()
                for _ in range(reps):
                    torch.softmax(model(ids), -1).cpu()
                r[f"inferSeqPerSec{B}"] = reps * B / (time.perf_counter() - a)
    return r


def main():
    out = sys.argv[1]
    quick = "--quick" in sys.argv
    dev = torch.device("cuda")
    torch.backends.cudnn.enabled = True
    torch.backends.cudnn.benchmark = False
    steps, warmup = (5, 2) if quick else (200, 20)
    res = dict(device=torch.cuda.get_device_name(0), torch=torch.__version__,
               cudnn=torch.backends.cudnn.version(), configs=[], sweeps=[])
    failed = False
    for tf32 in (False, True):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        try:
            r = bench(REFERENCE, dev, steps, warmup, infer=True)
        except Exception:  # keep going: the other rows are still worth recording
            traceback.print_exc()
            failed = True
            continue
        r.update(name="reference", tf32=tf32)
        res["configs"].append(r)
        print(f"cuDNN {'tf32' if tf32 else 'fp32'}: {r['step']['medianMs']:.3f} ms/step (synced), "
              f"{r['pipelinedStepMs']:.3f} pipelined, first {r['firstStepMs']:.0f} ms", flush=True)
        write(out, res)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    for name, v in (SWEEPS[:1] if quick else SWEEPS):
        s = dict(REFERENCE, **v)
        try:
            r = bench(s, dev, 2 if quick else 50, 1 if quick else 5, infer=False)
        except Exception:
            traceback.print_exc()
            failed = True
            continue
        res["sweeps"].append(dict(name=name, shape=s, stepMs=r["step"]["medianMs"], pipelinedStepMs=r["pipelinedStepMs"]))
        print(f"  {name}: {r['step']['medianMs']:.3f} ms/step, {r['pipelinedStepMs']:.3f} pipelined", flush=True)
    write(out, res)
    # The GRU (fp32): the reference shape with inference, then every sweep point.
    res["gru"] = []
    for name, v in [("reference", {})] + (SWEEPS[:1] if quick else SWEEPS):
        s = dict(REFERENCE, **v)
        try:
            ref = name == "reference"
            r = bench(s, dev, (steps if ref else 2 if quick else 50), (warmup if ref else 1 if quick else 5), infer=ref, cell="gru")
        except Exception:
            traceback.print_exc()
            failed = True
            continue
        res["gru"].append(dict(name=name, shape=s, stepMs=r["step"]["medianMs"], pipelinedStepMs=r["pipelinedStepMs"],
                               inferSeqPerSec32=r["inferSeqPerSec32"], inferSeqPerSec512=r["inferSeqPerSec512"]))
        print(f"  cuDNN GRU, {name}: {r['step']['medianMs']:.3f} ms/step, {r['pipelinedStepMs']:.3f} pipelined", flush=True)
    write(out, res)
    return 1 if failed else 0


def write(path, res):
    with open(path, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
