"""Pure optimisation models: arrays in, plans out (no files, no maps).

This package imports nothing else of the project, so its models can be tested
on hand-made matrices and used with a planner's own travel-time matrix.
"""
