# The emulator as a container (README, "Docker"):
#   docker build -t agent-api-emulator .
#   docker run --rm -p 127.0.0.1:8000:8000 -e EMULATOR_SEED=7 agent-api-emulator
# tests/packaging/test_dockerfile.py executes these steps, in order, as this image's user in a scratch root (no
# Docker engine in CI): keep to the instructions it knows, numeric USER ids and exec-form ENTRYPOINT/CMD.
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# Installed by root into /app/.venv: the server's user can run it, not change it. The runtime lock first, in its own
# layer (rebuilt only when the lock changes), then the package itself, not editable, its sources removed after.
# The slim image has no C compiler, so setup.py's optional C extensions are skipped and their Python twins run
# (same answers and data; ICE's verify costs a few microseconds more a request, a large build a tenth more).
WORKDIR /app
COPY requirements.lock ./
RUN python -m venv .venv \
 && .venv/bin/pip install --requirement requirements.lock \
 && rm requirements.lock
COPY pyproject.toml setup.py README.md src/
COPY emulator src/emulator
RUN .venv/bin/pip install --no-deps ./src \
 && rm -rf src \
 && mkdir data \
 && chown 10001:10001 data

# An unprivileged user with no login entry (numeric, so Kubernetes' runAsNonRoot can check it). /app/data is its
# one writable place: EMULATOR_DATA_DIR=/app/data with a volume there keeps the state across restarts.
USER 10001:10001

# Every setting is an EMULATOR_* variable (`docker run -e EMULATOR_SCALE=5`). 0.0.0.0 only here, inside the
# container's own network; publish it on the host's loopback: `-p 127.0.0.1:8000:8000`.
ENV PATH=/app/.venv/bin:$PATH \
    EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_emulator/health' % os.environ.get('EMULATOR_PORT', '8000'), timeout=2)"]
# Exec form: the emulator itself is PID 1 and gets `docker stop`'s SIGTERM (graceful shutdown, exit status 0).
# `docker run IMAGE fixtures export --out /app/data/x` runs another command; `serve --seed 7` passes flags.
ENTRYPOINT ["emulator"]
CMD ["serve"]
