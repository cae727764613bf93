"""The Dockerfile works as written, proven without a Docker engine (none runs here, and no base image is pulled):
its own steps are executed in order in a scratch root standing in for the image's `/`, each as the user the image
has at that point (root, then the numeric USER through `setpriv`). The image's `python` is the host's Python 3.11,
in a scratch /usr/local/bin; the image paths under MAPPED live in the scratch root, everything else (sh, rm, chown)
is the host's. Then the ENTRYPOINT/CMD runs as the container's PID 1 in its own PID and network namespaces
(`unshare`), so its 0.0.0.0 binding stays inside, as in a container: its HEALTHCHECK (run inside, as Docker does)
and a vendor request answer, and `docker stop`'s SIGTERM ends it with status 0 within Docker's 10 s grace."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from emulator.core.settings import Settings

from .conftest import FIXIE_AGENT, FIXIE_KEY, ROOT

BASE_IMAGE = "python:3.11-slim"
# What python:3.11-slim sets (`docker inspect`); its interpreter is /usr/local/bin/python.
BASE_ENV = {"PATH": "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
MAPPED = ("/app", "/usr/local/bin")
KNOWN = {"FROM", "ENV", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD"}
# The machine's way to the package registry (certificates, mirrors, proxies): passed to RUN steps, as docker build
# passes proxy settings; the image's own ENV wins.
BUILD_HOST_ENV = re.compile(r"PIP_\w+|SSL_CERT_\w+|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|(?i:https?_proxy|no_proxy)")
DOCKER_STOP_GRACE = 10  # seconds `docker stop` waits after SIGTERM before SIGKILL
TOOLS = {"setpriv": "util-linux", "unshare": "util-linux", "nsenter": "util-linux", "ip": "iproute2"}


@dataclass
class Step:
    instruction: str
    args: str

    def exec_form(self) -> list[str] | None:
        return json.loads(self.args) if self.args.startswith("[") else None


def parse(text: str) -> list[Step]:
    """Instructions with continuation lines joined; comment lines (also inside a continuation) dropped."""
    steps: list[Step] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        instruction, _, args = (pending + stripped).partition(" ")
        steps.append(Step(instruction.upper(), args.strip()))
        pending = ""
    assert not pending, "a continuation line ends the Dockerfile"
    return steps


def flags(args: str) -> tuple[dict[str, str], str]:
    """Leading `--name=value` options, and the rest."""
    options: dict[str, str] = {}
    while args.startswith("--"):
        option, _, args = args.partition(" ")
        name, _, value = option[2:].partition("=")
        options[name] = value
        args = args.strip()
    return options, args


def expand(value: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), ""), value)


def dockerignored(rel: str) -> bool:
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [p for p in patterns if p and not p.startswith("#")]
    assert not [p for p in patterns if p.startswith("!")], "exceptions in .dockerignore are not interpreted here"
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    tails = ["/".join(parts[i : j + 1]) for i in range(len(parts)) for j in range(i, len(parts))]
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatchcase(t, pattern[3:]) for t in tails):
                return True
        elif any(fnmatch.fnmatchcase(p, pattern.rstrip("/")) for p in prefixes):
            return True
    return False


@dataclass
class Image:
    """The image being built: its filesystem is `root` (for the MAPPED paths), plus its config."""

    root: Path
    python: str  # the host interpreter standing in for the image's /usr/local/bin/python
    env: dict[str, str] = field(default_factory=lambda: dict(BASE_ENV))
    workdir: str = "/"
    user: tuple[int, int] = (0, 0)
    exposed: list[str] = field(default_factory=list)
    healthcheck: list[str] | None = None
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)

    def host(self, text: str) -> str:
        """An image path (or a text holding some: PATH, a shell command) as it lies in the scratch root."""
        return re.sub(
            r"(?<![\w./$-])(" + "|".join(map(re.escape, MAPPED)) + r")(?=[/:\s'\"]|$)", rf"{self.root}\1", text
        )

    def path(self, image_path: str) -> Path:
        absolute = os.path.normpath(os.path.join(self.workdir, image_path))
        inside = any(absolute == m or absolute.startswith(m + "/") for m in MAPPED)
        assert inside, f"{absolute}: only {MAPPED} are mapped into the scratch root"
        return Path(self.host(absolute))

    def environ(self, extra: Mapping[str, str] = {}) -> dict[str, str]:
        env = {**self.env, **extra}
        env["HOME"] = "/root" if self.user[0] == 0 else "/"  # Docker's HOME for a user with no passwd entry
        return {k: self.host(v) for k, v in env.items()}

    def as_user(self, argv: list[str]) -> list[str]:
        if self.user[0] == os.geteuid():
            return argv
        uid, gid = self.user
        return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", *argv]

    def apply(self, step: Step) -> None:
        assert step.instruction in KNOWN, f"{step.instruction}: not interpreted by this test; extend it"
        getattr(self, "do_" + step.instruction.lower())(step)

    def do_from(self, step: Step) -> None:
        assert step.args == BASE_IMAGE, f"the scratch root stands in for {BASE_IMAGE}, not {step.args}"
        bin_dir = self.root / "usr/local/bin"
        bin_dir.mkdir(parents=True)
        for name in ("python", "python3", "python3.11"):
            (bin_dir / name).symlink_to(self.python)

    def do_env(self, step: Step) -> None:
        before = dict(self.env)  # one ENV's values expand against the environment before it
        for pair in shlex.split(step.args):
            name, sep, value = pair.partition("=")
            assert sep, f"ENV {step.args}: use the NAME=value form"
            self.env[name] = expand(value, before)

    def do_workdir(self, step: Step) -> None:
        self.workdir = os.path.normpath(os.path.join(self.workdir, expand(step.args, self.env)))
        self.path(".").mkdir(parents=True, exist_ok=True)

    def do_copy(self, step: Step) -> None:
        options, rest = flags(step.args)
        assert set(options) <= {"chown"}, f"COPY {options}: not interpreted"
        *sources, dest = shlex.split(rest)
        into_dir = dest.endswith("/") or len(sources) > 1
        target = self.path(dest)
        copied: list[Path] = []
        for source in sources:
            src = ROOT / source
            files = [src] if src.is_file() else sorted(p for p in src.rglob("*") if not p.is_dir())
            for file in files:
                rel = file.relative_to(ROOT).as_posix()
                if dockerignored(rel):
                    continue
                if src.is_file():
                    out = target / file.name if into_dir else target
                else:
                    out = target / file.relative_to(src)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, out, follow_symlinks=False)
                copied.append(out)
        assert copied, f"COPY {rest}: nothing to copy"
        if "chown" in options:
            uid, _, gid = options["chown"].partition(":")
            for out in copied:
                os.lchown(out, int(uid), int(gid or uid))

    def do_run(self, step: Step) -> None:
        argv = step.exec_form() or ["/bin/sh", "-c", step.args]
        host_env = {k: v for k, v in os.environ.items() if BUILD_HOST_ENV.fullmatch(k)}
        env = {**host_env, **self.environ()}
        result = subprocess.run(
            self.as_user([self.host(a) for a in argv]), cwd=self.path("."), env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, f"RUN {step.args} exited {result.returncode}:\n{result.stdout}{result.stderr}"

    def do_user(self, step: Step) -> None:
        uid, _, gid = step.args.partition(":")
        assert uid.isdigit() and (gid or uid).isdigit(), "USER: numeric ids (there is no useradd in a scratch root)"
        self.user = (int(uid), int(gid or uid))

    def do_expose(self, step: Step) -> None:
        self.exposed += step.args.split()

    def do_healthcheck(self, step: Step) -> None:
        _, rest = flags(step.args)
        kind, _, command = rest.partition(" ")
        assert kind == "CMD", f"HEALTHCHECK {rest}"
        self.healthcheck = Step("CMD", command.strip()).exec_form() or ["/bin/sh", "-c", command]

    def do_entrypoint(self, step: Step) -> None:
        self.entrypoint = step.exec_form() or []
        assert self.entrypoint, "ENTRYPOINT in exec form: in shell form sh is PID 1 and never passes SIGTERM on"
        self.cmd = []  # as Docker: a new ENTRYPOINT drops an inherited CMD

    def do_cmd(self, step: Step) -> None:
        form = step.exec_form()
        assert form is not None, "CMD in exec form: in shell form sh is PID 1 and never passes SIGTERM on"
        self.cmd = form


class Container:
    """`docker run IMAGE` with `-e` overrides: ENTRYPOINT + CMD as PID 1 of fresh PID and network namespaces."""

    def __init__(self, image: Image, env: Mapping[str, str], log: Path) -> None:
        self.image = image
        self.env = image.environ(env)
        argv = image.as_user([image.host(a) for a in image.entrypoint + image.cmd])
        ip = shutil.which("ip")
        launcher = ["unshare", "--pid", "--fork", "--net", "--", "/bin/sh", "-c", f'{ip} link set lo up && exec "$@"']
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                [*launcher, "pid1", *argv], cwd=image.path("."), env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.log = log
        self.pid = self._pid1()

    def _pid1(self) -> int:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            found = children.read_text().split()
            if found:
                return int(found[0])
            time.sleep(0.01)
        raise AssertionError(f"the container's process did not start:\n{self.log.read_text()}")

    def exec(self, argv: list[str], *, as_image_user: bool = True) -> subprocess.CompletedProcess[str]:
        """Like `docker exec`: in the container's network, as its user (or as root, for the test's own client)."""
        command = self.image.as_user(argv) if as_image_user else argv
        return subprocess.run(
            ["nsenter", f"--net=/proc/{self.pid}/ns/net", "--", *command],
            cwd=self.image.path("."),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def wait_healthy(self, timeout: float = 90) -> None:
        assert self.image.healthcheck is not None
        deadline = time.monotonic() + timeout
        while True:
            result = self.exec([self.image.host(a) for a in self.image.healthcheck])
            if result.returncode == 0:
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"unhealthy: {result.stderr[-2000:]}\n{self.log.read_text()}")
            time.sleep(0.2)

    def listening(self) -> list[str]:
        """The TCP addresses listening in the container's network (from /proc/<pid>/net/tcp)."""
        rows = [line.split() for line in Path(f"/proc/{self.pid}/net/tcp").read_text().splitlines()[1:]]
        out = []
        for row in rows:
            if row[3] == "0A":  # LISTEN
                addr, port = row[1].split(":")
                out.append(".".join(str(int(addr[i : i + 2], 16)) for i in (6, 4, 2, 0)) + f":{int(port, 16)}")
        return out

    def stop(self) -> int:
        """`docker stop`: SIGTERM to PID 1, then SIGKILL after the grace period."""
        os.kill(self.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=DOCKER_STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


FETCH = """
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1], headers={"Authorization": sys.argv[2]})
with urllib.request.urlopen(request, timeout=10) as response:
    print(json.dumps({"status": response.status, "body": json.loads(response.read())}))
"""


def steps() -> list[Step]:
    return parse((ROOT / "Dockerfile").read_text())


def image_python(uid: int, gid: int) -> str | None:
    """A CPython 3.11 with venv and ensurepip that the image's user can run (the pyenv one under /root is not)."""
    candidates = ["/usr/bin/python3.11", os.path.realpath(getattr(sys, "_base_executable", sys.executable))]
    check = "import ensurepip, sys, venv; assert sys.version_info[:2] == (3, 11)"
    for candidate in candidates:
        argv = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--", candidate, "-c", check]
        if os.path.exists(candidate) and subprocess.run(argv, capture_output=True).returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="module")
