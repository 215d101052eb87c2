"""The ``planner`` command line: argument parsing, the commands, and what they share."""
