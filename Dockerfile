# One image for every service; the compose `command` picks the composition root
# (services/<service>/src/main.ts), run from the TypeScript sources by tsx.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json tsconfig.json ./
COPY contracts/package.json contracts/
COPY infra/package.json infra/
COPY tests/package.json tests/
COPY packages/kafkajs/package.json packages/kafkajs/
COPY packages/bus/package.json packages/bus/
COPY packages/memory-bus/package.json packages/memory-bus/
COPY packages/directory/package.json packages/directory/
COPY packages/delivery-ledger/package.json packages/delivery-ledger/
COPY packages/attendance/package.json packages/attendance/
COPY services/common/package.json services/common/
COPY services/intake/package.json services/intake/
COPY services/renderer/package.json services/renderer/
COPY services/operator/package.json services/operator/
COPY services/gateway/package.json services/gateway/
COPY services/workers/core/package.json services/workers/core/
COPY services/workers/sms/package.json services/workers/sms/
COPY services/workers/email/package.json services/workers/email/
COPY services/workers/push/package.json services/workers/push/
# npm ci's postinstall applies patches/ (patch-package: nodemailer) to the installed dependencies.
COPY patches patches
# tsx runs the sources directly (a dependency of the root package, so --omit=dev keeps it). Every
# workspace's package.json is copied first so this layer is rebuilt only when dependencies change.
# tests/production/production-install.component.test.ts repeats these steps in a folder and runs
# every service and the admin CLI from it.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY contracts contracts
# infra too: the admin CLI finds `npm start`'s broker with it, and gateway declares it a dependency.
COPY infra infra
COPY templates templates
COPY packages packages
COPY services services
# The keys volume is mounted at /keys; created here so a new named volume is writable by `node`.
RUN mkdir -p /keys && chown node:node /keys
USER node
EXPOSE 8080 8081 8082 8083 8084
CMD ["node", "--import", "tsx", "services/intake/src/main.ts"]
