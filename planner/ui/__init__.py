"""The Streamlit app's building blocks: offline map assets, map layers, page state and strings.

Modules here may import Streamlit and folium; the planner's use cases (``planner``'s other
modules), ``geodata`` and ``optimization`` never import this package.
"""
