#!/usr/bin/python3
"""PyTorch anchor for early decisions of recurrent classifiers trained with a per-step loss.

A reference run BY HAND, never by tests or CI: it gives the numbers that rnnstream's own
trainer and docs/TRAINING.md are compared against when a model is asked to decide before the
sequence ends (the stream runs one timestep per event, so "when is the model sure enough"
matters as much as final accuracy).

For each bundled data set it trains the same recurrent classifier twice, from the same
initial weights and the same batch order:

  * every-step: cross-entropy at every real step t (1-based) of a length-L sequence, weighted
    w_t = t / (1 + ... + L), so each sequence weighs 1 and late (better informed) steps count
    more than early ones;
  * last-step:  cross-entropy at the last real step only (`rnnstream train --loss last-step`).

then fits one softmax temperature on a held-out validation split and reports, on the test
split and for thresholds p in {0.90, 0.95}, how many sequences reach a top probability >= p
("first decision"), how often that first decision is right, how early it comes, the final
accuracy, the expected calibration error, and seconds per epoch.

Run from anywhere (data paths are resolved from the repository root), one thread:

    apt-get install -y python3-torch python3-numpy     # Debian's torch; pip is not needed
    /usr/bin/python3 bench/anchors/every_step_anchor.py [--data mnist|jv|bm|all] [--out FILE]

All three data sets take about six minutes on one core, almost all of it MNIST. Results go to
stdout as Markdown tables and to bench/anchors/every_step_anchor_results.json.
"""

import argparse
import gzip
import json
import math
import platform
import struct
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SEED = 42
THRESHOLDS = (0.90, 0.95)
ECE_BINS = 15
VALIDATION_FRACTION = 0.10

# Same models and schedules as the accuracy bars in docs/TRAINING.md, so the last-step rows
# here are directly comparable with the recorded Java and PyTorch numbers there.
CONFIGS = {
    "mnist": dict(name="MNIST rows", cell="rnn", units=128, epochs=20, batch=32),
    "jv": dict(name="JapaneseVowels", cell="lstm", units=64, epochs=30, batch=32),
    "bm": dict(name="BasicMotions", cell="gru", units=32, epochs=50, batch=8),
}


# ----------------------------------------------------------------------------- data

