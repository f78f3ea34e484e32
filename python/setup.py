"""Builds hotspot._hotspot with the repository's CMake (HOTSPOT_PYTHON=ON, tests and benchmarks
off) and installs it with the package's .py files. The engine is compiled from the repository
this directory lives in (its parent), so install from a checkout:

    pip install --no-build-isolation ./python        # from the repository root

Needs CMake >= 3.22, a C++20 compiler, pybind11 (Debian: pybind11-dev) and the GDAL, GEOS, PROJ
development packages (scripts/install-deps.sh build). CMAKE_BUILD_PARALLEL_LEVEL sets the jobs.
"""
import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        return re.search(r"project\(hotspot VERSION ([0-9.]+)", f.read()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.path.join(ROOT, "build-python")
        subprocess.check_call([
            "cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DHOTSPOT_PYTHON=ON",
            "-DHOTSPOT_TESTS=OFF", "-DHOTSPOT_BENCHMARKS=OFF", f"-DPython3_EXECUTABLE={sys.executable}"])
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", build, "--target", "_hotspot", "-j", jobs])
        built = [f for f in os.listdir(os.path.join(build, "python", "hotspot")) if f.startswith("_hotspot")]
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(build, "python", "hotspot", built[0]), target)


setup(
    name="hotspot",
    version=version(),
    description="Crime hotspot analysis: the hotspot engine for numpy, pandas and geopandas",
    packages=["hotspot", "hotspot.dask"],
    ext_modules=[Extension("hotspot._hotspot", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy", "pandas"],
    zip_safe=False,
)
