"""Choosing the 2-3 exercises to offer a person, for their age group and what they told us.

The ranking is a small, explainable score rather than a model, so that a
counsellor can predict what the bot will suggest and a test can pin it down:

- each of the person's problems that an exercise is tagged for: +3, and +1
  more when it is the exercise's main problem (the first one listed);
- their own past answers to "Did that help?" for that exercise: +1 per "yes"
  (at most +2), -2 per "no" (at most -6), so an exercise that did not help
  drops below fresh ones for the same problem;
- the optional last mood score (`last_mood`, fed later by the mood feature):
  when it is in the lowest third of its scale, short exercises (5 minutes or
  less) +1, long ones (10 minutes or more) -1, and exercises tagged for a low or
  sad mood +1, because a low day is not the day for a long writing task;
- with no problem named, everyday skills (breathing, grounding, relaxation,
  self-compassion and the like, not situational ones such as caring or grief)
  +1, exercises that can be done anywhere +1 and short ones +0.5, so the
  menu's suggestions are easy to start and fit most people.

Ties go to the shorter exercise, then to library order. At most two come from
one category (unless the person asked for that category), so the choice is a
real choice. When the person named a problem, only exercises for it are
offered (the content check guarantees at least two per problem and age group);
other exercises only top the offer up to two. After a crisis reply only
calming exercises (breathing and grounding) are offered (SAFETY.md §2.6).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.content.exercise_library import Exercise, ExerciseLibrary

CALMING_CATEGORIES: frozenset[str] = frozenset({"breathing", "grounding"})
EVERYDAY_CATEGORIES: frozenset[str] = frozenset(
    {
        "breathing",
        "grounding",
        "muscle_relaxation",
        "self_compassion",
        "pleasant_activities",
        "gratitude_journaling",
        "thought_reframing",
    }
)
PROBLEM_WEIGHT, MAIN_PROBLEM_BONUS = 3.0, 1.0
HELPED_WEIGHT, HELPED_CAP = 1.0, 2.0
NOT_HELPED_WEIGHT, NOT_HELPED_CAP = 2.0, 6.0
LOW_MOODS: frozenset[str] = frozenset({"low", "sad", "tired", "numb"})
MIN_OFFERED, MAX_OFFERED = 2, 3
MAX_PER_CATEGORY = 2


@dataclass(frozen=True)
class Recommendation:
    """An exercise to offer, its score, and why (for logs, tests and staff review)."""

    exercise: Exercise
    score: float
    reasons: tuple[str, ...]


def _feedback_score(counts: tuple[int, int] | None) -> tuple[float, list[str]]:
    if not counts:
        return 0.0, []
    helped, not_helped = counts
    score = min(helped * HELPED_WEIGHT, HELPED_CAP) - min(
        not_helped * NOT_HELPED_WEIGHT, NOT_HELPED_CAP
    )
    return score, [f"feedback {helped} helped / {not_helped} not"] if score else []


def _mood_score(
    exercise: Exercise, last_mood: int | None, scale_max: int
) -> tuple[float, list[str]]:
    if last_mood is None or scale_max <= 0 or last_mood > scale_max / 3:
        return 0.0, []
    score = 0.0
    if exercise.duration_minutes <= 5:
        score += 1
    elif exercise.duration_minutes >= 10:
        score -= 1
    if exercise.moods & LOW_MOODS:
        score += 1
    return score, [f"low last mood {last_mood}/{scale_max}"] if score else []


def score_exercise(
    exercise: Exercise,
    *,
    problems: Iterable[str] = (),
    feedback: Mapping[str, tuple[int, int]] | None = None,
    last_mood: int | None = None,
    mood_scale_max: int = 10,
) -> Recommendation:
    """The score of one exercise for one person (see the module docstring)."""
    problems = list(problems)
    matched = [p for p in problems if p in exercise.problems]
    score = PROBLEM_WEIGHT * len(matched)
    if exercise.main_problem in matched:
        score += MAIN_PROBLEM_BONUS
    reasons = [f"fits {', '.join(matched)}"] if matched else []
    if not problems:
        if exercise.category in EVERYDAY_CATEGORIES:
            score += 1
        if "anywhere" in exercise.settings:
            score += 1
        if exercise.duration_minutes <= 5:
            score += 0.5
    for part, why in (
        _feedback_score((feedback or {}).get(exercise.id)),
        _mood_score(exercise, last_mood, mood_scale_max),
    ):
        score += part
        reasons += why
    return Recommendation(exercise, score, tuple(reasons))


def recommend(
    library: ExerciseLibrary,
    *,
    age_group: str | None,
    problems: Iterable[str] = (),
    category: str | None = None,
    feedback: Mapping[str, tuple[int, int]] | None = None,
    last_mood: int | None = None,
    mood_scale_max: int = 10,
    calming_only: bool = False,
    exclude: Iterable[str] = (),
    limit: int = MAX_OFFERED,
) -> list[Recommendation]:
    """The best 2-3 exercises for this person, best first.

    `category` restricts the offer to one category, topped up from the rest
    when it holds fewer than two exercises for the age group. `exclude` leaves
    out exercise ids (for example the one the person is asking to switch from).
    """
    problems = list(problems)
    excluded = set(exclude)
    order = {exercise_id: i for i, exercise_id in enumerate(library.exercises)}
    candidates = [
        e
        for e in library.for_age(age_group)
        if e.id not in excluded and (not calming_only or e.category in CALMING_CATEGORIES)
    ]
    scored = sorted(
        (
            score_exercise(
                e,
                problems=problems,
                feedback=feedback,
                last_mood=last_mood,
                mood_scale_max=mood_scale_max,
            )
            for e in candidates
        ),
        key=lambda r: (-r.score, r.exercise.duration_minutes, order[r.exercise.id]),
    )
    chosen: list[Recommendation] = []
    target = limit
    if problems and not category:
        fitting = [r for r in scored if r.exercise.problems.intersection(problems)]
        chosen = _diverse(fitting, limit)
        if len(chosen) >= MIN_OFFERED:
            return chosen
        target = MIN_OFFERED
    elif category:
        chosen = [r for r in scored if r.exercise.category == category][:limit]
        if len(chosen) >= MIN_OFFERED:
            return chosen
        target = MIN_OFFERED
    return _diverse(scored, target, chosen)


def _diverse(
    ranked: list[Recommendation], target: int, chosen: list[Recommendation] | None = None
) -> list[Recommendation]:
    """`chosen` topped up from `ranked` to `target`, at most two per category."""
    chosen = list(chosen or [])
    per_category = Counter(r.exercise.category for r in chosen)
    for rec in ranked:
        if len(chosen) >= target:
            break
        if rec in chosen or per_category[rec.exercise.category] >= MAX_PER_CATEGORY:
            continue
        chosen.append(rec)
        per_category[rec.exercise.category] += 1
    return chosen