def built() -> Iterator[Image]:
    """The image after every build step, in a scratch root (world-traversable, unlike pytest's tmp dirs)."""
    if os.geteuid() != 0:
        pytest.skip("executing the Dockerfile needs root: setpriv to the image's user, unshare for its namespaces")
    missing = [f"{tool} ({package})" for tool, package in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"missing {', '.join(missing)}")
    user = next((s.args for s in steps() if s.instruction == "USER"), "0")
    uid, _, gid = user.partition(":")
    if not (uid.isdigit() and (gid or uid).isdigit()):
        pytest.fail(f"USER {user}: use numeric ids (there is no useradd in a scratch root)")
    python = image_python(int(uid), int(gid or uid))
    if python is None:
        pytest.skip(f"no Python 3.11 with venv that uid {uid} can run (Debian: apt-get install python3.11-venv)")
    root = Path(tempfile.mkdtemp(prefix="dockerfile-root-"))
    root.chmod(0o755)
    try:
        image = Image(root, python)
        for step in steps():
            image.apply(step)
        yield image
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_build_installs_the_emulator_for_an_unprivileged_user(built: Image) -> None:
    assert built.user[0] != 0, "the image runs as root"
    app = built.path("/app")
    assert (app / ".venv/bin/emulator").is_file()
    assert not (app / "src").exists() and not (app / "requirements.lock").exists()  # sources gone after install
    data = built.path("/app/data")
    assert (data.stat().st_uid, data.stat().st_gid) == built.user  # the one writable place
    assert (app / ".venv").stat().st_uid == 0  # the code: root's, not the server user's to change
    version = subprocess.run(
        built.as_user(["emulator", "--version"]), env=built.environ(), cwd=app, capture_output=True, text=True
    )
    assert version.returncode == 0, version.stderr


