"""examples/python/gi_star_hex.py (the README's session) runs and draws its map."""
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
    # Some cells are hot at 99 % (the sample has planted hotspots).
    assert "\n3 " in p.stdout or "\n3    " in p.stdout or "\n3" in p.stdout