class Split:
    """Sequences padded at the end to a common length, with their real lengths."""

    def __init__(self, x, lengths, y):
        self.x = x                  # (N, T, D) float32, zeros after each sequence's end
        self.lengths = lengths      # (N,) int64, 1..T
        self.y = y                  # (N,) int64 class indices

    def __len__(self):
        return len(self.y)

    def subset(self, idx):
        # Trim the padding to the subset's own longest sequence: no work on all-padding steps.
        t = int(self.lengths[idx].max())
        return Split(self.x[idx, :t], self.lengths[idx], self.y[idx])

    def mask(self):
        t = self.x.shape[1]
        return np.arange(t)[None, :] < self.lengths[:, None]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist():
    images = read_idx(DATA / "t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0
    labels = read_idx(DATA / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    lengths = np.full(len(labels), 28, dtype=np.int64)
    whole = Split(images, lengths, labels)           # rows are timesteps, columns features
    train, test = np.arange(8000), np.arange(8000, 10000)
    return whole.subset(train), whole.subset(test), [str(k) for k in range(10)]


def read_ts(path, classes=None):
    """sktime/UEA .ts: '#' comments, '@' headers, then 'dim0:dim1:...:label' per case."""
    declared, cases, labels = None, [], []
    in_data = False
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            lower = line.lower()
            if lower.startswith("@classlabel"):
                declared = line.split()[2:]          # '@classLabel true a b c'
            elif lower.startswith("@data"):
                in_data = True
            continue
        *dims, label = line.split(":")
        series = [np.array([float(v) for v in d.split(",")], dtype=np.float32) for d in dims]
        if len({len(s) for s in series}) != 1:
            raise ValueError(f"{path}: dimensions of one case differ in length")
        cases.append(np.stack(series, axis=1))       # (T, D): time first, as the stream sees it
        labels.append(label.strip())
    classes = classes or declared or sorted(set(labels))
    index = {c: k for k, c in enumerate(classes)}
    lengths = np.array([len(c) for c in cases], dtype=np.int64)
    x = np.zeros((len(cases), lengths.max(), cases[0].shape[1]), dtype=np.float32)
    for i, c in enumerate(cases):
        x[i, :len(c)] = c
    y = np.array([index[l] for l in labels], dtype=np.int64)
    return Split(x, lengths, y), classes


def load_ts(stem):
    train, classes = read_ts(DATA / f"{stem}_TRAIN.ts")
    test, _ = read_ts(DATA / f"{stem}_TEST.ts", classes)
    return train, test, classes


LOADERS = {
    "mnist": load_mnist,
    "jv": lambda: load_ts("JapaneseVowels"),
    "bm": lambda: load_ts("BasicMotions"),
}


def stratified_split(y, num_classes, fraction, seed):
    """Per-class holdout, rounded, at least one per class that has two or more members,
    as the Java trainer's --validation-split does (its RNG differs, so the members do too)."""
    rng = np.random.RandomState(seed)
    keep, off = [], []
    for k in range(num_classes):
        members = rng.permutation(np.flatnonzero(y == k))
        n = int(round(len(members) * fraction))
        if fraction > 0 and n == 0 and len(members) > 1:
            n = 1
        off.extend(members[:n])
        keep.extend(members[n:])
    return np.sort(np.array(keep)), np.sort(np.array(off))


def fit_standardizer(split):
    # Statistics over real steps only: padding zeros would pull the mean of short-sequence
    # data sets (JapaneseVowels) towards 0. Population variance, as Keras and the Java trainer.
    real = split.x[split.mask()].astype(np.float64)
    mean = real.mean(axis=0)
    var = real.var(axis=0)
    var[~(var > 0)] = 1.0               # a constant feature must not blow an unseen value up
    return mean, np.maximum(np.sqrt(var), 1e-7)


def standardize(split, mean, std):
    x = ((split.x - mean) / std).astype(np.float32)
    x[~split.mask()] = 0.0              # keep padding inert (it never reaches a real step anyway)
    return Split(x, split.lengths, split.y)


# ----------------------------------------------------------------------------- model

class StepClassifier(nn.Module):
    """Recurrent layer and a Dense head that can read any step, not only the last."""

    def __init__(self, cell, features, units, classes):
        super().__init__()
        rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.rnn = rnn(features, units, batch_first=True)
        self.head = nn.Linear(units, classes)
        self._keras_init(cell, units)

    def _keras_init(self, cell, units):
        # Keras's defaults, which the Java trainer also uses, rather than PyTorch's uniform
        # +-1/sqrt(units): the anchor should differ from rnnstream in the loss only.
        # glorot_uniform over the whole (D, G*M) kernel, orthogonal (M, G*M) recurrent kernel.
        with torch.no_grad():
            nn.init.xavier_uniform_(self.rnn.weight_ih_l0)
            nn.init.orthogonal_(self.rnn.weight_hh_l0)
            self.rnn.bias_ih_l0.zero_()
            self.rnn.bias_hh_l0.zero_()
            if cell == "lstm":
                # PyTorch gate order i, f, g, o; the two biases add, so set only one.
                self.rnn.bias_ih_l0[units:2 * units] = 1.0
            nn.init.xavier_uniform_(self.head.weight)
            self.head.bias.zero_()

    def hidden(self, x):
        # Padding is only at the end and the layer is unidirectional, so outputs at real steps
        # never see it: no packing needed, padded steps are simply never read.
        return self.rnn(x)[0]                      # (B, T, M)


def step_weights(lengths, t):
    """w[b, s] = (s+1) / (L_b (L_b+1) / 2) on real steps, 0 on padding: each row sums to 1."""
    steps = torch.arange(1, t + 1, dtype=torch.float32)[None, :]
    L = lengths[:, None].float()
    return torch.where(steps <= L, steps / (L * (L + 1) / 2), torch.zeros(()))


def loss_every_step(model, x, lengths, y):
    logits = model.head(model.hidden(x))           # (B, T, K)
    b, t, k = logits.shape
    ce = nn.functional.cross_entropy(
        logits.reshape(b * t, k), y.repeat_interleave(t), reduction="none").view(b, t)
    return (ce * step_weights(lengths, t)).sum(dim=1).mean()


def loss_last_step(model, x, lengths, y):
    h = model.hidden(x)
    last = h[torch.arange(len(lengths)), lengths - 1]
    # Head on the last step only: this is what last-step training costs, so s/epoch is fair.
    return nn.functional.cross_entropy(model.head(last), y)


OBJECTIVES = {"every-step": loss_every_step, "last-step": loss_last_step}


def train(cfg, objective, fit, features, classes, log):
    torch.manual_seed(SEED)                        # same initial weights for both objectives
    order_rng = np.random.RandomState(SEED)        # same batch order for both objectives
    model = StepClassifier(cfg["cell"], features, cfg["units"], classes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)  # Keras's epsilon
    x = torch.from_numpy(fit.x)
    lengths = torch.from_numpy(fit.lengths)
    y = torch.from_numpy(fit.y)
    loss_fn = OBJECTIVES[objective]
    seconds, losses = [], []
    for epoch in range(1, cfg["epochs"] + 1):
        order = torch.from_numpy(order_rng.permutation(len(fit)))
        start = time.perf_counter()
        total = 0.0
        model.train()
        for i in range(0, len(order), cfg["batch"]):
            idx = order[i:i + cfg["batch"]]
            bl = lengths[idx]
            bx = x[idx, :int(bl.max())]            # no recurrence over all-padding steps
            loss = loss_fn(model, bx, bl, y[idx])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += loss.item() * len(idx)
        seconds.append(time.perf_counter() - start)
        losses.append(total / len(fit))
        log(f"  {objective:10s} epoch {epoch:3d}/{cfg['epochs']}  loss {losses[-1]:.4f}"
            f"  {seconds[-1]:.2f} s")
    return model, seconds, losses


# ----------------------------------------------------------------------------- evaluation

@torch.no_grad()
def step_logits(model, split, batch=512):
    """Head output at every step, (N, T, K) float64; rows past a sequence's length are junk."""
    model.eval()
    out = [model.head(model.hidden(torch.from_numpy(split.x[i:i + batch])))
           for i in range(0, len(split), batch)]
    return torch.cat(out).double().numpy()


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def real_steps(split, arr):
    """Flatten (N, T, ...) to the real steps only, with each step's sequence label."""
    m = split.mask()
    return arr[m], np.broadcast_to(split.y[:, None], m.shape)[m]


def nll(logits, labels, temperature):
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(labels)), labels].mean()


