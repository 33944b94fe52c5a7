"""The 30-day mood chart as a PNG, drawn on the server with matplotlib.

Matplotlib is imported inside `render_chart` so that importing this module (and
starting the action server) stays cheap. It draws with the object API on the
Agg canvas (`Figure` + `FigureCanvasAgg`) instead of pyplot: no global figure
state, no GUI backend, safe when two requests render at once.

Readability choices: a fixed 1000×600 px image, 16 pt or larger text, black on
white, thick lines, and the Okabe–Ito colour-blind-safe palette. Nothing is
told by colour alone: each questionnaire has its own marker shape and row
label, and every result is written next to its marker ("4/6", "48/100";
results that suggest a follow-up have a filled marker and a "!" mark).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.mood.scale import MOOD_MAX, MOOD_MIN
from bot.mood.summary import MoodPoint, ScreenPoint
from bot.mood.trend import LOW_SCORE

WIDTH_PX = 1000
HEIGHT_PX = 600
DPI = 100

INK = "#000000"
GRID = "#BBBBBB"
MOOD_COLOUR = "#0072B2"  # Okabe–Ito blue
LOW_BAND = "#F0E442"  # Okabe–Ito yellow, light fill behind the line
SCREEN_STYLE = {  # colour and marker per questionnaire: never colour alone
    "phq2": ("#D55E00", "o"),
    "gad2": ("#009E73", "s"),
    "who5": ("#CC79A7", "D"),
}
DEFAULT_STYLE = ("#555555", "^")


def _style_axes(ax, font: float) -> None:
    ax.tick_params(labelsize=font, colors=INK, width=1.5, length=6)
    for spine in ax.spines.values():
        spine.set_color(INK)
        spine.set_linewidth(1.5)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def _draw_mood(ax, points: Sequence[MoodPoint], start: datetime, end: datetime, font: float):
    ax.axhspan(MOOD_MIN, LOW_SCORE, color=LOW_BAND, alpha=0.35, zorder=0, linewidth=0)
    ax.text(end, LOW_SCORE / 2, "low ", ha="right", va="center", fontsize=font * 0.9, color=INK)
    ax.set_ylim(MOOD_MIN - 0.3, MOOD_MAX + 0.5)
    ax.set_yticks(range(MOOD_MIN, MOOD_MAX + 1, 2))
    ax.set_ylabel("Mood (0–10)", fontsize=font, color=INK)
    ax.grid(axis="y", color=GRID, linewidth=1)
    ax.set_axisbelow(True)
    if points:
        ax.plot(
            [p.at for p in points],
            [p.score for p in points],
            color=MOOD_COLOUR,
            linewidth=3,
            marker="o",
            markersize=10,
            markeredgecolor=INK,
            markeredgewidth=1.2,
            zorder=3,
        )
    else:
        middle = start + (end - start) / 2
        ax.text(
            middle,
            MOOD_MAX / 2,
            "No mood check-ins yet",
            ha="center",
            va="center",
            fontsize=font * 1.1,
            color=INK,
        )


def _draw_screens(ax, points: Sequence[ScreenPoint], font: float) -> None:
    rows = list(dict.fromkeys(p.questionnaire for p in points))
    titles = {p.questionnaire: p.title for p in points}
    for row, qid in enumerate(rows):
        colour, marker = SCREEN_STYLE.get(qid, DEFAULT_STYLE)
        for point in (p for p in points if p.questionnaire == qid):
            ax.plot(
                [point.at],
                [row],
                marker=marker,
                markersize=13,
                markeredgewidth=2,
                markeredgecolor=colour,
                markerfacecolor=colour if point.positive else "white",
                linestyle="none",
                zorder=3,
            )
            label = f"{point.score}/{point.score_max}" + (" !" if point.positive else "")
            ax.annotate(
                label,
                (point.at, row),
                xytext=(10, 0),
                textcoords="offset points",
                va="center",
                fontsize=font * 0.85,
                color=INK,
            )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([titles[qid] for qid in rows])
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.grid(axis="x", color=GRID, linewidth=1)
    ax.set_axisbelow(True)


def _weekly_ticks(start: datetime, end: datetime) -> list[datetime]:
    """Midnights a week apart, counted back from the last day, away from the edges."""
    last = end.replace(hour=0, minute=0, second=0, microsecond=0)
    ticks = []
    tick = last - timedelta(days=1) if end - last < timedelta(hours=12) else last
    while tick > start + timedelta(hours=12):
        ticks.append(tick)
        tick -= timedelta(days=7)
    return sorted(ticks)


def render_chart(
    mood: Sequence[MoodPoint],
    screens: Sequence[ScreenPoint],
    *,
    start: datetime,
    end: datetime,
    large_text: bool = False,
) -> bytes:
    """Renders the mood line (and, when there are any, questionnaire results) as PNG bytes."""
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = 19.0 if large_text else 16.0
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    if screens:
        mood_ax, screen_ax = figure.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}
        )
    else:
        mood_ax, screen_ax = figure.subplots(1, 1), None
    figure.suptitle("Your mood, last 30 days", fontsize=font * 1.25, color=INK, x=0.02, ha="left")

    _draw_mood(mood_ax, mood, start, end, font)
    _style_axes(mood_ax, font)
    last_ax = mood_ax
    if screen_ax is not None:
        _draw_screens(screen_ax, screens, font)
        _style_axes(screen_ax, font)
        last_ax = screen_ax
        if any(p.positive for p in screens):
            screen_ax.set_title(
                "filled marker and ! = worth following up",
                loc="right",
                fontsize=font * 0.75,
                color=INK,
            )

    pad = (end - start) / 60  # half a day on 30 days: edge markers stay whole
    last_ax.set_xlim(start - pad, end + pad)
    last_ax.set_xticks(_weekly_ticks(start, end))
    last_ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
    figure.tight_layout()

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
