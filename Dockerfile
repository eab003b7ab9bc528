# Partner Ops: production image.
#
#   docker build -t partner-ops .
#   docker run --rm -p 3978:3978 --env-file .env partner-ops
#
# Two stages: `build` installs everything, compiles the production sources (src/ only: the sandbox, the
# local token authority and the Playground launcher live in dev/, which is not even in the build context)
# and prunes the dev dependencies; the runtime stage gets only package.json, package-lock.json, dist/src,
# cards/, legal/ and the production node_modules, and runs as the image's unprivileged `node` user.

# ---- build -------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app

# Install scripts are skipped (--ignore-scripts), whatever npm version the base image ships. package.json's
# "allowScripts" allows only botbuilder-dialogs' postinstall, which deletes nested
# copies of @microsoft/recognizers-text-number with `npx rimraf`; `npm prune` below puts them back from
# the lockfile anyway, they serve only botbuilder-dialogs' prompts (which this bot does not use), and the
# development tree runs its tests with them. dtrace-provider's script (a node-gyp build) is refused by
# "allowScripts" too. Nothing needs an install script at run time.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# Only what tsconfig.prod.json compiles (src), so this is exactly `npm run build:prod`.
COPY tsconfig.json tsconfig.prod.json ./
COPY src ./src
COPY cards ./cards
COPY legal ./legal
RUN npm run build:prod \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime -----------------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# V8's old generation capped at 384 MB: with Node's defaults the heap grows to about 4x its live size before a
# full collection (300-450 MB of RSS for an instance polling 10,000 watches, whose live heap peaks near
# 100 MB); with the cap, about 230 MB (npm run bench:notifications). Raise it for much more per instance
# (docs/notifications.md, "How much one instance serves"). infra/main.bicep sets the same value; a test keeps them equal.
ENV NODE_OPTIONS="--max-old-space-size=384"
WORKDIR /app

# Root-owned and read-only for the app; only the embedded file store's folder (DATA_DIR, default .data,
# used when AZURE_STORAGE_CONNECTION_STRING is unset) is writable by `node`.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/cards ./cards
# The privacy statement and terms the manifest links (/privacy, /terms): the operator's text, served as it is.
COPY --from=build /app/legal ./legal
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 3978

# slim has no curl: node's own fetch. PORT is the app's listening port (default 3978); the app binds
# 0.0.0.0 with BOT_ID set and 127.0.0.1 without, so loopback answers either way.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/src/main.js"]
