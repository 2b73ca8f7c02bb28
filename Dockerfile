# syntax=docker/dockerfile:1
# Keywarden: one image for both roles (`serve --role web`, `serve --role worker`) and the CLI.
# The entry point is package.json's `bin` (tsc emits src/ under dist/src/, since rootDir is the repo).
# Two stages: the build stage has the compiler and dev dependencies; the runtime stage has only the
# compiled JavaScript, production dependencies and git (the worker clones Terraform files with it).

# Debian (glibc), not Alpine: the HCL grammar and msgpackr ship prebuilt glibc binaries, so no
# compiler is needed at install time.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Dependencies first, so editing the source does not invalidate the npm layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json app.yml ./
COPY src ./src
COPY bench ./bench
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# git for the hardened, sparse clones; ca-certificates for HTTPS to GitHub (Enterprise) Server.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
# The code stays owned by root and read-only to the process; the app runs as the unprivileged
# `node` user that the base image provides (uid 1000), whose home and /tmp are writable for clones.
USER node
EXPOSE 3000
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
