# The docbatch worker image: `docker compose up --scale worker=N` runs N of these against one cluster.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production
# V8 sizes its heap from the machine; a cap keeps a worker near its live set (~100 MB at 100,000 documents, see docs/benchmarks.md).
ENV NODE_OPTIONS=--max-old-space-size=512

COPY package.json package-lock.json ./
# `npm ci` needs every platform's optional packages in the lock; fall back to the locked versions via install.
RUN (npm ci --omit=dev --no-audit --no-fund || npm install --omit=dev --no-audit --no-fund --no-save) \
    && npm cache clean --force

COPY . .

# Documents and batch output live on the shared volume mounted at /data (see docs/deployment.md).
RUN mkdir -p /data && chown node:node /data /app
USER node

# The worker drains in-flight chunks on SIGTERM; compose gives it stop_grace_period to do so.
CMD ["node", "--import", "tsx", "src/worker.ts"]
