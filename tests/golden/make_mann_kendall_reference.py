#!/usr/bin/python3
"""Mann-Kendall reference on real public data: spatstat's clmfires (forest fires in Castilla-La
Mancha, 1998-2007, 8,488 dated fires).

Regenerate with (from the repository root; needs R with spatstat, and python3-scipy):
    /usr/bin/python3 tests/golden/make_mann_kendall_reference.py tests/golden
Writes clmfires_series.csv (monthly and yearly fire counts, in total and per cause) and
clmfires_mann_kendall.csv (per series: n, S, tau-b and the two-sided p of scipy.stats.kendalltau
of (time index, count), method="asymptotic"). Our z has no continuity correction, like scipy's.
"""
import csv
import subprocess
import sys

from scipy import stats

out = sys.argv[1]
r = r'''
suppressMessages(library(spatstat))
d <- clmfires$marks
m <- format(d$date, "%Y-%m")
y <- format(d$date, "%Y")
write.csv(data.frame(month = m, year = y, cause = as.character(d$cause)), stdout(), row.names = FALSE)
'''
rows = list(csv.DictReader(subprocess.run(["Rscript", "-e", r], check=True, capture_output=True, text=True).stdout.splitlines()))
months = sorted({x["month"] for x in rows})
years = sorted({x["year"] for x in rows})
causes = sorted({x["cause"] for x in rows})
series = {}
series["monthly_all"] = [sum(1 for x in rows if x["month"] == m) for m in months]
series["yearly_all"] = [sum(1 for x in rows if x["year"] == y) for y in years]
for c in causes:
    series[f"monthly_{c}"] = [sum(1 for x in rows if x["month"] == m and x["cause"] == c) for m in months]
    series[f"yearly_{c}"] = [sum(1 for x in rows if x["year"] == y and x["cause"] == c) for y in years]

with open(f"{out}/clmfires_series.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["series", "values"])
    for name, v in series.items():
        w.writerow([name, " ".join(map(str, v))])
with open(f"{out}/clmfires_mann_kendall.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["series", "n", "s", "tau", "p_value"])
    for name, v in series.items():
        t = list(range(len(v)))
        s = sum((v[j] > v[i]) - (v[j] < v[i]) for i in range(len(v)) for j in range(i + 1, len(v)))
        res = stats.kendalltau(t, v, method="asymptotic")
        w.writerow([name, len(v), s, f"{res.correlation:.15g}", f"{res.pvalue:.15g}"])
print(f"{len(rows)} fires, {len(series)} series", file=sys.stderr)
