"""Drawing a neuron's computational graph (``engine.compgraph``): boxes for the nodes, arrows
for the edges, the numbers the engine says are known at the step cursor. Nothing here
computes: values, gradients and local derivatives are the engine's, formatted for display.

Boxes are sized once per graph for the longest text they will ever hold, so the picture
does not move as the walkthrough fills it in."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import (
    QGraphicsPathItem,
    QGraphicsPolygonItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsTextItem,
)

from engine.compgraph import CompGraph, GraphState
from engine.formatting import to_html as html
from engine.formatting import update_pair

from .. import theme

COLUMN_GAP = 46  # besides the widest edge label between two columns
ROW_GAP = 22
PAD = 7
ROLE_OUTLINE = {
    "weight": "#4f79a3",
    "source": "#4f79a3",
    "bias": "#6d6d6d",
    "product": "#3b3b3b",
    "sum": "#3b3b3b",
    "z": "#3b3b3b",
    "activation": "#3b3b3b",
    "loss": "#b4641e",
}
ROLE_FILL = {"weight": "#eef4fa", "source": "#e4eef8", "bias": "#f3f3f3", "loss": "#fcebd6"}
UNKNOWN = "<span style='color:#9a9a9a'>?</span>"


def _colour(name: str) -> str:
    return QColor(name).name()


class EdgeLabel(QGraphicsTextItem):
    """An edge's local derivative on a pale background, readable across other edges."""

    def paint(self, painter, option, widget=None) -> None:
        painter.fillRect(self.boundingRect().adjusted(3, 3, -3, -3), QColor(255, 255, 255, 225))
        super().paint(painter, option, widget)


