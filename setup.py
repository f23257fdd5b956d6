"""Build hook: ship the top-level variants.yaml inside the package as normalise/data/.

The curated table lives at the top of the repository, where its maintainers find it; the
installed package must carry it so that a non-editable install works from any directory.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithDefaultTable(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "normalise" / "data" / "variants.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(__file__).parent / "variants.yaml", target)


setup(cmdclass={"build_py": BuildWithDefaultTable})
