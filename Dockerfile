# sentencekit serve in a container: text-embeddings-inference's and OpenAI's routes on port 3000.
#
# The image installs the packed packages, sentencekit and @sentencekit/linux-x64-gnu (the addon
# and ONNX Runtime), so it needs no compiler and runs no install script. Pack them first
# (sentencekit-<version>.tgz and sentencekit-linux-x64-gnu-<version>.tgz), then build the image:
#   npm ci && npm run prebuild -- linux-x64-gnu && npm run pack:all -- --out .
#   docker build -t sentencekit-serve .
#   docker run -p 3000:3000 -v hf-cache:/data sentencekit-serve --model sentence-transformers/all-MiniLM-L6-v2
# Models are downloaded into the Hugging Face cache at /data (HF_HOME) on first start; mount
# a volume there, or a model folder, and pass --model /models/<name>. Flags after the image name
# are serve's (`sentencekit serve --help`); API_KEY and PORT are read from the environment.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HF_HOME=/data \
    PORT=3000

COPY sentencekit-*.tgz /tmp/
# Neither package has an install script; nothing is compiled.
RUN npm install --global --omit=dev --ignore-scripts --no-audit --no-fund /tmp/sentencekit-*.tgz \
    && rm /tmp/sentencekit-*.tgz \
    && npm cache clean --force \
    && mkdir -p /data \
    && chown node:node /data

USER node
WORKDIR /home/node
VOLUME /data
EXPOSE 3000

# Liveness for docker; Kubernetes should probe /live (liveness) and /ready (readiness) instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

# Exec form: node is PID 1 and gets SIGTERM itself; serve drains in-flight requests and exits.
ENTRYPOINT ["sentencekit", "serve", "--hostname", "0.0.0.0"]
CMD ["--model", "sentence-transformers/all-MiniLM-L6-v2"]