class GraphScene(QGraphicsScene):
    """The graph of one neuron; ``show(state, focus)`` writes what is known."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setBackgroundBrush(QBrush(QColor("#ffffff")))
        self.graph: CompGraph | None = None
        self.boxes: dict[str, QGraphicsRectItem] = {}
        self.texts: dict[str, QGraphicsTextItem] = {}
        self.edge_items: dict[tuple[str, str], QGraphicsPathItem] = {}
        self.edge_labels: dict[tuple[str, str], QGraphicsTextItem] = {}
        self.edge_heads: dict[tuple[str, str], QGraphicsPolygonItem] = {}
        self.structure_only = False

    # ------------------------------------------------------------ text
    def _f(self, x: float) -> str:
        return self.graph.walk.fmt(x)

    def node_html(self, nid: str, view=None, full: bool = False) -> str:
        """The node's box: what it is, its value, ∂L/∂node and (parameters) the update.
        ``full``: every line filled in (to size the box)."""
        node = self.graph.nodes[nid]
        walk = self.graph.walk
        sym = f"<b>{html(node.symbol)}</b>"
        head = f"{sym} = {html(node.formula)}" if node.formula else sym
        if node.op:
            head = f"<span style='color:#555'>[{html(node.op)}]</span>&nbsp; {head}"
        value = node.value if full else (view.value if view else None)
        hide_value = self.structure_only and node.role not in ("weight", "bias")
        lines = [
            head,
            ("= " + self._f(value)) if value is not None and not hide_value else "= " + UNKNOWN,
        ]
        colour = _colour(theme.ANNOTATION.name())
        d = "∂Lᵢ" if walk.m > 1 else "∂L"
        grad = node.grad if full else (view.grad if view else None)
        what = (
            html(node.symbol)
            if node.role != "source" or not node.other_paths
            else (f"{html(node.symbol)} via this neuron")
        )
        if node.role != "loss":
            g = self._f(grad) if grad is not None else UNKNOWN
            lines.append(f"<span style='color:{colour}'>{d}/∂{what} = {g}</span>")
        if node.batch_grad is not None and walk.m > 1:
            bg = node.batch_grad if full else (view.batch_grad if view else None)
            text = self._f(bg) if bg is not None else UNKNOWN
            lines.append(
                f"<span style='color:{colour}'>batch mean ∂L/∂{html(node.symbol)} = {text}</span>"
            )
        if node.new_value is not None:
            new = node.new_value if full else (view.new_value if view else None)
            if new is not None or full:
                old, shown = update_pair(node.value, node.new_value, walk.fmt.digits)
                lines.append(f"<span style='color:#b07b00'>updated: {old} → {shown}</span>")
            else:
                lines.append("&nbsp;")
        return "<br>".join(lines)

    def edge_html(self, edge, local: float | None, full: bool = False) -> str:
        sym = html(edge.local_symbol)
        value = edge.local if full else local
        if value is None:
            return f"<span style='color:#8a8a8a'>{sym}</span>"
        number = self._f(value)
        rhs = edge.local_symbol.rsplit(" = ", 1)[-1] if " = " in edge.local_symbol else ""
        text = sym if rhs == number else f"{sym} = {number}"
        return f"<span style='color:{_colour(theme.ANNOTATION.name())}'>{text}</span>"

    # ------------------------------------------------------------ build
    def set_graph(self, graph: CompGraph, structure_only: bool = False) -> None:
        self.clear()
        self.graph = graph
        self.structure_only = structure_only
        self.boxes, self.texts, self.edge_items = {}, {}, {}
        self.edge_labels, self.edge_heads = {}, {}
        sizes = {}
        for nid in graph.nodes:
            text = QGraphicsTextItem()
            text.setFont(theme.font(10))
            text.setHtml(self.node_html(nid, full=True))
            r = text.boundingRect()
            sizes[nid] = (r.width() + 2 * PAD, r.height() + 2 * PAD)
            self.texts[nid] = text
        label_width = {}
        for e in graph.edges:
            label = EdgeLabel()
            label.setFont(theme.font(9))
            label.setHtml(self.edge_html(e, None, full=True))
            self.edge_labels[(e.source, e.target)] = label
            col = graph.nodes[e.target].column
            label_width[col] = max(label_width.get(col, 0.0), label.boundingRect().width())
        columns = graph.columns
        col_width = [
            max((sizes[n][0] for n in graph.nodes if graph.nodes[n].column == c), default=0)
            for c in range(columns)
        ]
        row_height = max(h for _, h in sizes.values()) + ROW_GAP
        x, col_x = 0.0, []
        for c in range(columns):
            if c > 0:
                x += label_width.get(c, 0.0) + COLUMN_GAP
            col_x.append(x)
            x += col_width[c]
        for nid, node in graph.nodes.items():
            w, h = sizes[nid]
            left = col_x[node.column] + (col_width[node.column] - w) / 2
            top = node.row * row_height
            box = QGraphicsRectItem(0, 0, w, h)
            box.setPos(left, top)
            box.setData(0, nid)
            fill = ROLE_FILL.get(node.role, "#ffffff")
            box.setBrush(QBrush(QColor(fill)))
            box.setPen(QPen(QColor(ROLE_OUTLINE[node.role]), 1.4))
            self.addItem(box)
            self.texts[nid].setParentItem(box)
            self.texts[nid].setPos(PAD, PAD)
            self.texts[nid].setDefaultTextColor(QColor("#1e1e1e"))
            self.boxes[nid] = box
        for e in graph.edges:
            self._add_edge(e)
        self.setSceneRect(self.itemsBoundingRect().adjusted(-20, -20, 20, 20))

    def _add_edge(self, e) -> None:
        a, b = self.boxes[e.source], self.boxes[e.target]
        ra, rb = a.sceneBoundingRect(), b.sceneBoundingRect()
        p = QPointF(ra.right(), ra.center().y())
        q = QPointF(rb.left(), rb.center().y())
        path = QPainterPath(p)
        dx = (q.x() - p.x()) / 2
        path.cubicTo(QPointF(p.x() + dx, p.y()), QPointF(q.x() - dx, q.y()), q)
        item = QGraphicsPathItem(path)
        item.setPen(QPen(QColor("#7a7a7a"), 1.3))
        item.setZValue(-1)
        self.addItem(item)
        head = QGraphicsPolygonItem(
            QPolygonF([q, QPointF(q.x() - 9, q.y() - 4.5), QPointF(q.x() - 9, q.y() + 4.5)]),
            item,
        )
        head.setPen(QPen(QColor("#7a7a7a"), 1))
        head.setBrush(QBrush(QColor("#7a7a7a")))
        self.edge_heads[(e.source, e.target)] = head
        self.edge_items[(e.source, e.target)] = item
        label = self.edge_labels[(e.source, e.target)]
        self.addItem(label)
        mid = path.pointAtPercent(0.5)
        r = label.boundingRect()
        label.setPos(mid.x() - r.width() / 2, mid.y() - r.height() + 2)

    def set_empty(self) -> None:
        self.clear()
        self.graph = None
        self.boxes, self.texts, self.edge_items = {}, {}, {}
        self.edge_labels, self.edge_heads = {}, {}

    # ------------------------------------------------------------ state
    def show(self, state: GraphState, focus: int | None) -> None:
        """Write what is known; ``focus``: the step on screen, whose results glow gold."""
        g = self.graph
        for nid, node in g.nodes.items():
            self.texts[nid].setHtml(self.node_html(nid, state.nodes[nid]))
            hot = focus is not None and focus in (
                node.value_step,
                node.grad_step,
                node.update_step,
            )
            pen = QPen(
                theme.HIGHLIGHT if hot else QColor(ROLE_OUTLINE[node.role]), 3 if hot else 1.4
            )
            self.boxes[nid].setPen(pen)
        for e in g.edges:
            key = (e.source, e.target)
            local = state.edges[key]
            self.edge_labels[key].setHtml(self.edge_html(e, local))
            hot = focus is not None and focus == e.step
            colour = theme.HIGHLIGHT if hot else QColor("#7a7a7a" if local is None else "#5b3a6e")
            self.edge_items[key].setPen(QPen(colour, 2.2 if hot else 1.3))
            self.edge_heads[key].setPen(QPen(colour, 1))
            self.edge_heads[key].setBrush(QBrush(colour))

    def content_rect(self) -> QRectF:
        return self.itemsBoundingRect().adjusted(-16, -16, 16, 16)

    def texts_shown(self) -> dict[str, str]:
        """Each node's text as shown (for tests and screenshots)."""
        return {nid: t.toPlainText() for nid, t in self.texts.items()}

    def edge_texts(self) -> dict[tuple[str, str], str]:
        return {k: t.toPlainText() for k, t in self.edge_labels.items()}
