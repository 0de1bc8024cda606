"""A track's state machine as a Mermaid diagram, drawn from the same data the bot runs."""

from __future__ import annotations

from flows.machine import machine_for


def mermaid(track: str) -> str:
    """``stateDiagram-v2`` text: one line per declared transition (conditions by step)."""
    machine = machine_for(track).machine
    lines = ["stateDiagram-v2", f"    [*] --> {machine.initial}"]
    seen: set[tuple[str, str, str]] = set()
    for trigger, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                edge = (source, str(transition.dest), trigger)
                if edge not in seen:
                    seen.add(edge)
                    lines.append(f"    {source} --> {edge[1]}: {trigger}")
    return "\n".join(lines)
