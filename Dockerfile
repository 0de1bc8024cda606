# syntax=docker/dockerfile:1
# The bot as a container: `docker build -t shop-onboarding-bot .`, then run it with BOT_TOKEN
# (and DATABASE_URL for PostgreSQL) in the environment; docs/compose.example.yml shows both.
# tests/test_dockerfile.py lints this file and tests/test_packaging.py runs its install steps
# outside Docker, so keep the three in step.

# Both stages use one base image: the wheels built in the first are installed in the second,
# so the interpreter (3.11) and the C library (Debian bookworm's glibc, which the manylinux
# wheels of psycopg-binary and pydantic-core need) must match. The Debian release is named so
# that a new release of it under the `3.11-slim` tag cannot change the image unannounced; a
# release pipeline should also pin the digest (python:3.11-slim-bookworm@sha256:...).
FROM python:3.11-slim-bookworm AS builder

# The builder is thrown away: a pip cache would only bloat its layers.
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /src

# Dependencies first, from the lock alone, so editing the code does not rebuild them. uv (pinned
# like the Makefile's UV_VERSION) turns uv.lock into a requirements file with the lock's hashes,
# which makes pip check every download; only the runtime dependencies, not the dev extra.
# Every dependency ships wheels (psycopg via psycopg-binary), so no compiler is needed here.
COPY pyproject.toml uv.lock ./
RUN python -m pip install 'uv==0.13.9' \
    && uv export --frozen --no-dev --no-emit-project --format requirements.txt \
        --output-file requirements.txt \
    && python -m pip wheel --wheel-dir /wheels --requirement requirements.txt

# The project's own wheel, which includes the Alembic migrations (pyproject's package-data).
# README.m[d] is a pattern so that the build works with or without a README.md (setuptools
# puts it in the wheel's metadata); pyproject.toml is named with it so that the instruction
# always has a source, which the classic builder requires.
COPY pyproject.toml README.m[d] ./
COPY bot ./bot
COPY flows ./flows
RUN python -m pip wheel --no-deps --wheel-dir /wheels .

# Compile the gettext catalogs with the Babel the bot itself will run (from the wheels just
# built). .mo files are build output: .dockerignore keeps a developer's stale ones out, and only
# the compiled files go on to the final stage.
COPY locales ./locales
RUN python -m pip install --no-index --find-links /wheels /wheels/babel-*.whl \
    && pybabel compile --statistics -d locales -D messages \
    && mkdir /catalogs \
    && find locales -name '*.mo' -exec cp --parents {} /catalogs/ \;


FROM python:3.11-slim-bookworm

# Pictures for providers (bot/reports): Graphviz's `dot` draws the flow, and a CJK font draws
# Chinese labels (fonts-wqy-microhei: 5 MB installed, where fonts-noto-cjk is 91 MB).
# Reading documents (bot/documents): RapidOCR's OpenCV wheel links libGL and GLib; its models
# are inside its wheel. Versions are pinned to bookworm's release line with a wildcard, so a
# security update still installs. First in the stage: the layer is rebuilt only when this
# line changes.
RUN apt-get update \
    && apt-get install -y --no-install-recommends 'graphviz=2.42.*' 'fonts-wqy-microhei=0.2.*' \
        'libgl1=1.6.*' 'libglib2.0-0=2.74.*' \
    && rm -rf /var/lib/apt/lists/*

# The wheels are bind-mounted from the builder for this one step, so none of them stays in a
# layer. The venv is made without pip and filled by the base image's pip (`--python`), so it
# holds only the bot and its dependencies: nothing that builds or installs packages. /wheels
# holds exactly the locked versions, so the resolution cannot pick others. The packages' own
# test folders (numpy's, matplotlib's: about 11 MB) are never imported and are dropped.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv --without-pip /opt/venv \
    && python -m pip --python /opt/venv/bin/python install --no-cache-dir \
        --disable-pip-version-check --no-index --find-links /wheels \
        /wheels/shop_onboarding_bot-*.whl \
    && find /opt/venv -depth -type d -name tests -path '*/site-packages/*' -exec rm -rf {} +

# A fixed uid/gid (not the first free one) so a volume's owner is known in advance: chown a bind
# mount to 10001 and it works with every build of this image. No login shell, no home.
RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin bot \
    && mkdir -p /app/data \
    && chown bot:bot /app/data

# Catalogs stay root-owned: the bot only reads them.
COPY --from=builder /catalogs/locales /app/locales

# PYTHONUNBUFFERED: log lines reach `docker logs` at once, not when a buffer fills.
# PYTHONDONTWRITEBYTECODE: the venv is read-only to the bot's user; the wheels' install
# compiled the bytecode already.
# LOCALES_DIR: the package is installed, so the catalogs are not beside its source (bot/platform/i18n.py).
# MPLCONFIGDIR: matplotlib (bot/reports) writes its font cache there; the bot's user has no home,
# so without it every start would warn and build the cache again in a fresh temporary folder.
# DATABASE_URL: the default, but absolute, so the SQLite file is in /app/data whatever the
# working directory; mount a volume there, or point DATABASE_URL at PostgreSQL.
# No token, password or other secret here: they come from the environment at `docker run`.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LOCALES_DIR=/app/locales \
    MPLCONFIGDIR=/tmp/matplotlib \
    DATABASE_URL=sqlite:////app/data/bot.sqlite3 \
    LISTEN_PORT=8080

WORKDIR /app
# Numeric, so that the runtime can tell it is not root without reading /etc/passwd
# (Kubernetes' runAsNonRoot refuses a named user it cannot check).
USER 10001:10001

# The webhook (when WEBHOOK_URL is set) and /healthz and /readyz, in both modes.
EXPOSE 8080

# Liveness, not readiness: /healthz answers while the process serves; /readyz also needs the
# database, and a database outage should not get the bot restarted. python:slim has no curl,
# so the check is Python's urllib (an HTTP error or no answer raises: exit code 1). The start
# period covers start-up, which migrates and waits (with backoff) for the database and Telegram
# before the HTTP server listens: at worst about 158 s with the default STARTUP_TRIES and
# STARTUP_MAX_WAIT (bot/platform/startup.py's worst_case_seconds; tests/test_dockerfile.py checks it).
# Raise it with those settings. HEALTHCHECK is Docker's: an OCI image (buildah's and podman's
# default format) drops it, so build with `--format docker` there (docs/operations.md).
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('LISTEN_PORT', '8080'), timeout=4)"]

# `run` migrates the database, then serves: long polling, or the webhook when WEBHOOK_URL is
# set. Exec form: the bot is PID 1 and gets SIGTERM itself, finishes the updates in hand and
# exits 0. Other sub-commands: `docker run IMAGE migrate`, `... invite-codes --market uk X`.
ENTRYPOINT ["shop-onboarding-bot"]
CMD ["run"]
