# The Shoal participant agent: takes offers from NATS, asks its organisation's
# policy and moderators, and trains accepted jobs in Docker sandboxes.
# Built by build-images.ts from a staged context holding only what the agent,
# the `shoal` CLI (for `shoal agent …` moderator commands in this container),
# the sandbox proxy and the trainer (for `sandbox.type: process`) require: dist/ files, the
# .proto contracts read at run time, production packages. No RUN steps, so any
# base with node on PATH works, including shoal-node-base, which has no shell.
#
#   docker run -e DOCKER_HOST=unix:///run/shoal-docker/docker.sock -v <proxy socket folder>:/run/shoal-docker \
#     -v "$PWD/agent.yaml":/etc/shoal/agent.yaml:ro -v <state and data> shoal-agent:dev
ARG BASE_IMAGE=node:20-bookworm-slim
FROM ${BASE_IMAGE}
WORKDIR /shoal
# Packages and contracts first: the agent and coordinator images share these
# layers (the same packages), so the second build and the disk pay for them once.
COPY node_modules /shoal/node_modules
COPY proto /shoal/proto
ARG SHOAL_VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="shoal-agent" \
      org.opencontainers.image.description="Shoal participant agent: moderates offers and trains accepted jobs in Docker sandboxes" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${SHOAL_VERSION}"
COPY package.json /shoal/package.json
COPY dist /shoal/dist
# Not root: the agent reaches the engine only through its organisation's
# sandbox proxy (DOCKER_HOST=unix:///run/shoal-docker/docker.sock), which lets
# through only the sandbox's own containers; compose gives each bank its own
# uid. The proxy, from this same image (--entrypoint
# node /shoal/dist/participant-agent/sandbox-proxy/main.js), runs as root with
# the host's socket, as does a bank's one-shot enrolment, which hands the
# bank's folder to its uid.
USER 10000:10000
ENTRYPOINT ["node", "/shoal/dist/participant-agent/main.js"]
CMD ["--config", "/etc/shoal/agent.yaml"]
