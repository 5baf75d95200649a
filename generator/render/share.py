"""The job list rendered in processes: each process walks the whole list and claims CHUNK jobs at a time,
so the files are those of one process, whichever process renders each."""

from __future__ import annotations

from generator.accel import parallel
from generator.progress import Progress
from generator.pages.jobs import Download, Job
from generator.render.renderer import Renderer

PARALLEL_MIN_TASKS = 1000  # below this, rendering in one process is quicker than forking
CHUNK = 24  # jobs a process claims at a time


def render_workers(renderer: Renderer, workers: int | None = None) -> int:
    """How many processes to render in (by the site's size unless given); templates compiled once here
    when there are several, not once in each."""
    workers = workers or parallel.workers(len(renderer.site.all_tasks), PARALLEL_MIN_TASKS)
    if workers > 1:
        for name in renderer.env.list_templates():
            renderer.env.get_template(name)
    return workers


def render_share(renderer: Renderer, jobs: list[Job | Download], claims: parallel.Claims,
                 progress: Progress | None = None) -> list[tuple[int, str, bytes]]:
    """The jobs this process claims, rendered: (place in the list, path, bytes)."""
    out = []
    for n, job in enumerate(jobs):
        if claims.owns(n // CHUNK):
            out.append((n, job.path, renderer.render(job)))
            if progress is not None:
                progress.tick()
    return out


def render_all(renderer: Renderer, jobs: list[Job | Download], workers: int | None = None) -> dict[str, bytes]:
    """Every job's bytes by path, in the list's order."""
    workers = render_workers(renderer, workers)
    claims = parallel.Claims(workers)
    shares = parallel.in_processes(lambda: render_share(renderer, jobs, claims), workers)
    return {path: content for _, path, content in parallel.in_order(shares)}
