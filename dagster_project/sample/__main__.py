"""``python -m dagster_project.sample``: the sample generator's command line (see ``generator.py``)."""

from dagster_project.sample.generator import main

raise SystemExit(main())
