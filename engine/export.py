"""Export a network as a standalone, readable NumPy training script.

The script builds the same graph (skip connections included), with the current weights,
the same data (embedded) and the same loss, optimiser and settings, and prints the loss
of every epoch exactly as the app's history records it (the mean over the epoch's batches,
each measured before its update), so the two can be compared line by line.
"""

from __future__ import annotations

from .trainer import split_dataset

_TEMPLATE = '''"""{name}: trained with plain NumPy, exported from Backprop Studio.

Run it with:  python {filename} [EPOCHS]
Every neuron is computed in topological order, vectorised over the samples, and
backpropagated in reverse order — the same arithmetic the app steps through.
"""

import sys

import numpy as np

INPUTS = {inputs}  # the data's columns
FEATURES = {features}  # input neuron: (function, raw inputs), computed from INPUTS
OUTPUTS = {outputs}
# (neuron, activation, sources) in topological order
NEURONS = {neurons}
WEIGHTS = {weights}  # (source, target): weight
BIASES = {biases}

X = np.array({X}, dtype=float).T  # inputs × samples
Y = np.array({Y}, dtype=float).T  # outputs × samples

LOSS = {loss!r}
OPTIMIZER = {optimizer!r}
LEARNING_RATE = {learning_rate!r}
BATCH_SIZE = {batch_size!r}  # None: the full batch
SHUFFLE = {shuffle!r}
MOMENTUM, RHO, BETA1, BETA2, EPSILON = {momentum!r}, {rho!r}, {beta1!r}, {beta2!r}, {epsilon!r}
HALVE_ON_PLATEAU, PATIENCE, MIN_LEARNING_RATE = {halve!r}, {patience!r}, {min_lr!r}
HALVE_ON_RISE, HALVE_AFTER = {halve_on_rise!r}, {halve_after!r}  # no halving before then
MIN_IMPROVEMENT = {min_improvement!r}  # stop when 0 < previous loss − loss < this
REGULARIZATION, RATE = {regularization!r}, {regularization_rate!r}  # on weights, not biases
SEED = {seed!r}
EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else {epochs!r}
SOFTMAX = all(act == "softmax" for name, act, _ in NEURONS if name in OUTPUTS)


def feature(fn, values):
    if fn == "square":
        return values[0] * values[0]
    if fn == "product":
        return values[0] * values[1]
    if fn == "sin":
        return np.sin(values[0])
    return np.cos(values[0])  # "cos"


def feature_slopes(fn, values):
    """∂feature/∂(each raw input it reads)."""
    if fn == "square":
        return [2.0 * values[0]]
    if fn == "product":
        return [values[1], values[0]]
    if fn == "sin":
        return [np.cos(values[0])]
    return [-np.sin(values[0])]


def activate(name, z):
    if name == "sigmoid":
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.maximum(z, 0.01 * z)
    if name == "step":
        return (z >= 0).astype(float)
    return z.copy()  # linear; softmax outputs are normalised together in forward()


def slope(name, z, a):
    """The activation's derivative f'(z)."""
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).astype(float)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, 0.01)
    if name == "step":
        return np.zeros_like(z)
    return np.ones_like(z)


def forward(x):
    a = {{name: x[i] for i, name in enumerate(INPUTS)}}
    for name, (fn, args) in FEATURES.items():
        a[name] = feature(fn, [a[s] for s in args])
    z = {{}}
    for name, act, sources in NEURONS:
        z[name] = BIASES[name] + sum(WEIGHTS[(s, name)] * a[s] for s in sources)
        a[name] = activate(act, z[name])
    if SOFTMAX:  # ŷ_k = e^z_k / Σ_j e^z_j over the outputs, stably
        zs = np.vstack([z[o] for o in OUTPUTS])
        e = np.exp(zs - zs.max(axis=0))
        for k, o in enumerate(OUTPUTS):
            a[o] = e[k] / e.sum(axis=0)
    return z, a


def loss_and_gradients(x, y):
    """The batch's mean loss and ∂L/∂ of every weight and bias."""
    m = x.shape[1]
    z, a = forward(x)
    yhat = np.vstack([a[o] for o in OUTPUTS])
    if LOSS == "mse":
        loss = 0.5 * float(((yhat - y) ** 2).sum()) / m
        dl_dyhat = (yhat - y) / m
    elif LOSS == "bce":
        p = np.clip(yhat, 1e-12, 1 - 1e-12)
        loss = -float((y * np.log(p) + (1 - y) * np.log(1 - p)).sum()) / m
        dl_dyhat = (p - y) / (p * (1 - p) * m)
    elif LOSS == "cross_entropy":
        p = np.maximum(yhat, 1e-12)
        loss = -float((y * np.log(p)).sum()) / m
        dl_dyhat = -y / (p * m)
    else:  # "output": L = ŷ
        loss = float(yhat.sum()) / m
        dl_dyhat = np.full_like(yhat, 1.0 / m)
    delta = {{}}
    upstream = {{name: np.zeros(m) for name in a}}
    if SOFTMAX and LOSS != "cross_entropy":  # through the softmax's Jacobian
        group = yhat * (dl_dyhat - (yhat * dl_dyhat).sum(axis=0))
    for name, act, sources in reversed(NEURONS):
        if name in OUTPUTS:
            k = OUTPUTS.index(name)
            if (LOSS, act) in (("bce", "sigmoid"), ("cross_entropy", "softmax")):
                delta[name] = (a[name] - y[k]) / m  # δ = (ŷ − y)/m exactly
            elif act == "softmax":
                delta[name] = group[k]
            else:
                delta[name] = dl_dyhat[k] * slope(act, z[name], a[name])
        else:
            delta[name] = upstream[name] * slope(act, z[name], a[name])
        for s in sources:
            upstream[s] += WEIGHTS[(s, name)] * delta[name]
    grads_w = {{(s, n): float(delta[n] @ a[s]) for (s, n) in WEIGHTS}}
    grads_b = {{n: float(delta[n].sum()) for n in BIASES}}
    if REGULARIZATION == "l2":  # + (λ/2)·Σ w², ∂/∂w = λ·w
        loss += 0.5 * RATE * sum(w * w for w in WEIGHTS.values())
        grads_w = {{k: g + RATE * WEIGHTS[k] for k, g in grads_w.items()}}
    elif REGULARIZATION == "l1":  # + λ·Σ|w|, ∂/∂w = λ·sign(w)
        loss += RATE * sum(abs(w) for w in WEIGHTS.values())
        grads_w = {{k: g + RATE * float(np.sign(WEIGHTS[k])) for k, g in grads_w.items()}}
    return loss, grads_w, grads_b


def main():
    rng = np.random.default_rng(SEED)
    state = {{key: [0.0, 0.0] for key in [*WEIGHTS, *BIASES]}}  # optimiser memory
    losses = []
    lr, t, best, since_best = LEARNING_RATE, 0, np.inf, 0
    m = X.shape[1]
    k = m if not BATCH_SIZE or BATCH_SIZE >= m else BATCH_SIZE
    for epoch in range(1, EPOCHS + 1):
        if k < m and SHUFFLE:
            order = rng.permutation(m)
            xs, ys = X[:, order], Y[:, order]
        else:
            xs, ys = X, Y
        total = 0.0
        for i in range(0, m, k):
            xb, yb = xs[:, i : i + k], ys[:, i : i + k]
            loss, grads_w, grads_b = loss_and_gradients(xb, yb)
            total += loss * xb.shape[1]
            t += 1
            for params, grads in ((WEIGHTS, grads_w), (BIASES, grads_b)):
                for key, g in grads.items():
                    s = state[key]
                    if OPTIMIZER == "momentum":
                        s[0] = MOMENTUM * s[0] - lr * g
                        params[key] += s[0]
                    elif OPTIMIZER == "rmsprop":
                        s[1] = RHO * s[1] + g * g * (1 - RHO)
                        params[key] -= g / (np.sqrt(s[1]) + EPSILON) * lr
                    elif OPTIMIZER == "adam":
                        s[0] = BETA1 * s[0] + (1 - BETA1) * g
                        s[1] = BETA2 * s[1] + (1 - BETA2) * g * g
                        m_hat_step = lr / (1 - BETA1**t)
                        denominator = np.sqrt(s[1] * (1 / (1 - BETA2**t))) + EPSILON
                        params[key] -= m_hat_step * s[0] / denominator
                    else:
                        params[key] -= lr * g
        epoch_loss = total / m
        print(f"epoch {{epoch}} loss {{epoch_loss:.15g}}")
        losses.append(epoch_loss)
        if epoch > HALVE_AFTER:
            if HALVE_ON_PLATEAU:
                if epoch_loss < best:
                    best, since_best = epoch_loss, 0
                else:
                    since_best += 1
                    if since_best >= PATIENCE:
                        lr, since_best = max(lr / 2, MIN_LEARNING_RATE), 0
            if HALVE_ON_RISE and len(losses) > 1 and epoch_loss > losses[-2]:
                lr = max(lr / 2, MIN_LEARNING_RATE)
        if MIN_IMPROVEMENT is not None and len(losses) > 1:
            if 0 < losses[-2] - epoch_loss < MIN_IMPROVEMENT:
                break


if __name__ == "__main__":
    main()
'''


