# Installs the Debian packages planbot needs to build, test and run, if any is missing.
# Sourced by scripts/test and scripts/demo.
PLANBOT_PACKAGES=(
  build-essential cmake pkg-config
  libpqxx-dev libpq-dev libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev
  libpg-query-dev libprotobuf-c-dev doctest-dev libcli11-dev libyaml-cpp-dev libssl-dev
  libbenchmark-dev postgresql-15 postgresql-client-15 postgresql-15-hypopg python3
  clang-format-14 chromium prometheus-cpp-dev
  systemd strace
)

planbot_install_deps() {
  planbot_install_packages "${PLANBOT_PACKAGES[@]}"
}

# Installs the given Debian packages, if any is missing (scripts/fuzz adds clang and libFuzzer).
planbot_install_packages() {
  local missing=()
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "planbot: installing ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

planbot_build() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPLANBOT_WERROR=ON >/dev/null
  cmake --build build -j "$(nproc)"
}
