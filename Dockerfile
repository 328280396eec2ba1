# Release image of the hiroba server. Build: docker build -t hiroba .
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
RUN cargo build --release --locked --bin hiroba

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /data --uid 10001 hiroba \
    && mkdir -p /data && chown hiroba /data
COPY --from=build /src/target/release/hiroba /usr/local/bin/hiroba
USER hiroba
ENV HIROBA_DATA_DIR=/data \
    HIROBA_LISTEN=0.0.0.0:8080 \
    HIROBA_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["hiroba"]
CMD ["serve"]