def numpy_script(network, filename: str = "network.py") -> str:
    """The text of a standalone script that trains ``network`` as the app would."""
    return _format(_TEMPLATE, network, filename)


def _format(template: str, network, filename: str) -> str:
    if network.dataset is None:
        raise ValueError("the network has no dataset to train on")
    data, _test = split_dataset(network)  # the rows the app trains on
    order = [n for n in network.topological_order() if network.neuron(n).kind != "input"]
    neurons = [
        (n, network.neuron(n).activation, [c.source for c in network.incoming(n)]) for n in order
    ]
    weights, biases = network.parameters()
    t = network.training
    features = {
        f: (network.neuron(f).feature[0], list(network.neuron(f).feature[1]))
        for f in network.feature_inputs
    }
    return template.format(
        name=network.name or "network",
        filename=filename,
        inputs=repr(network.inputs),
        features=repr(features),
        regularization=t.regularization,
        regularization_rate=t.regularization_rate,
        outputs=repr(network.outputs),
        neurons=repr(neurons),
        weights=repr(weights),
        biases=repr(biases),
        X=repr(data.inputs.tolist()),
        Y=repr(data.targets.tolist()),
        loss=t.loss,
        optimizer=t.optimizer,
        learning_rate=t.learning_rate,
        batch_size=t.batch_size,
        shuffle=t.shuffle,
        momentum=t.momentum,
        rho=t.rho,
        halve_on_rise=t.halve_on_rise,
        halve_after=t.halve_after,
        min_improvement=t.min_improvement,
        beta1=t.beta1,
        beta2=t.beta2,
        epsilon=t.epsilon,
        halve=t.halve_on_plateau,
        patience=t.plateau_patience,
        min_lr=t.min_learning_rate,
        seed=t.seed,
        epochs=t.max_epochs,
    )


