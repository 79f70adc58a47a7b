"""Draw a workflow definition as SVG on the server, with the record's state marked.

States stand in a column in definition order (narrow enough for a phone); an event to the next
state is a straight arrow, any other is an arc on the right whose reach grows with the distance.
Events open from every active state (withdraw) are listed in the text equivalent, not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from ..engine import Definition
from ..engine.definition import EventSpec

BOX_W, BOX_H, GAP, LEFT, TOP = 230, 34, 26, 10, 10


@dataclass(frozen=True)
class Step:
    """One line of the text equivalent: from which states an event leads where."""

    event: str
    sources: tuple[str, ...]
    target: str
    everywhere: bool


def steps(definition: Definition) -> list[Step]:
    """Return every event as a step, noting those open from every active state."""
    active = {name for name, s in definition.states.items() if not s.terminal}
    return [
        Step(e.name, e.sources, e.target, everywhere=set(e.sources) >= active and len(active) > 2)
        for e in definition.events.values()
    ]


def svg(definition: Definition, current: str, state_label, event_label, title: str) -> Markup:
    """Return an accessible SVG of the definition; `current` is drawn highlighted."""
    names = list(definition.state_names)
    row = {name: i for i, name in enumerate(names)}
    arcs: list[str] = []
    labels: list[str] = []
    reach = 0
    far: list[tuple[float, str]] = []
    for step in steps(definition):
        if step.everywhere:
            continue
        for source in step.sources:
            a, b = row[source], row[step.target]
            if b == a + 1:
                y1, y2 = _bottom(a), _top(b)
                x = LEFT + 24
                arcs.append(_line(x, y1, x, y2))
                labels.append(_text(x + 10, (y1 + y2) / 2 + 4, event_label(step.event), "ev"))
                continue
            reach += 1
            out = LEFT + BOX_W + 4 + 14 * reach
            ya, yb = _middle(a) + 5, _middle(b) - 5
            arcs.append(
                f'<path class="arc" d="M{LEFT + BOX_W} {ya} H{out} V{yb} H{LEFT + BOX_W + 2}" '
                'marker-end="url(#arrow)"/>'
            )
            # Each label stands on its source's row, right of every arc, so none overlap.
            far.append((ya + 4, event_label(step.event)))
    right = LEFT + BOX_W + 14 + 14 * reach
    labels.extend(_text(right, y, text, "ev") for y, text in far)
    boxes = []
    for name in names:
        i = row[name]
        cls = "st now" if name == current else "st"
        y = TOP + i * (BOX_H + GAP)
        boxes.append(
            f'<g class="{cls}"><rect x="{LEFT}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6"/>'
            + _text(LEFT + 10, y + 22, state_label(name) + (" ◀" if name == current else ""), "")
            + "</g>"
        )
    width = right + 170
    height = TOP * 2 + len(names) * (BOX_H + GAP)
    return Markup(
        f'<svg class="diagram" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="diagram-title" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="diagram-title">{escape(title)}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker></defs>'
        + "".join(arcs)
        + "".join(boxes)
        + "".join(labels)
        + "</svg>"
    )


def _top(i: int) -> float:
    return TOP + i * (BOX_H + GAP)


def _bottom(i: int) -> float:
    return _top(i) + BOX_H


def _middle(i: int) -> float:
    return _top(i) + BOX_H / 2


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<path class="arc" d="M{x1} {y1} V{y2 - 2}" marker-end="url(#arrow)"/>'


def _text(x: float, y: float, content: str, cls: str) -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x}" y="{y}"{klass}>{escape(content)}</text>'


__all__ = ["EventSpec", "Step", "steps", "svg"]
