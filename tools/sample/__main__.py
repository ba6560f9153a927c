"""``python -m tools.sample``: the sample generator's command line (see ``generator.py``)."""

from tools.sample.generator import main

raise SystemExit(main())
