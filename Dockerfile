# Multi-stage build: compile with the full toolchain, run from a slim image as a non-root user.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
COPY migrations ./migrations
COPY config ./config
COPY benches ./benches
COPY tests ./tests
RUN cargo build --release --locked --bin spotlight

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin spotlight \
 && mkdir -p /data && chown spotlight /data
COPY --from=build /src/target/release/spotlight /usr/local/bin/spotlight
COPY config /etc/spotlight
USER spotlight
WORKDIR /data
VOLUME /data
ENV SPOTLIGHT_DATABASE_URL=/data/spotlight.db
# server.listen, 0.0.0.0:8080 by default: Slack's requests (HTTP mode), the wall of thanks and
# the books, /healthz, /readyz and /metrics. Set SPOTLIGHT_SERVER_PUBLIC_URL to the address
# people reach it at, so the links the bot hands out work.
EXPOSE 8080
# The bot:       docker run -e SPOTLIGHT_DISCORD_TOKEN -v spotlight-data:/data spotlight
#                docker run -p 8080:8080 -e SPOTLIGHT_SLACK_SIGNING_SECRET -e SPOTLIGHT_SLACK_BOT_TOKEN \
#                  -v spotlight-data:/data spotlight
# Without a token `run` says so and points to the local shell:
#                docker run -it -v spotlight-data:/data spotlight shell
ENTRYPOINT ["spotlight"]
CMD ["run"]
