"""The flow picture: the main path readable, optional steps and detours drawn apart, real files."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest
from PIL import Image

from bot.cli import main as cli_main
from bot.platform.i18n import Translator
from bot.reports import flow_graph as graph_module
from bot.reports import flow_picture, fonts
from bot.reports.flow_graph import EdgeKind, flow_graph
from bot.reports.fonts import FontMissing
from bot.reports.state_names import state_label
from flows.machine import machine_for
from flows.tracks import APPROVED, REVIEW, SUBMITTED, TRACKS, track_steps

DEJAVU = fonts.FONT_FILES[-1]
TRACKS_AND_INTAKE = [*TRACKS, None]


def _machine_transitions(track: str | None) -> set[tuple[str, str, str]]:
    machine = machine_for(track).machine
    return {
        (source, str(transition.dest), trigger)
        for trigger, event in machine.events.items()
        for source, transitions in event.transitions.items()
        for transition in transitions
    }


@pytest.mark.parametrize("track", TRACKS_AND_INTAKE)
def test_the_main_path_visits_every_step_once_in_order(track: str | None) -> None:
    graph = flow_graph(track)
    main = graph.of_kind(EdgeKind.MAIN)
    assert len(main) == len(graph.main_path) - 1
    assert [(edge.source, edge.dest) for edge in main] == list(
        zip(graph.main_path, graph.main_path[1:], strict=False)
    )
    if track is not None:
        steps = [step.id for step in track_steps(track)]
        assert graph.main_path == (*steps, REVIEW, SUBMITTED, APPROVED)


@pytest.mark.parametrize("track", TRACKS_AND_INTAKE)
def test_every_transition_is_sorted_and_back_edges_are_marked(track: str | None) -> None:
    graph = flow_graph(track)
    transitions = _machine_transitions(track)
    assert {(e.source, e.dest, e.trigger) for e in graph.edges} == transitions
    back = {(s, d, t) for s, d, t in transitions if t == "back"}
    assert back, "the machine has back transitions"
    assert {(e.source, e.dest, e.trigger) for e in graph.of_kind(EdgeKind.BACK)} == back
    drawn = graph.of_kind(*flow_picture.DRAWN)
    assert not [edge for edge in drawn if edge.trigger == "back"]
    assert len(drawn) <= len(graph.states) + 3  # was every step to every other: 132 for 15


def test_optional_steps_carry_their_condition_and_a_labelled_skip() -> None:
    crossborder = flow_graph("uk_crossborder")
    assert crossborder.conditions == {"invite_code": "when_invite_code_required"}
    skips = {(e.source, e.dest) for e in crossborder.of_kind(EdgeKind.SKIP)}
    assert skips == {("legal_rep_id", "phone")}
    business = flow_graph("uk_business")
    assert {(e.source, e.dest) for e in business.of_kind(EdgeKind.SKIP)} == {
        ("company_number", "incorporation_date")
    }
    assert flow_graph("uk_individual").of_kind(EdgeKind.SKIP) == ()


def test_the_outcomes_branch_and_reopening_is_a_jump() -> None:
    graph = flow_graph("id_business")
    kinds = {(e.source, e.dest, e.trigger): e.kind for e in graph.edges}
    assert kinds[(SUBMITTED, "rejected", "reject")] is EdgeKind.BRANCH
    assert kinds[("rejected", REVIEW, "reopen")] is EdgeKind.JUMP


def test_an_unknown_trigger_draws_as_a_jump(monkeypatch: pytest.MonkeyPatch) -> None:
    """A trigger added to the machine later (edit from the summary and back) needs no change."""
    real = graph_module._transitions

    def with_edit(track: str | None) -> list[tuple[str, str, str]]:
        extra = [(REVIEW, "company_name", "edit"), ("company_name", REVIEW, "edited")]
        return [*real(track), *extra]

    monkeypatch.setattr(graph_module, "_transitions", with_edit)
    graph = flow_graph("uk_business")
    jumps = {(e.source, e.dest, e.trigger) for e in graph.of_kind(EdgeKind.JUMP)}
    assert {(REVIEW, "company_name", "edit"), ("company_name", REVIEW, "edited")} <= jumps
    assert len(graph.of_kind(EdgeKind.MAIN)) == len(graph.main_path) - 1
    text = flow_picture.mermaid("uk_business")
    assert 'review -.->|"edit"| company_name' in text
    assert 'company_name -.->|"edited"| review' in text
    source = flow_picture.dot_source("uk_business")
    assert re.search(r"review -> company_name \[style=dashed.*dir=both.*edit / edited", source)
    assert "company_name -> review" not in source
    assert b"<svg" in flow_picture.render("uk_business", "svg")


def test_mermaid_draws_the_path_bold_detours_dashed_and_one_back_note() -> None:
    text = flow_picture.mermaid("uk_crossborder", "en")
    graph = flow_graph("uk_crossborder")
    assert text.startswith('---\ntitle: "China/HK company (cross-border seller)"\n---\n')
    assert len(re.findall(r" ==>", text)) == len(graph.main_path) - 1
    assert 'legal_rep_id -->|"otherwise"| phone' in text
    assert 'rejected -.->|"reopen"| review' in text
    assert text.count("back_note>") == 1 and '-->|"back"' not in text
    assert "only when the cohort requires an invite code" in text
    assert "class invite_code optional" in text


def test_dot_marks_main_edges_bold_and_jumps_dashed() -> None:
    source = flow_picture.dot_source("uk_business", "id")
    graph = flow_graph("uk_business")
    assert source.count("penwidth=2") == len(graph.main_path) - 1
    assert re.search(r"rejected -> review \[style=dashed.*buka kembali", source)
    assert 'company_confirm [label="Konfirmasi data perusahaan\\n(hanya jika' in source
    assert 'style="rounded,dashed"' in source


@pytest.mark.parametrize("language", ["zh_Hans", "en", "id"])
def test_the_svg_parses_and_holds_every_translated_step(language: str) -> None:
    svg = flow_picture.render("uk_crossborder", "svg", language)
    root = ET.fromstring(svg)
    texts = {"".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")}
    t = Translator(language)
    for state in flow_graph("uk_crossborder").states:
        assert state_label("uk_crossborder", state, t) in texts, state
    assert t("flow_back_note") in texts


def test_the_png_is_a_real_picture() -> None:
    png = flow_picture.render("uk_business", "png", "zh_Hans")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        width, height = image.size
    assert width > 300 and height > 1000  # 15 states one under another


def test_a_missing_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "FONT_FILES", (DEJAVU,))
    with pytest.raises(FontMissing, match="fonts-wqy-microhei"):
        flow_picture.render("uk_crossborder", "svg", "zh_Hans")
    assert b"<svg" in flow_picture.render("uk_crossborder", "svg", "en")


def test_cli_writes_each_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("png", "svg", "mermaid"):
        out = tmp_path / f"flow.{fmt}"
        args = ["diagram", "id_individual", "--format", fmt, "--output", str(out)]
        assert cli_main([*args, "--language", "id"]) == 0
        assert out.stat().st_size > 500
    assert out.read_text().count("==>") == len(flow_graph("id_individual").main_path) - 1
    assert cli_main(["diagram", "id_individual", "--format", "png"]) == 2
    assert "--output" in capsys.readouterr().err


def test_cli_says_when_graphviz_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(flow_picture.shutil, "which", lambda _name: None)
    out = tmp_path / "flow.svg"
    assert cli_main(["diagram", "uk_business", "--format", "svg", "--output", str(out)]) == 1
    assert "apt-get install graphviz" in capsys.readouterr().err
    assert not out.exists()


def test_a_slow_or_failing_graphviz_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flow_picture, "DOT_TIMEOUT_S", 1e-6)
    with pytest.raises(flow_picture.FlowPictureError, match="longer than"):
        flow_picture.render("uk_business", "png")
    monkeypatch.undo()
    monkeypatch.setattr(flow_picture, "dot_source", lambda _track, _language: "digraph {")
    with pytest.raises(flow_picture.FlowPictureError, match=r"Graphviz failed \(exit 1\)"):
        flow_picture.render("uk_business", "svg")


async def test_rendering_in_a_thread_leaves_the_event_loop_free() -> None:
    ticks = 0
    stop = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    png = await flow_picture.render_in_thread("uk_crossborder", "png", "zh_Hans")
    stop.set()
    await task
    assert png.startswith(b"\x89PNG")
    assert ticks > 3  # the loop ran other work while dot drew


def test_the_summary_edit_trip_is_one_note_not_an_edge_per_step() -> None:
    graph = flow_graph("uk_business")
    edits = graph.of_kind(EdgeKind.EDIT)
    assert {edge.trigger for edge in edits} == {"jump", "resume"}
    assert not set(edits) & set(graph.of_kind(*flow_picture.DRAWN))
    assert "any answer can be changed" in flow_picture.mermaid("uk_business", "en")
