"""Two runs writing the same new output at once: exactly one succeeds, the other says so, nothing is left over."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from geodata.demo import demo_region
from planner.scenario import RegionRef, Scenario
from planner.siting import SitingSetup

ROOT = Path(__file__).resolve().parents[2]


def test_two_exports_to_one_new_file_never_both_succeed(tmp_path):
    region = demo_region()
    scenario = Scenario(
        "s",
        RegionRef.of(region, ["demo"], seed=2024),
        siting=SitingSetup(objective="min_sites", coverage_target=0.8, time_limit=20),
    )
    scenario.run(region)
    path = scenario.save(tmp_path / "s.scenario.json")
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "planner", "export", str(path), "--out", str(out / "plan.xlsx")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1, 1], results
    for code, err in results:
        if code:
            assert "Traceback" not in err
            assert "plan.xlsx exist" in err or "another run wrote it first" in err
    assert [p.name for p in out.iterdir()] == ["plan.xlsx"]