def test_the_container_serves_is_healthy_and_stops_cleanly_on_sigterm(built: Image, tmp_path: Path) -> None:
    # As `docker run -v emulator-data:/app/data -e EMULATOR_DATA_DIR=/app/data`: state in the volume, as the user.
    container = Container(built, {"EMULATOR_DATA_DIR": "/app/data"}, tmp_path / "container.log")
    try:
        container.wait_healthy()
        assert container.listening() == [f"0.0.0.0:{built.exposed[0]}"]  # all interfaces, of the container only
        url = f"http://127.0.0.1:{built.exposed[0]}/api/v1/agents/{FIXIE_AGENT}/conversations"
        result = container.exec([sys.executable, "-c", FETCH, url, f"Bearer {FIXIE_KEY}"], as_image_user=False)
        assert result.returncode == 0, result.stderr
        answer = json.loads(result.stdout)
        assert answer["status"] == 200 and answer["body"]["conversations"], answer
        assert container.stop() == 0, (tmp_path / "container.log").read_text()
    finally:
        container.kill()
    written = list(built.path("/app/data").iterdir())
    assert written and all(p.stat().st_uid == built.user[0] for p in written), written


def test_the_dockerfile_keeps_the_promises_the_readme_makes() -> None:
    """What the executed test cannot see for itself (runs without root too)."""
    by = {s.instruction: s for s in steps()}
    assert by["ENTRYPOINT"].exec_form() == ["emulator"] and by["CMD"].exec_form() == ["serve"]
    assert "/_emulator/health" in by["HEALTHCHECK"].args
    env = " ".join(s.args for s in steps() if s.instruction == "ENV")
    assert "PIP_NO_CACHE_DIR=1" in env  # no pip cache in the image
    assert "EMULATOR_HOST=0.0.0.0" in env and "EMULATOR_PORT=8000" in env
    user = [i for i, s in enumerate(steps()) if s.instruction == "USER"]
    assert user and steps()[user[-1]].args.split(":")[0] != "0"
    # The README's Docker recipes name real settings.
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Docker") : readme.index("## Pointing the official clients at it")]
    named = {m.removeprefix("EMULATOR_").lower() for m in re.findall(r"EMULATOR_[A-Z_]+", section)}
    assert named and named <= set(Settings.model_fields), named - set(Settings.model_fields)