def fit_temperature(logits, labels, lo=math.log(0.05), hi=math.log(20.0), tol=1e-6):
    # Golden-section on log T: NLL is unimodal in T in practice and the search needs no
    # gradients, so the fitted T does not depend on an optimizer's settings.
    g = (math.sqrt(5) - 1) / 2
    f = lambda s: nll(logits, labels, math.exp(s))
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return math.exp((a + b) / 2)


def ece(probs, labels, bins=ECE_BINS):
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    # Bins (0, 1/15], (1/15, 2/15], ...: a confidence of exactly 1 lands in the top bin.
    idx = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for b in range(bins):
        sel = idx == b
        if sel.any():
            total += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(total)


def first_decisions(probs, split, p):
    conf = probs.max(axis=2)
    pred = probs.argmax(axis=2)
    sure = (conf >= p) & split.mask()
    decided = sure.any(axis=1)
    first = sure.argmax(axis=1)                    # index of the first True; 0 if none
    step = np.where(decided, first + 1, split.lengths)
    right = pred[np.arange(len(split)), first] == split.y
    n = int(decided.sum())
    return {
        "decided": n,
        "decided_fraction": n / len(split),
        "precision": float(right[decided].mean()) if n else None,
        "mean_decision_step": float(step.mean()),
        "mean_decision_step_decided_only": float(step[decided].mean()) if n else None,
    }


def evaluate(model, val, test):
    val_logits, val_labels = real_steps(val, step_logits(model, val))
    temperature = fit_temperature(val_logits, val_labels)
    logits = step_logits(model, test)
    last = np.arange(len(test)), test.lengths - 1
    final_acc = float((logits[last].argmax(axis=1) == test.y).mean())
    # Accuracy after t steps (the last step for shorter sequences): the curve the docs quote.
    t_max = test.x.shape[1]
    by_step = [float((logits[np.arange(len(test)), np.minimum(t, test.lengths) - 1]
                      .argmax(axis=1) == test.y).mean()) for t in range(1, t_max + 1)]
    result = {
        "temperature": temperature,
        "val_nll_raw": float(nll(val_logits, val_labels, 1.0)),
        "val_nll_calibrated": float(nll(val_logits, val_labels, temperature)),
        "final_accuracy": final_acc,
        "accuracy_by_step": by_step,
    }
    for kind, t in (("raw", 1.0), ("calibrated", temperature)):
        probs = softmax(logits / t)
        flat, labels = real_steps(test, probs)
        result[kind] = {
            "ece": ece(flat, labels),
            "thresholds": {f"{p:.2f}": first_decisions(probs, test, p) for p in THRESHOLDS},
        }
    return result


