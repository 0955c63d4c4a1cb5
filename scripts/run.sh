#!/usr/bin/env bash
# texel's main job from a fresh Debian machine: builds the browser apps (Emscripten) and
# serves them on http://127.0.0.1:8080 (printing the URLs) until Ctrl-C: an index page,
# the digit recognizer at /mnist/ and the sentence sentiment page at /sentiment/.
# Idempotent. Arguments go to the server (e.g. --port 9000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$TEXEL_ROOT"
texel_install_packages
texel_install_node_modules
texel_build_web site >/dev/null
exec node scripts/serve_app.mjs build-web/apps/site "$@"
