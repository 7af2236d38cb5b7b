# One mentorbot process. SQLite by default (the database lives in the /data volume); set
# DATABASE_URL=postgresql+psycopg://... to use PostgreSQL instead.
#   docker build -t mentorbot .
#   docker run -d --name mentorbot -p 3000:3000 -v mentorbot-data:/data \
#     -e SLACK_BOT_TOKEN=xoxb-... -e SLACK_SIGNING_SECRET=... mentorbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# The whole build context (the checkout minus .dockerignore) and `pip install` from it: pip
# builds the wheel the way users get it, with every package and data file setuptools finds,
# so no folder can be left out here. The sources go again once installed.
COPY . /tmp/mentorbot
RUN pip install '/tmp/mentorbot[postgres]' \
    && rm -rf /tmp/mentorbot \
    && useradd --system --home /data --uid 10001 mentorbot \
    && mkdir -p /data && chown mentorbot /data

USER mentorbot
WORKDIR /data
VOLUME /data
EXPOSE 3000
# Database reachable and the pulse alive (GET /healthz is 503 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4).status != 200)"
# SIGTERM (docker stop) lets sends under way finish, then exits 0; keep docker stop's
# timeout above [bot] shutdown_seconds.
STOPSIGNAL SIGTERM
ENTRYPOINT ["mentorbot"]
CMD ["--config", "/data/mentorbot.toml", "run", "--platform", "slack", "--http", "--host", "0.0.0.0", "--port", "3000"]
