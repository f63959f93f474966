# The Shoal trainer in a container: runs one task from /in on the data mounted
# under /data and writes its result to /out (see trainer-contract.ts).
# Built by build-images.ts from a staged context holding only what the trainer
# requires: dist/ files and production packages. No RUN steps, so any base
# with node on PATH works, including shoal-node-base, which has no shell.
ARG BASE_IMAGE=node:20-bookworm-slim
FROM ${BASE_IMAGE}
ARG SHOAL_VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="shoal-trainer" \
      org.opencontainers.image.description="Shoal trainer: one federated task on local data, no network" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${SHOAL_VERSION}"
WORKDIR /shoal
COPY package.json /shoal/package.json
COPY node_modules /shoal/node_modules
COPY dist /shoal/dist
USER 65534:65534
ENTRYPOINT ["node", "/shoal/dist/participant-agent/trainer/trainer-main.js", "--input", "/in", "--output", "/out"]
