FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json ./
COPY src ./src
COPY workers ./workers
COPY scripts ./scripts
COPY models ./models
COPY fixtures ./fixtures
COPY bin ./bin
COPY test ./test
COPY bench ./bench
RUN npm ci && npm prune --omit=dev
ENV NODE_ENV=production HOST=0.0.0.0
EXPOSE 3000
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
