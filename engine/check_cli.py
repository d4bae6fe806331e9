"""``python -m engine check FILE``: validate the file, then compare its analytic gradients
with central differences and report any that disagree.
"""

from __future__ import annotations

import math
from pathlib import Path

from .cli_common import EXIT_DISAGREE, PATH_SHOWN, load_file, sample_data
from .errors import plain
from .gradient_check import RTOL, UNSETTLED, check_gradients
from .limits import count


def _many(n: int, what: str) -> str:
    return f"{count(n)} {what}{'' if n == 1 else 's'}"


def cmd_check(args) -> int:
    net = load_file(args.file)
    X, Y = sample_data(net, args.sample)
    m = X.shape[1]
    result = check_gradients(net, X, Y)
    lines = [
        f"{plain(Path(args.file).name, PATH_SHOWN)}: valid; {count(result.compared)} gradients compared "
        f"with central differences ({_many(result.parameters, 'parameter')}, "
        f"{_many(result.inputs, 'input')} × {_many(m, 'sample')})"
    ]
    if not math.isfinite(result.loss):
        lines.append(f"the loss is not finite ({result.loss}): the gradients cannot be checked")
        print("\n".join(lines))
        return EXIT_DISAGREE
    if result.parameters_alone < result.parameters or result.inputs_alone < result.inputs:
        lines.append(
            f"    compared one at a time: {count(result.parameters_alone)} of "
            f"{count(result.parameters)} parameters and {count(result.inputs_alone)} of "
            f"{count(result.inputs)} input neurons (a seeded sample: all of them would take "
            f"too long); all together along {result.directions} random directions"
        )
    if result.at_kinks:
        lines.append(
            f"    {count(result.at_kinks)} comparisons left out samples where a ReLU or step "
            "neuron sat at its kink (the difference quotient measures neither slope there)"
        )
    if result.unsettled:
        lines.append(
            f"    {count(result.unsettled)} gradients could not be checked: halving the step "
            f"moved the finite difference by more than {100 * UNSETTLED:g}% (the loss curves "
            "too sharply there)"
        )
    tolerance = f"tolerance {RTOL:g} relative, plus the finite difference's own error and rounding"
    for row in result.examples or ([result.worst] if result.worst else []):
        lines.append(
            f"    {row.name:<20} analytic {row.analytic: .8g}   numeric {row.numeric: .8g}   "
            f"difference {row.difference:.2e} (allowed {row.allowed:.2e})"
        )
    if result.disagreeing:
        more = result.disagreeing - len(result.examples)
        if more > 0:
            lines.append(f"    … and {count(more)} more")
        lines.append(f"{count(result.disagreeing)} gradients disagree ({tolerance})")
        print("\n".join(lines))
        return EXIT_DISAGREE
    share = result.worst.ratio if result.worst else 0.0
    verdict = "all agree" if not result.unsettled else "no disagreement"
    lines.append(
        f"{verdict} (the largest difference is {100 * share:.2g}% of what its tolerance "
        f"allows; {tolerance})"
    )
    print("\n".join(lines))
    return 0
