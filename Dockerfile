# syntax=docker/dockerfile:1
# Gatehouse container image: the release binary (scripts/release.sh) on a
# distroless static base, running as an unprivileged user.
#
#   docker build -t gatehouse \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg COMMIT="$(git rev-parse HEAD)" .
#   docker run -p 8080:8080 -v gatehouse-data:/var/lib/gatehouse \
#     -e GATEHOUSE_PUBLIC_URL=https://auth.example.com gatehouse
#
# .git is not sent to the builder (.dockerignore): the version and commit come
# from the build arguments (dev and unknown without them). Multi-platform
# builds (buildx --platform linux/amd64,linux/arm64) cross-compile on the
# builder's own platform: the binary is pure Go.

FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS=linux
ARG TARGETARCH=amd64
ARG VERSION=dev
ARG COMMIT=unknown
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	VERSION="$VERSION" COMMIT="$COMMIT" DIST=/out sh scripts/release.sh "$TARGETOS/$TARGETARCH" \
	&& mv "/out/gatehouse-$TARGETOS-$TARGETARCH" /out/gatehouse \
	&& mkdir -p /out/state

# distroless static: CA certificates, tzdata, /etc/passwd with nonroot (65532)
# and nothing else: no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gatehouse /gatehouse
# The state directory is created owned by the nonroot user so that a new named
# volume mounted there inherits that owner: the SQLite file, its -wal/-shm and
# the generated master key (gatehouse.key, when GATEHOUSE_MASTER_KEY is unset)
# live there.
COPY --from=build --chown=65532:65532 /out/state /var/lib/gatehouse
ENV GATEHOUSE_ADDR=:8080 \
	GATEHOUSE_MANAGEMENT_ADDR=:8081 \
	GATEHOUSE_DATABASE_URL=sqlite:///var/lib/gatehouse/gatehouse.db \
	GATEHOUSE_LOG_FORMAT=json
VOLUME ["/var/lib/gatehouse"]
# 8080: the doors, admin API and /status; 8081: the management listener
# (health, readiness, metrics).
EXPOSE 8080 8081
USER 65532:65532
# Readiness on the management listener: the database answers, its schema is
# current, Redis answers when configured (the binary probes itself: no shell).
HEALTHCHECK --interval=10s --timeout=6s --start-period=30s --retries=3 CMD ["/gatehouse", "healthcheck"]
# SIGTERM starts the graceful shutdown; give the container longer than
# GATEHOUSE_SHUTDOWN_DELAY + GATEHOUSE_SHUTDOWN_TIMEOUT to stop (docker stop
# --time 40, compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/gatehouse"]
CMD ["serve"]
