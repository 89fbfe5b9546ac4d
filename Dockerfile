# One image for the server, the workers and the scheduler (target `app`), and the proxy with the
# built front ends (target `proxy`). Node builds the front ends in the first stage only: neither
# runtime image has Node (tests/deploy/test_compose.py checks it).

# The front ends, built once with the locked npm workspace. LANDING_SITE_URL is the public
# origin the landing site names in its canonical links and sitemap.
FROM node:20-slim AS web
ARG LANDING_SITE_URL=http://orbitengine.localhost:8000
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 LANDING_SITE_URL=${LANDING_SITE_URL}
WORKDIR /web
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY frontend/package.json frontend/
COPY landing/package.json landing/
COPY pwa/package.json pwa/
RUN npm ci --no-audit --no-fund
COPY packages packages
COPY frontend frontend
COPY landing landing
COPY pwa pwa
RUN npm run build -w frontend && npm run build -w pwa && npm run build -w landing

# The reverse proxy: serves the built files and routes the API and /ws to the servers. Caddy 2.6,
# the release the proxy's test runs (tests/deploy/test_proxy.py) with this same Caddyfile.
FROM caddy:2.6 AS proxy
ENV ORBIT_WEB_DIR=/srv
COPY deploy/Caddyfile /etc/caddy/Caddyfile
COPY --from=web /web/frontend/dist /srv/frontend
COPY --from=web /web/pwa/dist /srv/pwa
COPY --from=web /web/landing/dist /srv/landing

FROM python:3.11-slim AS app
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
