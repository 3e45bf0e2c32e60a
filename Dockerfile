# Worker (and emulator) image: `docker compose up --scale worker=3`, or `docker build -t fleet-run .`
# The worker runs TypeScript through tsx (`npm run worker`), so dev dependencies are installed too.
FROM node:20-slim

WORKDIR /app

# Dependencies first, for layer caching.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY . .

# Files stay root-owned and read-only to the app; it writes only to /tmp.
USER node
ENV TEMPORAL_ADDRESS=temporal:7233 \
    TEMPORAL_NAMESPACE=default

# The emulator service overrides this command.
CMD ["npm", "run", "worker"]
