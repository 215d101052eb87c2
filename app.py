"""County coverage planner: the Streamlit app (``planner app``, or ``streamlit run app.py``).

Map first, on the demo region with no set-up; everything it loads is served by the
app itself (see ``planner.ui.offline``; the vendored files are listed in ``planner.present.offline``).
The page lives in ``planner.ui.page``.
"""

from planner.ui.page import main

# Streamlit runs this file as ``__main__``; worker processes started from the app (forkserver or
# spawn) import it again as ``__mp_main__`` and must not draw a page there.
if __name__ == "__main__":
    main()
