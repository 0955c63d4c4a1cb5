#!/usr/bin/env bash
# texel's main job from a fresh Debian machine: builds the browser digit recognizer
# (Emscripten) and serves it on http://127.0.0.1:8080 (printing the URL) until Ctrl-C.
# Idempotent. Arguments go to the server (e.g. --port 9000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$TEXEL_ROOT"
texel_install_packages
texel_install_node_modules
texel_build_web mnist_web >/dev/null
exec node scripts/serve_app.mjs build-web/apps/mnist_web "$@"
