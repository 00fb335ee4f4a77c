# One image for the four services and the gateway; SERVICE picks which one runs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/token-service/package.json apps/token-service/
COPY apps/webhook-ingest/package.json apps/webhook-ingest/
COPY apps/message-dispatch/package.json apps/message-dispatch/
COPY apps/oauth-refresh/package.json apps/oauth-refresh/
COPY apps/gateway/package.json apps/gateway/
COPY apps/console/package.json apps/console/
COPY apps/cli/package.json apps/cli/
COPY apps/cli/bin apps/cli/bin
COPY libs/contracts/package.json libs/contracts/
COPY libs/platform/package.json libs/platform/
COPY libs/token-client/package.json libs/token-client/
COPY libs/testing/package.json libs/testing/
COPY libs/client/package.json libs/client/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
USER node
ARG SERVICE=token-service
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec node --enable-source-maps apps/${SERVICE}/dist/main.js"]
