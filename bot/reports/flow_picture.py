"""A track's flow as a picture: Mermaid text, or PNG/SVG drawn by Graphviz's ``dot``.

Both are drawn from ``flow_graph``: the main path solid and bold, optional steps dashed
with the condition under their name, the skip past them labelled, jumps dashed, and the
``back`` edges (one from every step to every earlier one) replaced by one note. Labels
come from the catalogs in the reader's language.

``render`` is blocking (it runs ``dot`` as a subprocess, with a timeout): the admin
``/flow`` command calls it in a worker thread (``asyncio.to_thread``), never on the loop.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from bot.platform.i18n import Translator
from bot.reports.flow_graph import EdgeKind, FlowGraph, flow_graph
from bot.reports.fonts import family, font_for
from bot.reports.state_names import state_label, track_label, trigger_label

Format = Literal["mermaid", "svg", "png"]
FORMATS: tuple[Format, ...] = ("png", "svg", "mermaid")
DOT_TIMEOUT_S = 30.0
DRAWN = (EdgeKind.MAIN, EdgeKind.SKIP, EdgeKind.BRANCH, EdgeKind.JUMP)


class FlowPictureError(RuntimeError):
    """Graphviz is missing, too slow or failed: the message says which and what to do."""


@dataclass(frozen=True, slots=True)
class _Labels:
    """Every text of one picture, translated once."""

    title: str
    nodes: dict[str, str]
    edges: dict[tuple[str, str, str], str]
    note: str

    def all(self) -> Iterator[str]:
        yield self.title
        yield self.note
        yield from self.nodes.values()
        yield from self.edges.values()


def _labels(graph: FlowGraph, t: Translator) -> _Labels:
    nodes = {}
    for state in graph.states:
        name = state_label(graph.track, state, t)
        condition = graph.conditions.get(state)
        nodes[state] = f"{name}\n({t(condition)})" if condition else name
    edges = {}
    for edge in graph.of_kind(*DRAWN):
        if edge.kind is EdgeKind.SKIP:
            text = t("flow_skip")
        elif edge.trigger == "answer":
            text = ""
        else:
            text = trigger_label(edge.trigger, t)
        edges[(edge.source, edge.dest, edge.trigger)] = text
    note = t("flow_back_note")
    if graph.of_kind(EdgeKind.EDIT):
        note += "\n" + t("flow_edit_note")
    return _Labels(track_label(graph.track, t), nodes, edges, note)


def mermaid(track: str | None, language: str = "en") -> str:
    """``flowchart`` text (GitHub and most Markdown viewers draw it)."""
    graph = flow_graph(track)
    labels = _labels(graph, Translator(language))

    def quoted(text: str) -> str:
        return '"' + text.replace('"', "#quot;").replace("\n", "<br/>") + '"'

    title = labels.title.replace('"', "'")
    lines = ["---", f'title: "{title}"', "---", "flowchart TD"]
    lines += [f"    {state}[{quoted(labels.nodes[state])}]" for state in graph.states]
    arrows = {EdgeKind.MAIN: "==>", EdgeKind.SKIP: "-->", EdgeKind.BRANCH: "-->"}
    for edge in graph.of_kind(*DRAWN):
        arrow = arrows.get(edge.kind, "-.->")
        text = labels.edges[(edge.source, edge.dest, edge.trigger)]
        middle = f"|{quoted(text)}|" if text else ""
        lines.append(f"    {edge.source} {arrow}{middle} {edge.dest}")
    lines.append(f"    back_note>{quoted(labels.note)}]")
    if graph.conditions:
        lines.append("    classDef optional stroke-dasharray: 5 5")
        lines.append(f"    class {','.join(graph.conditions)} optional")
    return "\n".join(lines) + "\n"


def dot_source(track: str | None, language: str = "en") -> str:
    """The Graphviz ``digraph``; the font is checked to hold every label's glyphs first."""
    graph = flow_graph(track)
    labels = _labels(graph, Translator(language))
    font = family(font_for(labels.all()))

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    lines = [
        "digraph flow {",
        f"  graph [label={q(labels.title)}, labelloc=t, fontname={q(font)}, rankdir=TB];",
        f'  node [shape=box, style="rounded", fontname={q(font)}];',
        f"  edge [fontname={q(font)}, fontsize=10];",
    ]
    for state in graph.states:
        style = ', style="rounded,dashed"' if state in graph.conditions else ""
        lines.append(f"  {state} [label={q(labels.nodes[state])}{style}];")
    styles = {
        EdgeKind.MAIN: "penwidth=2, weight=10",
        EdgeKind.SKIP: "weight=1",
        EdgeKind.BRANCH: "weight=1",
        EdgeKind.JUMP: 'style=dashed, constraint=false, color="gray40"',
    }
    # A jump there and a jump back (edit a step from the summary, return) is one two-way line.
    jumps = {(e.source, e.dest): e.trigger for e in graph.of_kind(EdgeKind.JUMP)}
    order = {state: index for index, state in enumerate(graph.states)}
    for edge in graph.of_kind(*DRAWN):
        text = labels.edges[(edge.source, edge.dest, edge.trigger)]
        style = styles[edge.kind]
        back = jumps.get((edge.dest, edge.source)) if edge.kind is EdgeKind.JUMP else None
        if back is not None:
            if order[edge.source] < order[edge.dest]:
                continue  # drawn with its pair, from the later state: "edit / edited"
            text = f"{text} / {labels.edges[(edge.dest, edge.source, back)]}"
            style += ", dir=both"
        label = f", label={q(text)}" if text else ""
        lines.append(f"  {edge.source} -> {edge.dest} [{style}{label}];")
    lines.append(f'  back_note [shape=note, label={q(labels.note)}, color="gray40"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(track: str | None, fmt: Format, language: str = "en") -> bytes:
    """The picture's bytes; blocking: call it off the event loop."""
    if fmt == "mermaid":
        return mermaid(track, language).encode()
    source = dot_source(track, language)
    dot = shutil.which("dot")
    if dot is None:
        raise FlowPictureError("Graphviz's `dot` is not installed: apt-get install graphviz")
    try:
        result = subprocess.run(
            [dot, f"-T{fmt}"],
            input=source.encode(),
            capture_output=True,
            timeout=DOT_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise FlowPictureError(f"Graphviz took longer than {DOT_TIMEOUT_S:.0f} s") from error
    if result.returncode != 0 or not result.stdout:
        detail = result.stderr.decode(errors="replace").strip()[-500:]
        raise FlowPictureError(f"Graphviz failed (exit {result.returncode}): {detail}")
    return result.stdout


async def render_in_thread(track: str | None, fmt: Format, language: str = "en") -> bytes:
    """``render`` in a worker thread, for handlers: the event loop goes on serving meanwhile."""
    return await asyncio.to_thread(render, track, fmt, language)
