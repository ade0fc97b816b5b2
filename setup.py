"""Builds the extension bpnn._bpnn with the project's CMake (only the library, the demos and the
module: no CLI, tests or benchmarks) for the Python running this, and puts it in the package."""

import glob
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = os.path.join(os.path.abspath(self.build_temp), "cmake")
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.check_call([
            "cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
            "-DBPNN_BUILD_TESTS=OFF", "-DBPNN_BUILD_BENCH=OFF", "-DBPNN_BUILD_EXAMPLES=OFF",
            "-DBPNN_BUILD_CLI=OFF", "-DBPNN_INSTALL=OFF", "-DBPNN_BUILD_PYTHON=ON",
            f"-DPython_EXECUTABLE={sys.executable}",
        ])
        subprocess.check_call(["cmake", "--build", build, "--target", "_bpnn", "-j", jobs])
        built = glob.glob(os.path.join(build, "python", "bpnn", "_bpnn*.so"))
        if not built:
            raise RuntimeError("the extension was not built: CMake did not find pybind11 or Python's development "
                               "files (apt-get install pybind11-dev python3-dev)")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    ext_modules=[CMakeExtension("bpnn._bpnn")],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": "build-pip"}},
)
