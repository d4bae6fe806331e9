"""The example networks shipped in ``resources/examples`` (found through importlib, so an
installed wheel and an editable checkout both see them)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

DEFAULT_EXAMPLE = "xor_lecture"


def examples_dir() -> Path:
    return Path(str(resources.files("resources") / "examples"))


def example_path(name: str = DEFAULT_EXAMPLE) -> Path:
    path = examples_dir() / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"no example {name!r} (have: {', '.join(list_examples())})")
    return path


def list_examples() -> dict[str, str]:
    """{file stem: readable title}, sorted by title."""
    titles = {}
    for path in examples_dir().glob("*.json"):
        try:
            titles[path.stem] = json.loads(path.read_text("utf-8")).get("name") or path.stem
        except (OSError, ValueError):
            continue
    return dict(sorted(titles.items(), key=lambda kv: kv[1].lower()))


LESSON_FIELDS = ("goal", "do", "observe", "question")


def lessons_dir() -> Path:
    return Path(str(resources.files("resources") / "lessons"))


def natural_key(text: str) -> tuple:
    """Sorts numbers as numbers: "3" before "16", "λ = 0" before "λ = 0.01"."""
    parts = re.split(r"(\d+(?:\.\d+)?)", text.lower())
    return tuple((0, float(p), "") if i % 2 else (1, 0.0, p) for i, p in enumerate(parts))


def list_lessons() -> dict[str, str]:
    """{file stem: title} of the lessons, in the order of the file names' lesson numbers
    (01_…, 02_…, 03b_…), and within one number of the titles, numbers sorted as numbers
    (17's 3, 8 and 16 hidden neurons; 18's λ = 0 before λ = 0.01)."""
    titles = {}
    for path in lessons_dir().glob("*.json"):
        try:
            data = json.loads(path.read_text("utf-8"))
            titles[path.stem] = data["lesson"]["title"]
        except (OSError, ValueError, KeyError, TypeError):
            continue

    def order(stem: str) -> tuple:
        return natural_key(stem.split("_")[0]), natural_key(titles[stem]), stem

    return {stem: titles[stem] for stem in sorted(titles, key=order)}


def lesson_of(network) -> dict[str, str] | None:
    """The lesson a network file carries (its "lesson" field), if any."""
    lesson = network.extra.get("lesson")
    if not isinstance(lesson, dict) or not isinstance(lesson.get("title"), str):
        return None
    return {k: str(lesson.get(k, "")) for k in ("title", *LESSON_FIELDS)}
