"""Build of the optional compiled core (normalise/_core.pyx, issue 17); everything else is in
pyproject.toml. ``optional=True``: without a C compiler the extension is skipped and the package
installs as pure Python (normalise.core warns once and runs the reference).
``NORMALISE_BUILD_CORE=required`` makes a failed compile an error instead: a developer's
``setup.py build_ext --inplace`` would otherwise exit 0 and leave the old module running."""

import os

from setuptools import Extension, setup

OPTIONAL = os.environ.get("NORMALISE_BUILD_CORE", "optional") != "required"

try:
    from Cython.Build import cythonize
except ImportError:  # no Cython (an sdist built without it): nothing to compile
    ext_modules = []
else:
    ext_modules = cythonize(
        [Extension("normalise._core", ["normalise/_core.pyx"], optional=OPTIONAL)],
        compiler_directives={"language_level": "3"},
    )
    for extension in ext_modules:
        extension.optional = OPTIONAL  # cythonize makes new Extensions and drops the flag

setup(ext_modules=ext_modules)
