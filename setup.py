"""The one part of the build pyproject.toml cannot declare: the optional C extensions, the check of signatures, the
random draws of generated data and the cache of signature nonces.

`optional=True`: without a compiler or OpenSSL's headers (a slim container image, say) the install goes on and
emulator.core.signing.canonical_hmac runs the same check in Python, emulator.core.draws the same draws,
emulator.core.nonces the same cache. With the C build the wheel is tagged for this platform and Python;
EMULATOR_NO_C_EXTENSION=1 builds the pure-Python wheel that installs anywhere.
"""

import os

from setuptools import Extension, setup

CHECK = Extension(
    "emulator.core.signing._canonical_hmac",
    sources=["emulator/core/signing/_canonical_hmac.c"],
    libraries=["crypto"],
    optional=True,
)

DRAWS = Extension("emulator.core._draws", sources=["emulator/core/_draws.c"], optional=True)

NONCES = Extension("emulator.core._nonces", sources=["emulator/core/_nonces.c"], optional=True)

setup(ext_modules=[] if os.environ.get("EMULATOR_NO_C_EXTENSION") == "1" else [CHECK, DRAWS, NONCES])
