# factcheck service image: CPU-only torch, both models baked in, runs as a non-root user under gunicorn.
# It listens on all interfaces, so it needs a key for writes: docker run -e FACTCHECK_API_KEY=... -p 8000:8000
# (FACTCHECK_WORKERS sets the worker processes; each loads its own models, ~0.6 GB).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    FACTCHECK_DATA_DIR=/data \
    FACTCHECK_WORKERS=1

RUN useradd --create-home --uid 10001 factcheck \
    && mkdir /data && chown factcheck /data
WORKDIR /app

# CPU build of torch first, so the pinned requirement below does not pull a CUDA build.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md ./
COPY qa qa
COPY embeddings embeddings
COPY api api
COPY seeds seeds
# EXTRAS="[milvus]" adds the Milvus client (deploy/compose.yaml builds it so).
ARG EXTRAS=""
RUN pip install -e ".${EXTRAS}"

USER 10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["factcheck", "serve", "--host", "0.0.0.0", "--port", "8000"]
