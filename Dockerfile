# syntax=docker/dockerfile:1
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/seance . && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/seance /seance
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV SEANCE_ADDR=:8080 DATABASE_URL=/data/seance.db TZ=Europe/Paris
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/seance", "healthcheck"]
ENTRYPOINT ["/seance"]
CMD ["serve"]
