#!/usr/bin/env bash
# texel's main job from a fresh Debian machine. Until the browser digit recognizer lands
# (issue 5) this builds the engine and runs the desktop GL harness: GL driver facts, then
# every op checked against the CPU reference. Idempotent; arguments go to gl_harness
# (e.g. --window under an X server, --filter matMul).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup.sh"
cd "$TEXEL_ROOT"
texel_install_packages
texel_build_native gl_harness >/dev/null
exec build/apps/gl_harness "$@"
