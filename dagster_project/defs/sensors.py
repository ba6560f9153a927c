"""Watching the landing folder, and the nightly schedule.

The sensor's run key is a hash of the folder's content (each file's path and SHA-256),
so a file that is only touched, or a tick that sees nothing new, starts no run, while any
new or changed content starts exactly one. Hashes are cached in the cursor by (size,
mtime), so a tick re-reads only files whose stat changed. While a file is inside the quiet
period (still being copied) the tick waits, so the run that follows sees it settled rather
than deferring it to a run nobody would start.

The first tick (no cursor: a new Dagster home, or ``dg dev`` after ``dg launch``) starts a run
only if some file in the folder was never read: the README's first command has usually read
them all already, and ``dg dev`` should not start the same run again as it opens (issue 21).
"""

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import dagster as dg

from dagster_project.core.settings import Settings
from dagster_project.defs.resources import VocwhResource
from dagster_project.store.scan import hash_file, scan
from dagster_project.store.warehouse import connect


def folder_state(raw_dir: Path, cache: dict[str, list]) -> tuple[str, dict[str, list]]:
    """(content hash of the whole folder, updated cache {rel: [size, mtime_ns, sha256]})."""
    fresh: dict[str, list] = {}
    digest = hashlib.sha256()
    for f in sorted(scan(raw_dir), key=lambda f: f.rel):
        cached = cache.get(f.rel)
        if cached and cached[0] == f.size and cached[1] == f.mtime_ns:
            sha = cached[2]
        else:
            sha = hash_file(f.path)  # in pieces: a stray video in the folder is not held in memory
        fresh[f.rel] = [f.size, f.mtime_ns, sha]
        digest.update(f"{f.rel}\x1f{sha}\n".encode())
    return digest.hexdigest(), fresh


def all_read_before(settings: Settings, files: dict[str, list]) -> bool:
    """Whether an earlier run read every one of these files with these bytes (audit.files)."""
    if not settings.warehouse_path.exists():
        return False
    with connect(settings.warehouse_path, read_only=True) as con:
        read = set(con.execute("SELECT source_file, file_hash FROM audit.files").fetchall())
    return all((rel, sha) in read for rel, (_, _, sha) in files.items())


def build_sensor(job: dg.JobDefinition | Any) -> dg.SensorDefinition:
    @dg.sensor(job=job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING, name="landing_folder_sensor")
    def landing_folder_sensor(context: dg.SensorEvaluationContext, vocwh: VocwhResource) -> dg.SensorResult | dg.SkipReason:
        settings = vocwh.settings()
        raw_dir = settings.raw_dir
        if not raw_dir.is_dir():
            return dg.SkipReason(f"landing folder {raw_dir} does not exist")
        cursor = json.loads(context.cursor) if context.cursor else {"key": None, "files": {}}
        key, files = folder_state(raw_dir, cursor["files"])
        quiet_ns = settings.limits.quiet_seconds * 1e9
        if quiet_ns > 0 and any(time.time_ns() - mtime < quiet_ns for _, mtime, _ in files.values()):
            # Keep the old key: once the files settle, the next tick starts the run.
            cursor_waiting = json.dumps({"key": cursor["key"], "files": files})
            return dg.SensorResult(skip_reason=dg.SkipReason("a file is still being copied (quiet period)"), cursor=cursor_waiting)
        new_cursor = json.dumps({"key": key, "files": files})
        if key == cursor["key"]:
            return dg.SensorResult(skip_reason=dg.SkipReason("landing folder content unchanged"), cursor=new_cursor)
        if cursor["key"] is None:
            try:
                done = all_read_before(settings, files)
            except Exception as e:  # the working database is held by a run: look again next tick
                return dg.SkipReason(f"cannot read the working database now ({type(e).__name__}): next tick")
            if done:
                return dg.SensorResult(
                    skip_reason=dg.SkipReason("every file in the landing folder was read by an earlier run"), cursor=new_cursor
                )
        return dg.SensorResult(run_requests=[dg.RunRequest(run_key=f"landing-{key[:32]}")], cursor=new_cursor)

    return landing_folder_sensor


def build_schedule(job: dg.JobDefinition | Any) -> dg.ScheduleDefinition:
    """A nightly full run: catches reference-data changes (a new registry) and republishes."""
    return dg.ScheduleDefinition(name="nightly_full_run", job=job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai")
