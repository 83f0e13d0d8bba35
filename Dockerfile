# syntax=docker/dockerfile:1
#
# dockql in a container: a GraphQL API for the Docker Engine of the host it
# runs on, through the host's socket.
#
#   docker build --build-arg DOCKER_GID="$(stat -c %g /var/run/docker.sock)" -t dockql .
#   docker run -d --name dockql -p 127.0.0.1:4000:4000 \
#     -v /var/run/docker.sock:/var/run/docker.sock \
#     -v "$PWD/secrets:/etc/dockql:ro" \
#     -v dockql-archives:/var/lib/dockql/archives \
#     dockql
#
# compose.yaml beside this file does the same.
#
# Security, in short:
# - Access to the socket is root on the host. The process runs as the
#   unprivileged user `dockql` whose only privilege is membership of the group
#   that owns the socket: DOCKER_GID must be that group's id ON THE HOST (the
#   socket keeps the host's numeric owner when mounted). Wrong id: every daemon
#   call answers DAEMON_UNAVAILABLE (permission denied).
# - In a container dockql must listen on 0.0.0.0 (DOCKQL_HOST below) to be
#   reachable through a published port, and dockql refuses a non-loopback
#   address without tokens (every caller would be admin). So mount a tokens
#   file and point DOCKQL_TOKENS_FILE at it; the default below expects
#   /etc/dockql/tokens.json. Create it with `npm run token -- --name NAME
#   --role viewer|operator|admin --file secrets/tokens.json` (or `node
#   scripts/token.mjs ...`, which the image carries), make it readable by uid
#   APP_UID (`sudo chown 10001 secrets/tokens.json`; the script replaces the
#   file, so again after each change), and mount its DIRECTORY (a single-file
#   bind mount keeps the old file when the script replaces it).
# - Publish the port on 127.0.0.1 unless a reverse proxy or a firewall stands
#   in front (deploy/nginx.conf).

ARG NODE_VERSION=20

# ---- build: compile TypeScript and bundle the playground (needs the dev dependencies)
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and dist/ only
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# The group id of /var/run/docker.sock on the host: stat -c %g /var/run/docker.sock
ARG DOCKER_GID=999
ARG APP_UID=10001
# A group with that id may already exist in the image: then the user joins it under its name.
RUN set -eu; \
    getent group "${DOCKER_GID}" >/dev/null || groupadd --system --gid "${DOCKER_GID}" docker; \
    groupadd --system --gid "${APP_UID}" dockql; \
    useradd --system --uid "${APP_UID}" --gid dockql --groups "$(getent group "${DOCKER_GID}" | cut -d: -f1)" \
      --home-dir /var/lib/dockql --no-create-home --shell /usr/sbin/nologin dockql; \
    mkdir -p /var/lib/dockql/archives /etc/dockql; \
    chown -R dockql:dockql /var/lib/dockql
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY scripts/token.mjs ./scripts/token.mjs
# The `dockql` CLI launcher (dist/cli is in dist/): docker exec <container> node bin/dockql.js ps
COPY bin ./bin

ENV NODE_ENV=production \
    DOCKQL_HOST=0.0.0.0 \
    DOCKQL_PORT=4000 \
    DOCKQL_TOKENS_FILE=/etc/dockql/tokens.json \
    DOCKQL_ARCHIVE_DIR=/var/lib/dockql/archives \
    DOCKQL_LOG_FORMAT=json \
    DOCKER_HOST=unix:///var/run/docker.sock

# Archives outlive the container.
VOLUME ["/var/lib/dockql/archives"]
EXPOSE 4000
USER dockql

# Slim images have no curl: node (20 has fetch) asks /healthz, which needs no token.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.DOCKQL_PORT || 4000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node directly (not npm start): it gets SIGTERM from `docker stop` and drains; SIGHUP reloads the tokens file.
CMD ["node", "dist/main.js"]
