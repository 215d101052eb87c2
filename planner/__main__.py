"""``python -m planner``: the same as the ``planner`` command (works even when pip's script folder is not on PATH)."""

from planner.cli.main import main

raise SystemExit(main())
