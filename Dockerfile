# TalentCircles production image: gunicorn serves the app, WhiteNoise serves the static files.
# The same image runs the web, worker, beat and migrate services in docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=talentcircles.settings

WORKDIR /app

# An unprivileged user; the code stays root-owned and read-only to it, only var/ is writable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

# Runtime dependencies only (requirements-dev.txt is for tests and linting).
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Static files are collected into the image with throwaway settings: nothing here reaches
# a database, cache or broker, and the real configuration arrives at run time.
RUN DEBUG=False SECRET_KEY=build-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/var \
    && chown app:app /app/var

USER app

EXPOSE 8000

# Workers, threads, backlog and timeouts: gunicorn.conf.py (from GUNICORN_* variables; docs/scale.md).
CMD ["gunicorn", "talentcircles.wsgi:application"]