# ----------------------------------------------------------------------------- driver

def run_dataset(key, log):
    cfg = CONFIGS[key]
    train_split, test, class_names = LOADERS[key]()
    k = len(class_names)
    keep, off = stratified_split(train_split.y, k, VALIDATION_FRACTION, SEED)
    fit, val = train_split.subset(keep), train_split.subset(off)
    mean, std = fit_standardizer(fit)              # fitted on what is trained on, as the Java trainer
    fit, val, test = (standardize(s, mean, std) for s in (fit, val, test))
    features = fit.x.shape[2]
    log(f"{cfg['name']}: fit {len(fit)}, validation {len(val)}, test {len(test)}, "
        f"{features} features, {k} classes, lengths {test.lengths.min()}-{test.lengths.max()}")
    out = {
        "config": dict(cfg, seed=SEED, lr=1e-3, adam_eps=1e-7, clip_norm=1.0,
                       validation_fraction=VALIDATION_FRACTION),
        "sizes": {"fit": len(fit), "validation": len(val), "test": len(test),
                  "max_steps": int(test.lengths.max())},
        "classes": class_names,
        "objectives": {},
    }
    for objective in OBJECTIVES:
        model, seconds, losses = train(cfg, objective, fit, features, k, log)
        res = evaluate(model, val, test)
        res["seconds_per_epoch"] = float(np.mean(seconds))
        res["seconds_per_epoch_min"] = float(np.min(seconds))
        res["epoch_seconds"] = seconds
        res["train_loss"] = losses
        out["objectives"][objective] = res
    return out


def pct(v):
    return "–" if v is None else f"{100 * v:.2f} %"


def markdown(key, r):
    cfg = CONFIGS[key]
    cell = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}[cfg["cell"]]
    lines = [
        f"### {cfg['name']}: {cell}({cfg['units']}), {cfg['epochs']} epochs, batch {cfg['batch']}"
        f" (test {r['sizes']['test']} sequences of up to {r['sizes']['max_steps']} steps)",
        "",
        "| objective | probabilities | T | p | decided | precision | mean decision step "
        "| final accuracy | ECE | s/epoch |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    n = r["sizes"]["test"]
    for objective, res in r["objectives"].items():
        for kind in ("raw", "calibrated"):
            t = 1.0 if kind == "raw" else res["temperature"]
            for p, d in res[kind]["thresholds"].items():
                lines.append(
                    f"| {objective} | {kind} | {t:.3f} | {p} | {d['decided']}/{n} "
                    f"({pct(d['decided_fraction'])}) | {pct(d['precision'])} "
                    f"| {d['mean_decision_step']:.2f} | {pct(res['final_accuracy'])} "
                    f"| {res[kind]['ece']:.4f} | {res['seconds_per_epoch']:.2f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", choices=["all", *CONFIGS], default="all")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("every_step_anchor_results.json"))
    ap.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    args = ap.parse_args()

    # One thread: the numbers are compared with rnnstream's one-thread training times, and
    # a single thread also makes float reductions, hence the results, repeat exactly.
    torch.set_num_threads(1)
    log = (lambda s: None) if args.quiet else (lambda s: print(s, file=sys.stderr, flush=True))

    keys = list(CONFIGS) if args.data == "all" else [args.data]
    start = time.perf_counter()
    results = {}
    for key in keys:
        results[key] = run_dataset(key, log)
        print(markdown(key, results[key]) + "\n", flush=True)
    total = time.perf_counter() - start
    doc = {
        "what": "every-step vs last-step training anchor; see the header of every_step_anchor.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "threads": torch.get_num_threads(),
        "total_seconds": total,
        "results": results,
    }
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"total {total:.1f} s; torch {torch.__version__}; wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
