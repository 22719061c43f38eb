# shellcheck shell=bash
# The demo's configuration: an admin API token made at the first start and kept, and the
# planbot.yaml that `scripts/demo` runs `planbot serve` with. Sourced by scripts/demo and by its
# test (tests/e2e/demo_config_test.cc), which call these functions on a directory of their own.
#
# STATE_DIR/admin-token   the token (random, 48 hex digits), mode 0600, kept across runs
# STATE_DIR/planbot.yaml  written again at every start (the PostgreSQL port can change), mode
#                         0600 (it holds the token). Its absolute `store` is STATE_DIR/planbot.db,
#                         so that `planbot audit verify` and `planbot admin ...` run from the
#                         repository without flags find it (.planbot/planbot.yaml is looked for).

# demo_admin_token STATE_DIR: prints the token, making it first if there is none yet.
demo_admin_token() {
  local dir="$1" file="$1/admin-token" token=""
  if [ -f "$file" ]; then token=$(<"$file"); fi
  if ! [[ "$token" =~ ^[0-9a-f]{48}$ ]]; then
    token=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
    [[ "$token" =~ ^[0-9a-f]{48}$ ]] || { echo "demo: cannot read /dev/urandom" >&2; return 1; }
    (umask 077 && printf '%s\n' "$token" >"$file.tmp") && mv -f "$file.tmp" "$file"
  fi
  chmod 600 "$file"
  printf '%s\n' "$token"
}

# A YAML double-quoted scalar for $1 that planbot takes literally (`${` would be expanded).
demo_yaml_quote() {
  local s="$1"
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//\$\{/\$\$\{}
  printf '"%s"' "$s"
}

# demo_write_config STATE_DIR LISTEN PGPORT SOURCE_DB [CLONE_PREFIX]: writes
# STATE_DIR/planbot.yaml, serving SOURCE_DB of the PostgreSQL on 127.0.0.1:PGPORT as the database
# `shop`; its clones are named CLONE_PREFIX_<id> (default planbot_demo; the test passes its own).
demo_write_config() {
  local dir="$1" listen="$2" pgport="$3" source_db="$4" prefix="${5:-planbot_demo}" token abs_dir
  [[ "$pgport" =~ ^[0-9]+$ ]] || { echo "demo: bad PostgreSQL port '$pgport'" >&2; return 1; }
  abs_dir=$(cd "$dir" && pwd -P)
  token=$(demo_admin_token "$dir") || return 1
  (
    umask 077
    cat >"$dir/planbot.yaml.tmp" <<EOF
# Written by scripts/demo at every start (edits are lost; the token is kept in admin-token beside
# this file). planbot serve, audit verify and admin find this file when they run in the
# repository without --config (README, "Where the store is"). Quota raised for exploring.
listen: $(demo_yaml_quote "$listen")
store: $(demo_yaml_quote "$abs_dir/planbot.db")
api:
  tokens:
    - {name: demo-admin, token: "$token", role: admin}
limits:
  quota: {commands: 1000, per: 1m}
databases:
  - name: shop
    provider: local
    local:
      admin_dsn: "host=127.0.0.1 port=$pgport user=postgres dbname=postgres"
      source: $(demo_yaml_quote "$source_db")
      warm_clones: 1
      clone_prefix: $(demo_yaml_quote "$prefix")
EOF
  ) || return 1
  mv -f "$dir/planbot.yaml.tmp" "$dir/planbot.yaml"
  chmod 600 "$dir/planbot.yaml"
}

# demo_token_lines STATE_DIR: what the demo prints about the token, ready to paste into a shell.
demo_token_lines() {
  local token
  token=$(demo_admin_token "$1") || return 1
  cat <<EOF
  # your admin API token, kept in .planbot/admin-token: planbot ask reads \$PLANBOT_TOKEN,
  # curl sends it as a header, the web view's login page takes it
  export PLANBOT_TOKEN=$token
EOF
}
