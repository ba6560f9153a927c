"""Validation with Great Expectations. Importing any part of it defers the modules GX loads
but never runs for us (``core.lazy_imports``) before GX itself is imported."""

from dagster_project.core.lazy_imports import defer

defer("scipy.stats", "altair")
