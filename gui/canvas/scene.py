"""The canvas scene: keeps one item per neuron and connection in step with the document,
and turns mouse gestures into undo commands (add, connect, move)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsScene, QToolTip

from engine.errors import ConnectionRefused
from engine.network import Neuron

from .. import theme
from ..commands import AddNeuron, Connect, MoveNeurons
from ..document import Document
from .items import ConnectionItem, NeuronItem
from .layer import ConnectionLayer
from .placement import place_labels
from .weight_label import WeightLabel

TOOLS = ("select", "input", "hidden", "output", "connect")
TOOL_HINTS = {
    "select": "Select: click or drag a rubber band to select; drag neurons to move them; drag "
    "from a neuron's + handle to connect; double-click empty space to add a hidden neuron.",
    "input": "Add input: click on the canvas to place an input neuron (inputs go on the left).",
    "hidden": "Add hidden: click on the canvas to place a hidden neuron.",
    "output": "Add output: click on the canvas to place an output neuron.",
    "connect": "Connect: drag from one neuron to another. Esc cancels.",
}


class NetworkScene(QGraphicsScene):
    status = Signal(str)  # a message for the status bar (refusals, hints)
    escape_pressed = Signal()  # Esc with nothing to cancel: back to the Select tool
    weight_edit_requested = Signal(object)  # (source, target)
    neuron_activated = Signal(str)  # double-click on a neuron: show it in the inspector
    context_menu_requested = Signal(object, object)  # (item or None, screen QPoint)

    def __init__(self, doc: Document, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.neuron_items: dict[str, NeuronItem] = {}
        self.layer: ConnectionLayer | None = None
        self.labels_visible = True
        self.connection_items: dict[tuple[str, str], ConnectionItem] = {}
        self.tool = "select"
        self._drag_source: NeuronItem | None = None
        self._preview: QGraphicsLineItem | None = None
        self._hovered_target: NeuronItem | None = None
        self._press_positions: dict[str, tuple[float, float]] = {}
        # labels are placed clear of each other once the changes of an event are in
        self._placement = QTimer(self)
        self._placement.setSingleShot(True)
        self._placement.setInterval(0)
        self._placement.timeout.connect(self.place_labels)
        self._placement_paused = False
        self.setBackgroundBrush(theme.canvas_background())
        self.setSceneRect(QRectF(-3000, -2000, 6000, 4000))  # room to pan and to draw
        doc.neuron_added.connect(self._add_neuron_item)
        doc.neuron_removed.connect(self._remove_neuron_item)
        doc.neuron_changed.connect(self._update_neuron_item)
        doc.neuron_moved.connect(self._update_neuron_item)
        doc.connection_added.connect(self._add_connection_item)
        doc.connection_removed.connect(self._remove_connection_item)
        doc.connection_changed.connect(self._update_connection_item)
        doc.network_replaced.connect(self.rebuild)
        self.selectionChanged.connect(self._selection_changed)
        self.rebuild()

    # ------------------------------------------------------ model → items
    def rebuild(self) -> None:
        self.cancel_connection()
        self.clear()
        self.neuron_items.clear()
        self.connection_items.clear()
        self.layer = ConnectionLayer()
        self.addItem(self.layer)
        for n in self.doc.network.neurons:
            self._add_neuron_item(n.id)
        for c in self.doc.network.connections:
            self._add_connection_item(c.key)
        self.schedule_placement()

    def schedule_placement(self) -> None:
        if not self._placement_paused:
            self._placement.start()

    def place_labels(self) -> None:
        """Move labels where they overlap no other label and no neuron (now)."""
        self._placement.stop()
        if not self._placement_paused:
            place_labels(self)

    def set_placement_paused(self, paused: bool) -> None:
        """Paused while playing; placed again when it stops."""
        self._placement_paused = paused
        if not paused:
            self.place_labels()

    def _add_neuron_item(self, nid: str) -> None:
        item = NeuronItem(self.doc.network.neuron(nid))
        self.neuron_items[nid] = item
        self.addItem(item)
        self._grow(item)
        self.schedule_placement()

    def _grow(self, item) -> None:
        """Keep a margin of canvas around every neuron, however far it is placed."""
        rect = item.sceneBoundingRect().adjusted(-1000, -1000, 1000, 1000)
        if not self.sceneRect().contains(rect):
            self.setSceneRect(self.sceneRect().united(rect))

    def _remove_neuron_item(self, nid: str) -> None:
        item = self.neuron_items.pop(nid)
        self.removeItem(item)
        self.schedule_placement()

    def _update_neuron_item(self, nid: str) -> None:
        self.neuron_items[nid].update_from(self.doc.network.neuron(nid))
        self._grow(self.neuron_items[nid])
        self.schedule_placement()

    def _add_connection_item(self, key) -> None:
        conn = self.doc.network.connection(*key)
        item = ConnectionItem(conn, self.neuron_items[key[0]], self.neuron_items[key[1]])
        item.update_from(conn)
        self.connection_items[tuple(key)] = item
        item.label.setVisible(self.labels_visible)
        self.addItem(item)
        self.layer.add(item)
        self.schedule_placement()

    def _remove_connection_item(self, key) -> None:
        item = self.connection_items.pop(tuple(key))
        item.detach()
        self.layer.remove(item)
        self.removeItem(item)
        self.schedule_placement()

    def _update_connection_item(self, key) -> None:
        self.connection_items[tuple(key)].update_from(self.doc.network.connection(*key))
        self.schedule_placement()

    def network_rect(self) -> QRectF:
        """The drawn network's extent (neurons bound every connection; asking each of
        thousands of connection items instead is slow)."""
        rect = QRectF()
        for item in self.neuron_items.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect if rect.isValid() else QRectF(-200, -150, 400, 300)

    def show_weight_labels(self, visible: bool) -> None:
        if visible != self.labels_visible:
            self.labels_visible = visible
            for item in self.connection_items.values():
                item.label.setVisible(visible)
            self.schedule_placement()

    def _selection_changed(self) -> None:
        """Selected arrows glow; the layer draws them (it may be gone while clearing)."""
        if shiboken6.isValid(self.layer):
            self.layer.marks_changed()

    # ----------------------------------------------------------- queries
    def selected_neurons(self) -> list[str]:
        return [i.neuron_id for i in self.selectedItems() if isinstance(i, NeuronItem)]

    def selected_connections(self) -> list[tuple[str, str]]:
        return [i.key for i in self.selectedItems() if isinstance(i, ConnectionItem)]

    def neuron_at(self, pos: QPointF) -> NeuronItem | None:
        for item in self.items(pos):
            if isinstance(item, NeuronItem):
                return item
        return None

    def set_tool(self, tool: str) -> None:
        self.cancel_connection()
        self.tool = tool
        self.status.emit(TOOL_HINTS[tool])

    # ------------------------------------------------------ interactions
    def add_neuron_at(self, kind: str, pos: QPointF) -> str:
        net = self.doc.network
        nid = net.new_id(kind)
        neuron = Neuron(
            nid,
            kind,
            None if kind == "input" else "sigmoid",
            0.0,
            "",
            (round(pos.x()), round(pos.y())),
        )
        self.doc.undo_stack.push(AddNeuron(self.doc, neuron))
        self.status.emit(f"Added {kind} neuron {nid}.")
        return nid

    def begin_connection(self, source: NeuronItem) -> None:
        self._drag_source = source
        self._preview = QGraphicsLineItem(QLineF(source.scenePos(), source.scenePos()))
        pen = QPen(theme.muted_text_colour(), 2, Qt.PenStyle.DashLine)
        self._preview.setPen(pen)
        self._preview.setZValue(5)
        self.addItem(self._preview)
        net = self.doc.network
        for nid, item in self.neuron_items.items():
            if item is not source:
                item.set_target_state("valid" if net.can_connect(source.neuron_id, nid) else None)
        self.status.emit(
            f"Connecting from {source.label}: release over a highlighted neuron. Esc cancels."
        )

    def cancel_connection(self) -> None:
        if self._preview is not None:
            self.removeItem(self._preview)
        self._preview = None
        self._drag_source = None
        self._hovered_target = None
        for item in self.neuron_items.values():
            item.set_target_state(None)

    @property
    def connecting(self) -> bool:
        return self._drag_source is not None

    def _refusal(self, source: str, target: str) -> str | None:
        try:
            self.doc.network.check_connect(source, target)
        except ConnectionRefused as e:
            return e.reason
        return None

    def _finish_connection(self, pos: QPointF) -> None:
        source = self._drag_source
        target = self.neuron_at(pos)
        self.cancel_connection()
        if target is None or target is source:
            if target is source:
                self.status.emit(
                    f"Cannot connect {source.label} to itself: a neuron cannot feed itself."
                )
            else:
                self.status.emit("Connection cancelled: release over a neuron to connect.")
            return
        reason = self._refusal(source.neuron_id, target.neuron_id)
        if reason:
            self.status.emit(f"Cannot connect {source.label} → {target.label}: {reason}.")
            return
        self.doc.undo_stack.push(Connect(self.doc, source.neuron_id, target.neuron_id, 0.0))
        self.status.emit(
            f"Connected {source.label} → {target.label} (weight 0; edit it in the inspector)."
        )

    # ------------------------------------------------------------ events
    def mousePressEvent(self, event) -> None:
        pos = event.scenePos()
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.neuron_at(pos)
            if self.tool in ("input", "hidden", "output") and item is None:
                self.add_neuron_at(self.tool, pos)
                event.accept()
                return
            if item is not None and (self.tool == "connect" or item.on_handle(pos)):
                if item.kind == "output":
                    self.status.emit(
                        f"Cannot connect from {item.label}: {item.label} is an output neuron; outputs only receive."
                    )
                else:
                    self.begin_connection(item)
                event.accept()
                return
        super().mousePressEvent(event)
        self._press_positions = {
            nid: self.doc.network.neuron(nid).position for nid in self.selected_neurons()
        }

    def mouseMoveEvent(self, event) -> None:
        if self.connecting:
            pos = event.scenePos()
            self._preview.setLine(QLineF(self._drag_source.scenePos(), pos))
            target = self.neuron_at(pos)
            if target is not self._hovered_target:
                if self._hovered_target is not None:
                    ok = self.doc.network.can_connect(
                        self._drag_source.neuron_id, self._hovered_target.neuron_id
                    )
                    self._hovered_target.set_target_state("valid" if ok else None)
                self._hovered_target = target
                if target is not None and target is not self._drag_source:
                    reason = self._refusal(self._drag_source.neuron_id, target.neuron_id)
                    target.set_target_state("invalid" if reason else "valid")
                    if reason:
                        self.status.emit(
                            f"Cannot connect {self._drag_source.label} → {target.label}: {reason}."
                        )
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self.connecting and event.button() == Qt.MouseButton.LeftButton:
            self._finish_connection(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self._commit_move()

    def _commit_move(self) -> None:
        old = self._press_positions
        self._press_positions = {}
        new = {}
        for nid in old:
            item = self.neuron_items.get(nid)
            if item is not None:
                new[nid] = (round(item.pos().x(), 1), round(item.pos().y(), 1))
        if new and any(new[n] != old[n] for n in new):
            self.doc.undo_stack.push(MoveNeurons(self.doc, old, new))

    def mouseDoubleClickEvent(self, event) -> None:
        pos = event.scenePos()
        for item in self.items(pos):
            if isinstance(item, WeightLabel):
                self.weight_edit_requested.emit(item.edge.key)
                return
            if isinstance(item, NeuronItem):
                self.neuron_activated.emit(item.neuron_id)
                return
            if isinstance(item, ConnectionItem):
                self.weight_edit_requested.emit(item.key)
                return
        if self.tool == "select":
            self.add_neuron_at("hidden", pos)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.connecting:
            self.cancel_connection()
            self.status.emit("Connection cancelled.")
            return
        if event.key() == Qt.Key.Key_Escape and self.tool != "select":
            self.escape_pressed.emit()  # back to the Select tool
            return
        super().keyPressEvent(event)

    def helpEvent(self, event) -> None:
        """Tooltips written when asked for, so they never go stale and cost nothing."""
        for item in self.items(event.scenePos()):
            if isinstance(item, WeightLabel):
                item = item.edge
            if isinstance(item, NeuronItem | ConnectionItem):
                extra = (
                    "\nDouble-click to edit the weight."
                    if isinstance(item, ConnectionItem)
                    else ""
                )
                QToolTip.showText(event.screenPos(), item.tooltip() + extra)
                return
        QToolTip.hideText()

    def contextMenuEvent(self, event) -> None:
        target = None
        for item in self.items(event.scenePos()):
            if isinstance(item, WeightLabel):
                item = item.edge
            if isinstance(item, NeuronItem | ConnectionItem):
                target = item
                break
        if target is not None and not target.isSelected():
            self.clearSelection()
            target.setSelected(True)
        self.context_menu_requested.emit(target, event.screenPos())
