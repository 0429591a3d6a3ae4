# timeline-server and the bundled corpus in a small image.
#
#   docker build --build-arg TIMELINE_BUILD_ID="$(git describe --always --dirty)" -t timeline .
#   docker run --rm -p 8080:8080 timeline
#
# Two stages on debian:bookworm-slim: the first builds with the -dev packages,
# the second has only the runtime libraries, the two binaries and data/.
# .ci/run builds and runs this file with podman (see "Container and
# Kubernetes" in README.md).

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libjansson-dev libmicrohttpd-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# .dockerignore keeps .git, build directories, node_modules and tests/ out, so
# the build id (in every ETag) is the one passed here, e.g.
# --build-arg TIMELINE_BUILD_ID="$(git describe --always --dirty)", or the
# version alone; the tests are not built (BUILD_TESTING=OFF).
ARG TIMELINE_BUILD_ID=
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
      -DTIMELINE_BUILD_ID="${TIMELINE_BUILD_ID}" \
 && cmake --build /build -j"$(nproc)" --target timeline-server timeline-check \
 && strip /build/timeline-server /build/timeline-check \
 && /build/timeline-check data

FROM debian:bookworm-slim
# libmicrohttpd12 brings GnuTLS and friends; zlib1g is in the base already.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libjansson4 libmicrohttpd12 zlib1g \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && useradd --system --uid 10001 --user-group --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin timeline
COPY --from=build /build/timeline-server /build/timeline-check /usr/local/bin/
# The corpus belongs to root and is read-only for the server's user.
COPY --from=build /src/data /usr/share/timeline/data
RUN timeline-server --version && timeline-check /usr/share/timeline/data

# A numeric user, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8080
# SIGTERM: the server stops accepting, finishes requests in flight (up to 5 s)
# and exits 0.
STOPSIGNAL SIGTERM
# The image has no curl: bash's /dev/tcp sends the request. Set TIMELINE_PORT
# when the server is started on another port than 8080.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${TIMELINE_PORT:-8080} && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && IFS= read -r -t 2 status <&3 && [[ $status == *' 200 '* ]]"]
ENTRYPOINT ["timeline-server"]
CMD ["--bind", "0.0.0.0", "--port", "8080", "--data", "/usr/share/timeline/data"]
