# syntax=docker/dockerfile:1
# The API as a container image: `docker compose up -d api` (see docker-compose.yml and README "Container").
# Not built on the machines this project is developed on: they have no Docker engine.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app
# Prisma's MongoDB query engine links against OpenSSL 3, and Prisma finds its version through `openssl`.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*

# Everything needed to build: `npm ci` generates the Prisma clients (with network, downloading the MongoDB
# query engine beside its client), `npm run build` compiles to dist/ and copies the engine there.
FROM base AS build
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Production dependencies only (the install scripts still run: embedded PostgreSQL's links, Prisma's client).
FROM base AS deps
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund

FROM base AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    DATA_DIR=/app/.data
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Applied at start-up on PostgreSQL (src/storage/postgres/migrate.ts finds them from dist/).
COPY prisma/postgresql/migrations ./prisma/postgresql/migrations
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 4000
# /readyz answers 200 only while the database answers (and 503 from the first moment of a shutdown).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
