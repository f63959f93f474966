# The regulator's side of Shoal: the `shoal` CLI (job submit|status, pki,
# keys), which starts each job's coordinator and aggregator as child
# processes of the same node (process.execPath), so both are in here too.
# Built by build-images.ts from a staged context holding only what those three
# entry points require: dist/ files, the .proto contracts read at run time,
# production packages. No RUN steps, so any base with node on PATH works,
# including shoal-node-base, which has no shell.
#
#   docker run -v "$PWD/fed":/fed -w /fed shoal-coordinator:dev pki init --dir pki
ARG BASE_IMAGE=node:20-bookworm-slim
FROM ${BASE_IMAGE}
WORKDIR /shoal
# Packages and contracts first: the agent and coordinator images share these
# layers (the same packages), so the second build and the disk pay for them once.
COPY node_modules /shoal/node_modules
COPY proto /shoal/proto
ARG SHOAL_VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="shoal-coordinator" \
      org.opencontainers.image.description="Shoal regulator side: the shoal CLI with the coordinator and aggregator it launches" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${SHOAL_VERSION}"
COPY package.json /shoal/package.json
COPY dist /shoal/dist
# Root, for a simple compose demo: it writes the PKI, keys and job outputs
# into mounted volumes, which are root-owned when docker creates them. To run
# unprivileged, pass `--user 65534:65534` (or `user:` in compose) and make the
# mounted folders writable by that uid; nothing in the image needs root.
USER 0:0
ENTRYPOINT ["node", "/shoal/dist/cli/shoal.js"]
