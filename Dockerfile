# The same install and start steps as the README's serve command (`./dev serve`), so CI's fresh-machine run of
# `./dev` proves this image's steps too.
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 emulator
WORKDIR /app
COPY --chown=emulator:emulator requirements.lock requirements-dev.lock pyproject.toml README.md dev ./
COPY --chown=emulator:emulator emulator ./emulator
USER emulator
RUN ./dev install runtime

ENV EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python3 -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/_emulator/health', timeout=2).status == 200 else 1)"
CMD ["./dev", "serve"]
