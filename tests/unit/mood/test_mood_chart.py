"""The mood chart PNG: a real image of the promised size that changes with the data."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image, ImageChops

from bot.mood.chart import HEIGHT_PX, WIDTH_PX, render_chart
from bot.mood.summary import MoodPoint, ScreenPoint

END = datetime(2026, 5, 30, 12, 0, tzinfo=timezone.utc)
START = END - timedelta(days=30)


def month(scores: list[float]) -> list[MoodPoint]:
    return [MoodPoint(START + timedelta(days=i + 0.5), s) for i, s in enumerate(scores)]


def decode(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGB")


def differs(a: bytes, b: bytes) -> bool:
    return ImageChops.difference(decode(a), decode(b)).getbbox() is not None


@pytest.fixture(scope="module")
def many() -> bytes:
    return render_chart(month([(i * 3) % 11 for i in range(30)]), [], start=START, end=END)


def test_size_and_format(many: bytes) -> None:
    assert decode(many).size == (WIDTH_PX, HEIGHT_PX)


def test_one_entry_renders() -> None:
    image = decode(render_chart(month([4]), [], start=START, end=END))
    assert image.size == (WIDTH_PX, HEIGHT_PX)


def test_no_entries_but_a_questionnaire_renders() -> None:
    screen = ScreenPoint("who5", "Well-being (WHO-5)", END - timedelta(days=3), 48, 100, True)
    image = decode(render_chart([], [screen], start=START, end=END))
    assert image.size == (WIDTH_PX, HEIGHT_PX)


def test_different_entries_give_different_pixels(many: bytes) -> None:
    other = render_chart(month([(i * 7) % 11 for i in range(30)]), [], start=START, end=END)
    assert differs(many, other)


def test_same_entries_give_the_same_pixels(many: bytes) -> None:
    again = render_chart(month([(i * 3) % 11 for i in range(30)]), [], start=START, end=END)
    assert not differs(many, again)


def test_questionnaire_results_show_up(many: bytes) -> None:
    screen = ScreenPoint("phq2", "Mood (PHQ-2)", END - timedelta(days=5), 4, 6, True)
    with_screen = render_chart(
        month([(i * 3) % 11 for i in range(30)]), [screen], start=START, end=END
    )
    assert differs(many, with_screen)


def test_the_mood_line_uses_the_accessible_blue(many: bytes) -> None:
    colours = {colour for _, colour in decode(many).getcolors(maxcolors=1 << 20)}
    assert (0x00, 0x72, 0xB2) in colours  # Okabe-Ito blue, readable for colour-blind people
    assert (0, 0, 0) in colours  # black text and axes on white
    assert (255, 255, 255) in colours
