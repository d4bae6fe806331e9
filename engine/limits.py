"""How much a network file or one command may ask for, checked before anything is
allocated. A classroom never comes near these; a laptop survives all of them at once.

The README's file-format section lists the same numbers; ``tests/test_hostile_files.py``
runs files at and beyond each of them.
"""

from __future__ import annotations

MAX_FILE_BYTES = 20_000_000  # 20 MB, read at most this + 1 bytes
MAX_NESTING = 64  # [ and { inside each other; a network file needs 4
MAX_NEURONS = 10_000
MAX_CONNECTIONS = 100_000
MAX_SAMPLES = 1_000_000  # dataset rows, or a generator's size
MAX_ACTIVATIONS = 20_000_000  # neurons × samples: what one pass over the data holds
MAX_WEIGHT_VALUES = 1_000_000  # the compiled network's dense weight blocks
MAX_EPOCHS = 10_000_000  # a file's max_epochs and train --epochs (the app's own range)
MAX_SEED = 2**31 - 1  # seeds, as the app's seed fields take them
MAX_COUNT = 10_000_000  # batch_size, plateau_patience
MAX_WORK = 10**11  # estimated operations of one train command (minutes, not hours)
MAX_CHECK_WORK = 2 * 10**10  # check compares one parameter at a time up to this
MAX_PRINTED_VALUES = 1_000_000  # forward / backward without --sample
MAX_DIGITS = 17  # walk --digits
MAX_TEXT = 1_000  # characters of an id, a label or a name
MAX_POSITION = 1e6  # |x| and |y| of a neuron's position on the canvas

# The cost model behind MAX_WORK and MAX_CHECK_WORK, in rough operations: each sample
# passes every weight-block value once and every neuron ~10 times (activation and its
# slope), and each numpy call of a pass costs about as much as 2,000 multiply-adds.
_NEURON_COST = 10
_LEVEL_COST = 20_000


def count(n: int | float) -> str:
    """1,000,000 — how limits are written in messages."""
    return f"{n:,}" if isinstance(n, int) else f"{n:,.0f}"


def weight_values(network) -> tuple[int, int]:
    """(an upper bound on the values in the compiled network's dense weight blocks, the
    number of levels), from depths alone: no arrays are built.

    The compiled network groups neurons into levels by depth, each after a row of ones
    (its biases); a level's block has one row per neuron and one column per row from its
    lowest source up to and including its row of ones. Bounding a source's row by the
    first row of its level makes this an upper bound."""
    depth = network.depths()
    sizes: dict[int, int] = {}
    for d in depth.values():
        sizes[d] = sizes.get(d, 0) + 1
    first_row: dict[int, int] = {}
    row = 0
    for d in sorted(sizes):
        row += d > 0  # the level's row of ones
        first_row[d] = row
        row += sizes[d]
    lowest: dict[int, int] = {}
    for c in network.connections:
        d = depth[c.target]
        lowest[d] = min(lowest.get(d, d), depth[c.source])
    total = 0
    for d in sizes:
        if d > 0:
            total += sizes[d] * (first_row[d] - first_row[lowest[d]] if d in lowest else 1)
    return total, len([d for d in sizes if d > 0])


def pass_cost(network, samples: int) -> float:
    """Rough operations of one forward pass of ``samples`` samples."""
    weights, levels = weight_values(network)
    n = len(network.neurons)
    return float(samples) * (weights + _NEURON_COST * n) + _LEVEL_COST * max(levels, 1)


def training_work(network, samples: int, batch: int, epochs: int) -> float:
    """Rough operations of ``epochs`` epochs: forward and backward (3 passes' worth) over
    every sample, plus the fixed cost of every update's numpy calls."""
    weights, levels = weight_values(network)
    n = len(network.neurons)
    updates = -(-samples // max(1, min(batch, samples)))
    per_epoch = 3 * samples * (weights + _NEURON_COST * n) + updates * 3 * _LEVEL_COST * max(
        levels, 1
    )
    return float(epochs) * per_epoch
