# The console's production image: gunicorn (gunicorn.conf.py) with static files baked in for
# whitenoise. The same image runs the fabric stand-in in compose.yaml. Settings come from the
# environment (README, "Running in production"); nothing secret is built into the image.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=false \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin console

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir console contracts_ui fabric_sandbox \
    && touch console/__init__.py contracts_ui/__init__.py fabric_sandbox/__init__.py \
    && pip install -e . \
    && rm -rf console contracts_ui fabric_sandbox

COPY manage.py gunicorn.conf.py ./
COPY console ./console
COPY contracts_ui ./contracts_ui
COPY fabric_sandbox ./fabric_sandbox
COPY templates ./templates
COPY static ./static

# Hashed, compressed static files; the keys exist only for this build step.
RUN SECRET_KEY=collectstatic-only-not-used-at-run-time AUDIT_KEY=collectstatic-only-not-used \
    python manage.py collectstatic --no-input -v 0 \
    && mkdir -p /app/var /fabric && chown console /app/var /fabric

USER console
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live/', timeout=2)"]
CMD ["gunicorn", "console.wsgi"]
