# Stand-in for the official full node:<major> / node:latest image: the slim stand-in plus the
# build tools the official "full" variant carries, so naive Dockerfiles build and their size cost shows.
ARG SLIM_IMAGE
FROM ${SLIM_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential git python3 curl \
 && rm -rf /var/lib/apt/lists/*