_TORCH_TEMPLATE = '''"""{name}: the same network in PyTorch, exported from Backprop Studio.

Run it with:  python {filename} [EPOCHS]      (or --gradients: print ∂L/∂ of every parameter)
Every connection is its own scalar parameter, so any drawn graph (skip connections
included) trains exactly as drawn; autograd does the backward pass.
"""

import json
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

INPUTS = {inputs}  # the data's columns
FEATURES = {features}  # input neuron: (function, raw inputs), computed from INPUTS
OUTPUTS = {outputs}
NEURONS = {neurons}  # (neuron, activation, sources) in topological order
WEIGHTS = {{k: torch.tensor(v, requires_grad=True) for k, v in {weights}.items()}}
BIASES = {{k: torch.tensor(v, requires_grad=True) for k, v in {biases}.items()}}
X = torch.tensor({X}).T  # inputs × samples
Y = torch.tensor({Y}).T  # outputs × samples
LOSS, OPTIMIZER, LEARNING_RATE = {loss!r}, {optimizer!r}, {learning_rate!r}
BATCH_SIZE, SHUFFLE, SEED = {batch_size!r}, {shuffle!r}, {seed!r}
MOMENTUM, RHO, BETA1, BETA2, EPSILON = {momentum!r}, {rho!r}, {beta1!r}, {beta2!r}, {epsilon!r}
EPOCHS = {epochs!r}
HALVE_ON_PLATEAU, PATIENCE, MIN_LEARNING_RATE = {halve!r}, {patience!r}, {min_lr!r}
HALVE_ON_RISE, HALVE_AFTER = {halve_on_rise!r}, {halve_after!r}  # no halving before then
MIN_IMPROVEMENT = {min_improvement!r}  # stop when 0 < previous loss − loss < this
REGULARIZATION, RATE = {regularization!r}, {regularization_rate!r}  # on weights, not biases
SOFTMAX = all(act == "softmax" for name, act, _ in NEURONS if name in OUTPUTS)
FEATURE_FUNCTIONS = {{
    "square": lambda v: v[0] * v[0],
    "product": lambda v: v[0] * v[1],
    "sin": lambda v: torch.sin(v[0]),
    "cos": lambda v: torch.cos(v[0]),
}}
ACTIVATIONS = {{
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
    "step": lambda z: (z >= 0).to(z.dtype),
    "linear": lambda z: z,
    "softmax": lambda z: z,  # the outputs are normalised together in forward()
}}


def forward(x):
    a = {{name: x[i] for i, name in enumerate(INPUTS)}}
    for name, (fn, args) in FEATURES.items():
        a[name] = FEATURE_FUNCTIONS[fn]([a[s] for s in args])
    for name, act, sources in NEURONS:
        z = BIASES[name] + sum(WEIGHTS[(s, name)] * a[s] for s in sources)
        a[name] = ACTIVATIONS[act](z)
    yhat = torch.stack([a[o] for o in OUTPUTS])
    return torch.softmax(yhat, dim=0) if SOFTMAX else yhat


def penalty():
    if REGULARIZATION == "l2":
        return 0.5 * RATE * sum(w * w for w in WEIGHTS.values())
    if REGULARIZATION == "l1":
        return RATE * sum(w.abs() for w in WEIGHTS.values())
    return 0.0


def loss_of(x, y):
    yhat, m = forward(x), x.shape[1]
    if LOSS == "mse":
        return 0.5 * ((yhat - y) ** 2).sum() / m + penalty()
    if LOSS == "bce":
        p = yhat.clamp(1e-12, 1 - 1e-12)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).sum() / m + penalty()
    if LOSS == "cross_entropy":
        return -(y * torch.log(yhat.clamp_min(1e-12))).sum() / m + penalty()
    return yhat.sum() / m + penalty()  # "output": L = ŷ


def main():
    params = [*WEIGHTS.values(), *BIASES.values()]
    if "--gradients" in sys.argv:
        loss_of(X, Y).backward()
        grads = {{f"w:{{s}}->{{t}}": float(p.grad) for (s, t), p in WEIGHTS.items()}}
        grads.update({{f"b:{{n}}": float(p.grad) for n, p in BIASES.items()}})
        print(json.dumps(grads))
        return
    if OPTIMIZER == "adam":
        opt = torch.optim.Adam(params, lr=LEARNING_RATE, betas=(BETA1, BETA2), eps=EPSILON)
    elif OPTIMIZER == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=LEARNING_RATE, alpha=RHO, eps=EPSILON)
    else:  # for momentum, torch's v = μv + g, p −= ηv is the app's v = μv − ηg, p += v
        opt = torch.optim.SGD(params, lr=LEARNING_RATE, momentum=MOMENTUM if OPTIMIZER == "momentum" else 0)
    rng = np.random.default_rng(SEED)
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else EPOCHS
    m = X.shape[1]
    k = m if not BATCH_SIZE or BATCH_SIZE >= m else BATCH_SIZE
    losses, best, since_best = [], float("inf"), 0
    for epoch in range(1, epochs + 1):
        order = torch.as_tensor(rng.permutation(m)) if k < m and SHUFFLE else torch.arange(m)
        xs, ys = X[:, order], Y[:, order]
        total = 0.0
        for i in range(0, m, k):
            opt.zero_grad()
            loss = loss_of(xs[:, i : i + k], ys[:, i : i + k])
            loss.backward()
            opt.step()
            total += float(loss) * xs[:, i : i + k].shape[1]
        epoch_loss = total / m
        print(f"epoch {{epoch}} loss {{epoch_loss:.15g}}")
        losses.append(epoch_loss)
        if epoch > HALVE_AFTER:
            halvings = 0  # the app halves once for each rule that fires
            if HALVE_ON_PLATEAU:
                if epoch_loss < best:
                    best, since_best = epoch_loss, 0
                else:
                    since_best += 1
                    if since_best >= PATIENCE:
                        halvings, since_best = 1, 0
            if HALVE_ON_RISE and len(losses) > 1 and epoch_loss > losses[-2]:
                halvings += 1
            for group in opt.param_groups:
                for _ in range(halvings):
                    group["lr"] = max(group["lr"] / 2, MIN_LEARNING_RATE)
        if MIN_IMPROVEMENT is not None and len(losses) > 1:
            if 0 < losses[-2] - epoch_loss < MIN_IMPROVEMENT:
                break


if __name__ == "__main__":
    main()
'''


def torch_script(network, filename: str = "network_torch.py") -> str:
    """The text of a standalone PyTorch script for ``network``, with the app's optimiser,
    halving rules and stop rule."""
    return _format(_TORCH_TEMPLATE, network, filename)
