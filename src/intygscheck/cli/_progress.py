"""A progress display for long runs: one bar per phase, with rate and time left."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second (rich's own speed column counts bytes)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:>8.0f}/s")


@contextmanager
def phase_progress() -> Iterator[Callable[[str, int, int | None], None]]:
    """A callback ``(phase, done, total)`` that drives a bar per phase while the block runs."""
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:<13}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("kvar"),
        TimeRemainingColumn(),
    ) as bar:

        def report(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield report
