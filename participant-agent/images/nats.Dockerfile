# NATS for a Shoal federation on machines that reach no registry (CI): the
# host's nats-server binary — a Go program linked only against libc — on a base
# that has libc and its loader. shoal-node-base, imported from the host's node
# and its shared libraries, has exactly those, at the paths the host's loader
# uses. Where a registry is reachable, use the official nats:2.9-alpine.
# Built by build-images.ts from a context of this file and the binary.
#
#   docker run -p 4222:4222 -v "$PWD/nats.conf":/etc/nats/nats.conf:ro \
#     shoal-nats:dev --config /etc/nats/nats.conf
ARG BASE_IMAGE=shoal-node-base:20
FROM ${BASE_IMAGE}
ARG NATS_VERSION=unknown
LABEL org.opencontainers.image.title="shoal-nats" \
      org.opencontainers.image.description="nats-server from the build host, for Shoal federations without a registry" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${NATS_VERSION}"
COPY nats-server /usr/local/bin/nats-server
EXPOSE 4222 6222 8222
# Root, like the official nats image: the server's TLS key that `shoal pki`
# writes (mode 0600) into a mounted volume must be readable by it. The ports
# are unprivileged, so `--user 65534:65534` works where the key is readable.
USER 0:0
ENTRYPOINT ["/usr/local/bin/nats-server"]
