"""Contract testing helpers: request signers and schemathesis hooks.

They need schemathesis and requests, which the server does not: install the extra,
`pip install 'agent-api-emulator[contract]'` (the dev lock has both). Without it, importing this package fails at
once with that advice, rather than deep inside schemathesis's hook loading.
"""

from importlib.util import find_spec

_MISSING = [name for name in ("schemathesis", "requests") if find_spec(name) is None]
if _MISSING:
    raise ModuleNotFoundError(
        f"emulator.contract needs {' and '.join(_MISSING)}: pip install 'agent-api-emulator[contract]'",
        name=_MISSING[0],
    )
