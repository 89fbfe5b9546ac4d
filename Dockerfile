# One image for the server, the workers and the scheduler.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY server server
COPY realtime realtime
COPY sync sync
COPY forecasting forecasting
RUN uv sync --locked --no-dev
ENV PATH=/opt/venv/bin:$PATH
USER nobody
EXPOSE 8000
CMD ["orbit", "serve", "--host", "0.0.0.0", "--port", "8000"]
