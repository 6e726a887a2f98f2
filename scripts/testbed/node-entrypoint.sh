#!/bin/sh
# Same contract as the official node image's entrypoint: flags go to node, anything else is exec'd.
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
