"""The app's page script inside the package (``planner app`` without the repository's ``app.py``)."""

from planner.ui.page import main

main()
