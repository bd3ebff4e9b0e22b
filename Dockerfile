# kube-autofix: one image for `bot`, `worker`, `start`, `diagnose`, `fix`.
# (Not built in CI: the project's machines have no container engine.)
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.mjs scripts/
COPY src src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The image's `node` user by number, so Kubernetes can verify runAsNonRoot (the Helm chart runs it as 1000).
USER 1000:1000
EXPOSE 3000
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start"]
