# The Bridgemap service under gunicorn (used by docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
# Pango for WeasyPrint (the board report's PDF)
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 \
    libpangoft2-1.0-0 && rm -rf /var/lib/apt/lists/*
# constraints.txt pins every dependency (scripts/lock); [neo4j]: the compose file's store;
# [redis]: its shared task queue and rate limits
COPY pyproject.toml README.md constraints.txt ./
COPY graph_models graph_models
COPY service service
COPY visualisations visualisations
# instance/: the service's private folder (secret key file, pending import uploads)
RUN pip install --no-cache-dir -c constraints.txt '.[neo4j,redis]' && useradd --system bridgemap \
    && install -d -m 700 -o bridgemap /app/instance
USER bridgemap
EXPOSE 8000
# bind, workers and an access log that masks tokens: service/gunicorn_conf.py
CMD ["gunicorn", "-c", "python:service.gunicorn_conf", "service.app:create_app()"]
