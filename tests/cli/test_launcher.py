#!/usr/bin/python3
"""The launcher (cli/launcher.cpp): `hotspot` sets glibc's malloc tunables and replaces itself with
hotspot.bin beside it, with the arguments, streams and exit code unchanged.

A copy of the launcher is put in a temporary directory beside a stand-in hotspot.bin (a shell
script that prints its arguments and GLIBC_TUNABLES and exits with a chosen code), so what the real
CLI receives is visible. Then the real pair: the same process (exec, not a child), exit 2 on a bad
option, and the tunables in the real hotspot.bin's environment.

Usage: test_launcher.py HOTSPOT_LAUNCHER
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

LAUNCHER = os.path.abspath(sys.argv[1])
OURS = ["glibc.malloc.hugetlb=1", "glibc.malloc.trim_threshold=4294967296", "glibc.malloc.top_pad=67108864"]
STAND_IN = """#!/bin/sh
printf 'argv0=%s\\n' "$0"
for a in "$@"; do printf 'arg=%s\\n' "$a"; done
printf 'tunables=%s\\n' "${GLIBC_TUNABLES-<unset>}"
exit ${STAND_IN_EXIT:-0}
"""


def run(args, env_extra=None, drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop and k != "GLIBC_TUNABLES"}
    env.update(env_extra or {})
    return subprocess.run(args, capture_output=True, text=True, env=env)


def fields(out, key):
    return [ln.split("=", 1)[1] for ln in out.splitlines() if ln.startswith(key + "=")]


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def written_elsewhere():
    """The tunables as the other places that set them spell them: python -m hotspot.dask (its
    MALLOC_TUNABLES, read from the source), the worker unit and README.md's "Development"."""
    import ast
    import re
    with open(os.path.join(ROOT, "python", "hotspot", "dask", "__main__.py"), encoding="utf-8") as f:
        tree = ast.parse(f.read())
    module = next(list(ast.literal_eval(n.value)) for n in tree.body if isinstance(n, ast.Assign)
                  and any(getattr(t, "id", "") == "MALLOC_TUNABLES" for t in n.targets))
    with open(os.path.join(ROOT, "scripts", "hotspot-dask-worker.service"), encoding="utf-8") as f:
        unit = re.search(r"^Environment=GLIBC_TUNABLES=(\S+)$", f.read(), re.M).group(1).split(":")
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = re.search(r"`(glibc\.malloc\.[^`]+)`", f.read()).group(1).split(":")
    return {"python -m hotspot.dask": module, "scripts/hotspot-dask-worker.service": unit, "README.md": readme}


