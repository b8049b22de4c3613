# The Bridgemap service under gunicorn (used by docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
# constraints.txt pins every dependency (scripts/lock); [neo4j]: the compose file's store
COPY pyproject.toml README.md constraints.txt ./
COPY graph_models graph_models
COPY service service
COPY visualisations visualisations
RUN pip install --no-cache-dir -c constraints.txt '.[neo4j]' && useradd --system bridgemap
USER bridgemap
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", \
     "--access-logfile", "-", "service.app:create_app()"]
