# One image for every service; the command picks the service (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY contracts/package.json contracts/
COPY infra/package.json infra/
COPY tests/package.json tests/
COPY services/common/package.json services/common/
COPY services/intake/package.json services/intake/
COPY services/renderer/package.json services/renderer/
COPY services/operator/package.json services/operator/
COPY services/workers/core/package.json services/workers/core/
COPY services/workers/sms/package.json services/workers/sms/
COPY services/workers/email/package.json services/workers/email/
COPY services/workers/push/package.json services/workers/push/
# tsx runs the TypeScript sources directly (it is a dependency of infra, so --omit=dev keeps it).
RUN npm ci --omit=dev --no-audit --no-fund
COPY contracts contracts
COPY templates templates
COPY services services
USER node
EXPOSE 8080 8081 8082
CMD ["node", "--import", "tsx", "services/intake/src/main.ts"]
