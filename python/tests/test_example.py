"""examples/python/gi_star_hex.py (the README's session) runs and draws its map."""
import ast
import os
import subprocess
import sys

from conftest import ROOT


def test_the_readme_session_runs(tmp_path):
    script = os.path.join(ROOT, "examples", "python", "gi_star_hex.py")
    p = subprocess.run([sys.executable, script, str(tmp_path)], capture_output=True, text=True,
                       env={**os.environ, "MPLBACKEND": "Agg"})
    assert p.returncode == 0, p.stderr
    assert "hotspot.Weights" in p.stdout and "wrote" in p.stdout
    png = tmp_path / "gi_star_hex.png"
    assert png.stat().st_size > 20_000
    # The sample's planted hotspots: hot and cold cells at 99 %, on the run's 653 hexagons.
    line = next(s for s in p.stdout.splitlines() if s.startswith("Gi_Bin "))
    bins = ast.literal_eval(line[len("Gi_Bin "):])
    assert bins[3] > 0 and bins[-3] > 0 and sum(bins.values()) == 653, bins
