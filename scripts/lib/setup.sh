# Shared by scripts/test.sh and scripts/run.sh (sourced, not run): installs what a fresh
# Debian machine lacks and builds the native and web targets. Idempotent: packages already
# installed are skipped, builds are incremental.

TEXEL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Debian's Emscripten needs Debian's node modules (acorn) on the path (TOOLCHAIN.md).
export NODE_PATH=/usr/share/nodejs
JOBS="$(nproc 2>/dev/null || echo 2)"

TEXEL_PACKAGES=(cmake make g++ pkg-config nodejs npm emscripten libglfw3-dev libegl-dev
                libgles-dev python3-glad libstb-dev zlib1g-dev doctest-dev libcli11-dev nlohmann-json3-dev
                chromium xvfb xauth mesa-utils
                clang libclang-rt-dev)

texel_install_packages() {
  local missing=()
  for package in "${TEXEL_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$package")
  done
  # node may come from outside Debian (it does on these machines): then skip its packages.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    local kept=()
    for package in "${missing[@]}"; do
      [[ "$package" == nodejs || "$package" == npm ]] || kept+=("$package")
    done
    missing=("${kept[@]}")
  fi
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
}

texel_install_node_modules() {
  # npm ci only when the lock file changed since the last install (it wipes node_modules).
  local stamp="$TEXEL_ROOT/node_modules/.texel-lock"
  if ! cmp -s "$TEXEL_ROOT/package-lock.json" "$stamp" 2>/dev/null; then
    (cd "$TEXEL_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$TEXEL_ROOT/package-lock.json" "$stamp"
  fi
}

texel_build_native() {
  cmake -S "$TEXEL_ROOT" -B "$TEXEL_ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$TEXEL_ROOT/build" -j "$JOBS" -- --no-print-directory "$@"
}

texel_build_web() {
  # Configured every time (seconds), so that targets added since the last build exist.
  emcmake cmake -S "$TEXEL_ROOT" -B "$TEXEL_ROOT/build-web" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$TEXEL_ROOT/build-web" -j "$JOBS" -- --no-print-directory "$@"
  # The package's threaded core (pthreads; texel.mjs loads it where a page is cross-origin
  # isolated), built beside it in build-web-threads for every target that ships the package.
  local target
  for target in "$@"; do
    case "$target" in
      site | mnist_web | sentiment_web | texel_js)
        emcmake cmake -S "$TEXEL_ROOT" -B "$TEXEL_ROOT/build-web-threads" -DCMAKE_BUILD_TYPE=Release \
          -DTEXEL_WASM_THREADS=ON >/dev/null
        cmake --build "$TEXEL_ROOT/build-web-threads" -j "$JOBS" -- --no-print-directory texel_js
        texel_place_threads_core
        return 0
        ;;
    esac
  done
}

# The threaded core's three files beside the single-threaded core in every page that has one.
texel_place_threads_core() {
  local core="$TEXEL_ROOT/build-web-threads" dir
  [[ -f "$core/texel_core_threads.mjs" ]] || return 0
  for dir in "$TEXEL_ROOT"/build-web/apps/{mnist_web,sentiment_web,js_example}/texel "$TEXEL_ROOT/build-web/package"; do
    [[ -d "$dir" ]] || continue
    cp "$core"/texel_core_threads.{mjs,wasm,worker.js} "$dir/"
  done
}
