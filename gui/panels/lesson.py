"""The lesson dock: the open lesson's goal, what to do, what to observe, and a question."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from engine.examples import lesson_of

HEADINGS = {
    "goal": "Goal",
    "do": "What to do",
    "observe": "What to observe",
    "question": "Think about",
}


class LessonPanel(QWidget):
    def __init__(self, doc) -> None:
        super().__init__()
        self.doc = doc
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.text)
        doc.network_replaced.connect(self.refresh)
        self.refresh()

    @property
    def lesson(self) -> dict[str, str] | None:
        return lesson_of(self.doc.network)

    def refresh(self) -> None:
        lesson = self.lesson
        if lesson is None:
            self.text.setHtml(
                "<p><i>No lesson open. The Lessons menu has the classic experiments, "
                "each ready to step through.</i></p>"
            )
            return
        parts = [f"<h3>{html.escape(lesson['title'])}</h3>"]
        for key, heading in HEADINGS.items():
            if lesson[key]:
                parts.append(f"<p><b>{heading}.</b> {html.escape(lesson[key])}</p>")
        self.text.setHtml("".join(parts))
