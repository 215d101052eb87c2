"""``--json -`` makes standard output the JSON alone, so it can be piped into another program."""

from __future__ import annotations

import json

import pytest

from planner.cli.main import main


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "demo", "--json", "-"],
        ["site", "demo", "--objective", "min-sites", "--target", "0.9", "--json", "-"],
        ["group", "demo", "--json", "-"],
        ["phase", "demo", "--years", "2025", "2026", "--new-sites-per-year", "6", "4", "--json", "-"],
    ],
    ids=["validate", "site", "group", "phase"],
)
def test_json_to_standard_output_is_the_json_alone(argv, capsys):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)  # nothing but the JSON
    assert isinstance(data, dict) and data
    if argv[0] != "validate":
        assert (
            data["status"] == "optimal" and "optimal" in err
        )  # the words still reach the planner, on stderr
