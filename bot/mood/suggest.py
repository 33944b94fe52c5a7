"""Which exercises to suggest after a check-in, through the exercise recommender.

The exercise feature owns the library and the ranking (bot/content/recommend.py);
this module only translates a check-in into its inputs: the feelings and the
note become problem tags, the score becomes `last_mood` (a low day favours
short exercises), and the person's own "did that help?" answers count. When
the library cannot be loaded, the check-in reply falls back to the general
"Try a coping exercise" button: a content problem must never cost a person
their reply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.mood.checkin import Button
from bot.mood.scale import MOOD_MAX

logger = logging.getLogger(__name__)

SUGGESTIONS = 2


def choose_payload(exercise_id: str) -> str:
    return f'/choose_exercise{{"exercise_id":"{exercise_id}"}}'


def suggested_exercises(
    *,
    age_group: str | None,
    score: int,
    feelings: Sequence[str],
    note: str | None,
    feedback: Mapping[str, tuple[int, int]] | None = None,
) -> list[Button]:
    """Up to two exercise buttons titled for the age group; [] when none can be chosen."""
    try:
        from bot.content.exercise_library import get_library
        from bot.content.recommend import recommend

        library = get_library()
        problems = library.problem_tags([*feelings, note])
        recommendations = recommend(
            library,
            age_group=age_group,
            problems=problems,
            feedback=feedback,
            last_mood=score,
            mood_scale_max=MOOD_MAX,
            limit=SUGGESTIONS,
        )
    except Exception:
        logger.exception("could not choose exercises after a check-in")
        return []
    buttons = []
    for recommendation in recommendations:
        version = recommendation.exercise.version(age_group)
        if version is not None:
            buttons.append(Button(version.title, choose_payload(recommendation.exercise.id)))
    return buttons
