"""Colours of the decision maps, as numpy arrays (no Qt): testable against the engine's
probabilities pixel by pixel.

Classes use the Okabe–Ito palette, which stays distinguishable with the common forms of
colour blindness; two classes keep TensorFlow Playground's orange and blue (also a safe
pair). Regions are mixed with the background (white, or the dark palette's base), more
strongly where the winning class is more certain; points use the full colour.
"""

from __future__ import annotations

import numpy as np

# Okabe & Ito (2008): blue, orange, bluish green, vermillion, reddish purple, sky blue
CLASS_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9")
BINARY_LOW, BINARY_HIGH = "#e8822a", "#2b7bba"  # class 0 orange, class 1 blue
BINARY_POINTS = ("#b85400", "#164e87")  # deeper shades, to stand out on the regions
# how much of the class colour a region pixel gets: a little at 1/K, most when certain
MIX_LOW, MIX_HIGH = 0.12, 0.72


def rgb(colour: str) -> np.ndarray:
    """'#rrggbb' as three floats 0–255."""
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def class_colour(k: int) -> str:
    return CLASS_COLOURS[k % len(CLASS_COLOURS)]


def class_image(
    winner: np.ndarray, confidence: np.ndarray, background: str = "#ffffff"
) -> np.ndarray:
    """An RGBA uint8 image (rows × cols × 4): each pixel its class's colour mixed into the
    background by MIX_LOW + (MIX_HIGH − MIX_LOW)·confidence."""
    table = np.array([rgb(c) for c in CLASS_COLOURS])
    colour = table[winner % len(CLASS_COLOURS)]
    t = (MIX_LOW + (MIX_HIGH - MIX_LOW) * np.clip(confidence, 0.0, 1.0))[..., None]
    base = rgb(background)
    out = np.empty((*winner.shape, 4), np.uint8)
    out[..., :3] = np.rint(base + (colour - base) * t)
    out[..., 3] = 255
    return out


def diverging_colours(dark: bool = False) -> list[str]:
    """Low → middle → high of the regression scale: orange, the background, blue."""
    return [BINARY_LOW, "#2b2b2b" if dark else "#f7f7f7", BINARY_HIGH]


def symmetric_range(values: np.ndarray) -> float:
    """The regression scale spans ±this: the largest |target|, at least a little."""
    values = np.asarray(values, dtype=float)
    top = float(np.abs(values).max()) if values.size else 1.0
    return top if top > 1e-9 else 1.0
