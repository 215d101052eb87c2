"""County coverage planner: the Streamlit app (``planner app``, or ``streamlit run app.py``).

Map first, on the demo region with no set-up; everything it loads is served by the
app itself (see ``planner.ui.offline``). The page lives in ``planner.ui.page``.
"""

from planner.ui.page import main

main()
