"""Generated files (CSV, PDF, chart PNG) share one private folder and one hourly prune."""

from __future__ import annotations

import os
import time

from bot.documents.files import KEEP_SECONDS, export_path, exports_dir, prune


def test_exports_are_private_files_in_one_folder_named_as_shown():
    path = export_path("billable-4000-2025-03.csv")
    assert path.parent == exports_dir()
    assert path.name.startswith("billable-4000-2025-03-") and path.suffix == ".csv"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(exports_dir().stat().st_mode & 0o777) == "0o700"
    assert export_path("stats-1.png").suffix == ".png"
    assert export_path("schedule.pdf") != export_path("schedule.pdf")  # never overwritten


def test_prune_removes_what_is_older_than_an_hour_and_keeps_the_rest():
    old, fresh = export_path("old.pdf"), export_path("fresh.png")
    an_hour_ago = time.time() - KEEP_SECONDS - 60
    os.utime(old, (an_hour_ago, an_hour_ago))
    assert prune() >= 1
    assert not old.exists() and fresh.exists()


async def test_the_scheduler_prunes_generated_files_every_hour(garde, monkeypatch):
    scheduler = garde.scheduler()
    monkeypatch.setattr(scheduler.aps, "start", lambda: None)  # the jobs, not their runs
    scheduler.start()
    job = scheduler.aps.get_job("generated")
    assert job is not None and job.trigger.interval.total_seconds() == 3600
    old = export_path("stats-old.png")
    os.utime(old, (0, 0))
    await scheduler.prune_files()
    assert not old.exists()