def main():
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)

    # One list, written in four places: the launcher (checked below) and these.
    for where, tunables in written_elsewhere().items():
        check(tunables == OURS, f"{where} sets {tunables}, the launcher {OURS}")

    tmp = tempfile.mkdtemp(prefix="hotspot-launcher-")
    try:
        launcher = os.path.join(tmp, "hotspot")
        shutil.copy(LAUNCHER, launcher)
        bin_path = os.path.join(tmp, "hotspot.bin")
        with open(bin_path, "w") as f:
            f.write(STAND_IN)
        os.chmod(bin_path, os.stat(bin_path).st_mode | stat.S_IXUSR)

        # Arguments (spaces, empty, diacritics) and the exit code pass through unchanged.
        args = ["run", "--config", "a b.json", "", "Tràng Duệ", "--json"]
        r = run([launcher] + args, {"STAND_IN_EXIT": "5"})
        check(r.returncode == 5, f"exit code not passed through: {r.returncode}")
        check(fields(r.stdout, "arg") == args, f"arguments changed: {fields(r.stdout, 'arg')}")
        # Our tunables, when the caller set none.
        check(fields(r.stdout, "tunables") == [":".join(OURS)], f"tunables: {r.stdout}")
        # The caller's values win, and keys the caller did not name are added after them.
        r = run([launcher, "x"], {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2"})
        check(fields(r.stdout, "tunables") == ["glibc.malloc.hugetlb=0:glibc.malloc.arena_max=2:" + ":".join(OURS[1:])],
              f"merge with the caller's tunables: {r.stdout}")
        # A key that merely starts like ours is not ours.
        r = run([launcher, "x"], {"GLIBC_TUNABLES": "glibc.malloc.hugetlb_x=3"})
        check(fields(r.stdout, "tunables") == ["glibc.malloc.hugetlb_x=3:" + ":".join(OURS)],
              f"prefix of a key taken for the key: {r.stdout}")
        # A caller's list too long to extend is passed on as it is, not cut.
        long_list = ":".join(f"glibc.x.k{i}=1" for i in range(300))
        r = run([launcher, "x"], {"GLIBC_TUNABLES": long_list})
        check(fields(r.stdout, "tunables") == [long_list], "a long GLIBC_TUNABLES was changed")
        # HOTSPOT_MALLOC_TUNING=0 leaves GLIBC_TUNABLES alone (unset stays unset).
        r = run([launcher, "x"], {"HOTSPOT_MALLOC_TUNING": "0"})
        check(fields(r.stdout, "tunables") == ["<unset>"], f"HOTSPOT_MALLOC_TUNING=0: {r.stdout}")
        # Called through a symlink elsewhere: hotspot.bin is found beside the launcher itself.
        link_dir = os.path.join(tmp, "elsewhere")
        os.mkdir(link_dir)
        os.symlink(launcher, os.path.join(link_dir, "hotspot"))
        r = run([os.path.join(link_dir, "hotspot"), "y"])
        check(r.returncode == 0 and fields(r.stdout, "arg") == ["y"], f"through a symlink: {r.returncode} {r.stdout}")
        # hotspot.bin missing: a message that names it, exit 4, nothing on stdout.
        os.remove(bin_path)
        r = run([launcher, "--version"])
        check(r.returncode == 4 and "hotspot.bin" in r.stderr and r.stdout == "",
              f"missing hotspot.bin: {r.returncode} {r.stderr!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # The real pair: same output as hotspot.bin, exit 2 on a bad option, and hotspot.bin runs in the
    # launcher's own process with the tunables in its environment.
    real_bin = os.path.join(os.path.dirname(LAUNCHER), "hotspot.bin")
    a, b = run([LAUNCHER, "--version"]), run([real_bin, "--version"])
    check(a.returncode == 0 and a.stdout == b.stdout and a.stdout.startswith("hotspot "), f"--version: {a} {b}")
    r = run([LAUNCHER, "aggregate", "--no-such-option"])
    check(r.returncode == 2, f"bad option: exit {r.returncode}")
    # A run whose config is a FIFO waits until the FIFO is written: time to look at its process.
    fifo_dir = tempfile.mkdtemp(prefix="hotspot-launcher-")
    fifo = os.path.join(fifo_dir, "run.json")
    os.mkfifo(fifo)
    p = subprocess.Popen([LAUNCHER, "run", "--config", fifo, "--check"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE,
                         env={k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"})
    try:
        exe, environ = "", []
        for _ in range(500):  # until the launcher has replaced itself (a few ms)
            try:
                exe = os.readlink(f"/proc/{p.pid}/exe")
                if exe.endswith("hotspot.bin"):  # (environ reads empty for a moment after the exec)
                    environ = open(f"/proc/{p.pid}/environ", "rb").read().split(b"\0")
                    if len(environ) > 1:
                        break
            except OSError:
                pass
            time.sleep(0.01)
        check(exe.endswith("hotspot.bin"), f"the launcher's process did not become hotspot.bin: {exe}")
        # glibc 2.36 parses GLIBC_TUNABLES in place at start-up (its ':' become NULs), so look for
        # either spelling in the raw environment block.
        raw = b"\0".join(environ)
        check(any(("GLIBC_TUNABLES=" + sep.join(OURS)).encode() in raw for sep in (":", "\0")),
              f"hotspot.bin's environment: {raw}")
    finally:
        with open(fifo, "w") as f:
            f.write("{}")
        p.communicate()
        shutil.rmtree(fifo_dir, ignore_errors=True)
    check(p.returncode == 2, f"run --check on an empty config: exit {p.returncode}")

    if failures:
        print("FAIL\n" + "\n".join(failures))
        sys.exit(1)
    print("ok: the launcher passes arguments, exit codes and streams, and sets the malloc tunables")


if __name__ == "__main__":
    main()
