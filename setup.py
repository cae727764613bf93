"""The one part of the build pyproject.toml cannot declare: the optional C check of signatures.

`optional=True`: without a compiler or OpenSSL's headers (a slim container image, say) the install goes on and
emulator.core.signing.canonical_hmac runs the same check in Python.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "emulator.core.signing._canonical_hmac",
            sources=["emulator/core/signing/_canonical_hmac.c"],
            libraries=["crypto"],
            optional=True,
        )
    ]
)
