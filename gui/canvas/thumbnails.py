"""Each neuron's own activation over the input space, as a small map above it on the
canvas (as TensorFlow Playground does, here for any neuron of any drawn graph)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QImage

from engine.datasets import dataset_from_spec
from engine.maps import data_extent, neuron_map

RESOLUTION = 28
# the decision map's colours: orange at the activation's low end, blue at its high end
_CMAP = pg.ColorMap([0.0, 0.5, 1.0], ["#e8822a", "#f7f7f7", "#2b7bba"])
_RANGES = {"sigmoid": (0.0, 1.0), "step": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def update_thumbnails(scene, compiled, enabled: bool) -> None:
    net = scene.doc.network
    if not enabled or net.dataset is None or not net.inputs:
        for item in scene.neuron_items.values():
            item.set_thumbnail(None)
        return
    try:
        data = dataset_from_spec(net.dataset, net.inputs, net.outputs)
    except ValueError:
        return
    extent = data_extent(data.inputs)
    for nid, item in scene.neuron_items.items():
        neuron = net.neuron(nid)
        if neuron.kind == "input":
            item.set_thumbnail(None)
            continue
        values = neuron_map(compiled, extent, RESOLUTION, neuron=nid)
        lo, hi = _RANGES.get(neuron.activation, (float(values.min()), float(values.max())))
        scaled = (values - lo) / (hi - lo) if hi > lo else np.full_like(values, 0.5)
        rgba = _CMAP.map(np.clip(scaled[::-1], 0, 1).ravel(), mode="byte").reshape(
            RESOLUTION, RESOLUTION, 4
        )
        image = QImage(
            np.ascontiguousarray(rgba).data,
            RESOLUTION,
            RESOLUTION,
            4 * RESOLUTION,
            QImage.Format.Format_RGBA8888,
        )
        item.set_thumbnail(image.copy())
