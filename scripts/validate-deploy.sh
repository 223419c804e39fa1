#!/usr/bin/env bash
# Validates everything under deploy/ without a Docker engine or a cluster; CI runs it.
#
#   bash scripts/validate-deploy.sh                  all checks, then the self-test
#   bash scripts/validate-deploy.sh --no-self-test   all checks only
#   bash scripts/validate-deploy.sh --only STAGE     one stage: syntax dockerfile compose k8s prometheus otel grafana healthcheck
#   bash scripts/validate-deploy.sh --self-test      only the self-test
#
# Stages:
#   syntax       every YAML/JSON file under deploy/ parses; duplicate keys are errors
#   dockerfile   Dockerfile lint (dockerfile-utils), COPY sources exist in the context after
#                .dockerignore, non-root final stage, workspace manifests, .dockerignore keeps
#                what the image needs and drops tests, node_modules, dist, .git and .env files;
#                the image runs the compiled services (node --enable-source-maps .../dist/main.js,
#                no tsx) and takes node_modules only from an `npm ci --omit=dev` stage
#   compose      `docker compose config` (Compose v2) with and without the observability profile,
#                then the model: only the gateway publishes a port, healthchecks behind every
#                service_healthy and asking readiness (not /healthz, not gRPC "liveness"),
#                *_ADDR / DATABASE_URL / REDIS_URL name real services and ports,
#                Prometheus scrapes every METRICS_PORT
#   k8s          `kustomize build` of base and every overlay; each object against the Kubernetes
#                JSON schema (kubernetes-models) and, for unknown fields, its TypeScript type; then
#                references (Service selectors and target ports, probe ports, HPA/PDB targets,
#                ConfigMaps, Secrets, *_ADDR) and rules (probes, resources, non-root, read-only root;
#                a liveness or startup probe never asks readiness: not the readiness probe's check,
#                not the gRPC overall status but service "liveness", not /readyz)
#   prometheus   promtool check config deploy/prometheus.yml
#   otel         collector pipelines only use defined components of known types
#   grafana      dashboards use provisioned datasources, known metrics and labels; every query
#                parses (promtool check rules on the queries)
#   healthcheck  deploy/healthcheck.mjs against a real grpc.health.v1 server (needs the root
#                `npm ci`: it loads @grpc/grpc-js from node_modules, as in the image)
# The self-test breaks a copy of deploy/ in known ways and fails unless every breakage is caught.
#
# Tools, none of which the repository's package.json needs:
#   - npm packages pinned in deploy/tools/package-lock.json, installed with `npm ci` into
#     deploy/tools/node_modules (a separate project, not a workspace, not in the image);
#   - docker compose v2, kustomize and promtool: taken from PATH when there (`docker compose`,
#     `kustomize` or `kubectl kustomize`, `promtool`), otherwise Debian's packages
#     docker-compose, kustomize and promtool of the trixie suite are downloaded with apt-get from
#     this machine's configured Debian mirror and unpacked into deploy/tools/.cache (nothing is
#     installed system-wide; the machine's apt configuration is not changed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/deploy/tools"
CACHE="${VALIDATE_DEPLOY_CACHE:-$TOOLS/.cache}"
DEBIAN_SUITE="${VALIDATE_DEPLOY_DEBIAN_SUITE:-trixie}"
# The self-test points these at broken copies.
DEPLOY="${VALIDATE_DEPLOY_DIR:-$ROOT/deploy}"
DOCKERIGNORE="${VALIDATE_DEPLOY_DOCKERIGNORE:-$ROOT/.dockerignore}"

STAGES=(syntax dockerfile compose k8s prometheus otel grafana healthcheck)
mode=all
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="${2:?--only needs a stage}"; mode=only; shift 2 ;;
    --self-test) mode=self-test; shift ;;
    --no-self-test) mode=checks; shift ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
say() { printf '%s\n' "$*"; }

# ---- tools -----------------------------------------------------------------------------------
ensure_node_tools() {
  local stamp="$TOOLS/node_modules/.validate-deploy-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$TOOLS/package-lock.json"; then return 0; fi
  say "-- installing deploy/tools (npm ci)"
  npm ci --prefix "$TOOLS" --no-audit --no-fund --loglevel=error >&2
  cp "$TOOLS/package-lock.json" "$stamp"
}

# The configured Debian mirror (first "deb" source), so no host name is written down here.
debian_mirror() {
  local uri=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    uri="$(awk 'tolower($1)=="uris:" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)"
  fi
  printf '%s' "$uri"
}

# debian_fetch PACKAGE...: downloads Debian packages of $DEBIAN_SUITE and unpacks them (no install).
debian_fetch() {
  local dir="$CACHE/debian-$DEBIAN_SUITE" mirror
  if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
    echo "need $* but neither they nor apt-get are here: install docker compose v2, kustomize (or kubectl) and promtool" >&2
    return 1
  fi
  mirror="$(debian_mirror)"
  [ -n "$mirror" ] || { echo "no Debian mirror configured in /etc/apt" >&2; return 1; }
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/debs" "$dir/root"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$mirror" "$DEBIAN_SUITE" >"$dir/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o APT::Sandbox::User=root -qq)
  say "-- downloading Debian $DEBIAN_SUITE packages: $*"
  # The package lists are fetched again when older than a day.
  if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get "${opts[@]}" update >&2
  fi
  (cd "$dir/debs" && apt-get "${opts[@]}" download "$@" >&2)
  local deb
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
}
debian_bin() { printf '%s' "$CACHE/debian-$DEBIAN_SUITE/root/usr/$1"; }

COMPOSE=()
ensure_compose() {
  [ ${#COMPOSE[@]} -gt 0 ] && return 0
  if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); return 0; fi
  if command -v docker-compose >/dev/null && docker-compose version --short 2>/dev/null | grep -q '^v\?2'; then
    COMPOSE=(docker-compose); return 0
  fi
  local bin; bin="$(debian_bin libexec/docker/cli-plugins/docker-compose)"
  [ -x "$bin" ] || debian_fetch docker-compose || return 1
  COMPOSE=("$bin")
}

KUSTOMIZE=()
ensure_kustomize() {
  [ ${#KUSTOMIZE[@]} -gt 0 ] && return 0
  if command -v kustomize >/dev/null && kustomize version 2>/dev/null | grep -q '^v\?[45]\|devel'; then KUSTOMIZE=(kustomize build); return 0; fi
  if command -v kubectl >/dev/null && kubectl version --client 2>/dev/null | grep -q 'Kustomize Version: v[45]'; then
    KUSTOMIZE=(kubectl kustomize); return 0
  fi
  local bin; bin="$(debian_bin bin/kustomize)"
  [ -x "$bin" ] || debian_fetch kustomize || return 1
  KUSTOMIZE=("$bin" build)
}

PROMTOOL=""
ensure_promtool() {
  [ -n "$PROMTOOL" ] && return 0
  if command -v promtool >/dev/null; then PROMTOOL=promtool; return 0; fi
  PROMTOOL="$(debian_bin bin/promtool)"
  [ -x "$PROMTOOL" ] || debian_fetch promtool || return 1
}

check() { node "$TOOLS/check.mjs" "$@"; }

# ---- stages (each returns non-zero on any finding; errexit does not apply inside `if`) --------
stage_syntax() {
  local files=()
  mapfile -t files < <(find "$DEPLOY" -path "$DEPLOY/tools" -prune -o -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.json' \) -print | sort)
  [ ${#files[@]} -gt 0 ] || { say "  no YAML/JSON files under $DEPLOY"; return 1; }
  check syntax "${files[@]}" || return 1
  say "  ${#files[@]} files parse"
}

stage_dockerfile() {
  check dockerfile --context "$ROOT" --dockerfile "$DEPLOY/Dockerfile" --dockerignore "$DOCKERIGNORE"
}

stage_compose() {
  ensure_compose || return 1
  local file="$DEPLOY/docker-compose.yml" envfile="$WORK/compose.env" rc=0
  # A fixed env file: a developer's deploy/.env must not decide what CI sees.
  printf 'JWT_SECRET=validate-deploy-dummy-secret-0123456789\n' >"$envfile"
  local base=(env -u COMPOSE_PROFILES -u COMPOSE_FILE -u COMPOSE_PROJECT_NAME "${COMPOSE[@]}" --env-file "$envfile" -f "$file")
  "${base[@]}" config -q || { say "  compose config failed"; return 1; }
  "${base[@]}" --profile observability config -q || { say "  compose config --profile observability failed"; return 1; }
  # JWT_SECRET must be required, not defaulted.
  if env -u COMPOSE_PROFILES -u COMPOSE_FILE "${COMPOSE[@]}" --env-file /dev/null -f "$file" config -q >/dev/null 2>&1; then
    say "  ERROR compose config succeeds without JWT_SECRET: it must be \${JWT_SECRET:?...}"
    rc=1
  fi
  "${base[@]}" --profile observability config --format json >"$WORK/compose.json" || return 1
  check compose --config "$WORK/compose.json" --prometheus "$DEPLOY/prometheus.yml" --context "$ROOT" || rc=1
  [ $rc -eq 0 ] && say "  $("${COMPOSE[@]}" version --short 2>/dev/null || echo compose): config valid, with and without the observability profile"
  return $rc
}

stage_k8s() {
  ensure_kustomize || return 1
  local rc=0 dir name out external
  for dir in "$DEPLOY/k8s/base" "$DEPLOY"/k8s/overlays/*/; do
    dir="${dir%/}"
    [ -f "$dir/kustomization.yaml" ] || continue
    name="${dir#"$DEPLOY"/k8s/}"
    out="$WORK/k8s-${name//\//-}.yaml"
    if ! "${KUSTOMIZE[@]}" "$dir" >"$out"; then
      say "  ERROR kustomize build $name failed"
      rc=1
      continue
    fi
    # Secrets an overlay expects to exist in the cluster are declared in its kustomization.yaml:
    #   # validate-deploy: external-secrets=NAME[,NAME]
    external="$(sed -n 's/^# validate-deploy: external-secrets=//p' "$dir/kustomization.yaml" | tr ',' ' ')"
    local args=()
    for s in $external; do args+=(--external-secret "$s"); done
    check k8s --manifests "$out" --name "$name" "${args[@]}" || rc=1
  done
  return $rc
}

stage_prometheus() {
  ensure_promtool || return 1
  "$PROMTOOL" check config "$DEPLOY/prometheus.yml"
}

stage_otel() {
  check otel --config "$DEPLOY/otel-collector.yaml"
}

stage_grafana() {
  ensure_promtool || return 1
  check grafana --datasources "$DEPLOY/grafana/provisioning/datasources/datasources.yaml" \
    --dashboards "$DEPLOY/grafana/dashboards" --rules-out "$WORK/dashboard-queries.rules.yml" || return 1
  "$PROMTOOL" check rules "$WORK/dashboard-queries.rules.yml"
}

stage_healthcheck() {
  if [ ! -d "$ROOT/node_modules/@grpc/grpc-js" ]; then
    say "  SKIPPED: run npm ci at the repository root first (healthcheck.mjs loads @grpc/grpc-js from node_modules)"
    return 0
  fi
  node "$TOOLS/healthcheck-selftest.mjs"
}

run_stages() {
  local failed=() stage
  for stage in "$@"; do
    say "== $stage"
    if "stage_$stage"; then say "   ok"; else say "   FAILED: $stage"; failed+=("$stage"); fi
  done
  if [ ${#failed[@]} -gt 0 ]; then
    say "deploy validation failed: ${failed[*]}"
    return 1
  fi
  say "deploy validation: all $# stages passed"
}

# ---- self-test -------------------------------------------------------------------------------
# Each case breaks one thing in a fresh copy of deploy/ (and .dockerignore) and expects its stage
# to fail. A case whose edit does not apply is itself a failure (the check would prove nothing).
self_test() {
  # shellcheck disable=SC2016  # the $1 / ${1} are perl's, not the shell's
  local cases=(
    # stage|file (under the copy)|perl substitution|what it breaks
    'syntax|prometheus.yml|s/(  evaluation_interval: 15s\n)/$1  scrape_interval: 30s\n/|duplicate YAML key'
    'dockerfile|Dockerfile|s#COPY deploy/healthcheck.mjs#COPY deploy/health-check.mjs#|COPY of a missing file'
    'dockerfile|Dockerfile|s#^USER 1000:1000\n##m|final stage runs as root'
    'dockerfile|.dockerignore|s#^\*\*/node_modules\n##m|.dockerignore lets node_modules in'
    'dockerfile|Dockerfile|s#exec node (?:--max-semi-space-size=\d+ )?--import \@qc/platform/dist/telemetry/register \\"services/\$\{SERVICE([^}]*)\}/dist/main.js#exec node --import tsx --import \@qc/platform/telemetry/register \\"services/\${SERVICE${1}}/src/main.ts#|image runs the TypeScript under tsx'
    'dockerfile|Dockerfile|s#npm ci --omit=dev --ignore-scripts#npm ci --ignore-scripts#|dev dependencies copied into the image'
    'dockerfile|.dockerignore|s#^\*\*/dist\n##m|.dockerignore lets a local build (dist/) in'
    'compose|docker-compose.yml|s#stop_grace_period: 15s#stop_grace_periods: 15s#|unknown compose key'
    'compose|docker-compose.yml|s#(      INVENTORY_ADDR: inventory:)50052#${1}50059#|*_ADDR to a port nobody listens on'
    'compose|docker-compose.yml|s#(    expose:\n      - "50053"\n)#    ports:\n      - "50053:50053"\n$1#|internal gRPC port published'
    'compose|docker-compose.yml|s#\$\{JWT_SECRET:\?[^}]*\}#\${JWT_SECRET:-insecure-default-secret}#|JWT_SECRET with a default'
    'compose|docker-compose.yml|s#http://127.0.0.1:8080/readyz#http://127.0.0.1:8080/healthz#|gateway healthcheck asks liveness, dependents need readiness'
    'k8s|k8s/base/order.yaml|s#containerPort: 50051#containerPort: "50051"#|wrong type (schema)'
    'k8s|k8s/base/rider.yaml|s#revisionHistoryLimit:#revisionHistoryLimt:#|unknown field (strict types)'
    'k8s|k8s/base/inventory.yaml|s#(  selector:\n    app.kubernetes.io/name: )inventory#${1}inventroy#|Service selector matches no pod'
    'k8s|k8s/base/payment.yaml|s#(readinessProbe:\n            grpc:\n              port: )50053#${1}50055#|probe on an undeclared port'
    'k8s|k8s/base/gateway.yaml|s#key: JWT_SECRET#key: JWT_SECRETS#|missing Secret key (dev overlay)'
    'k8s|k8s/base/payment.yaml|s#(livenessProbe:\n            grpc:\n              port: 50053\n)              service: liveness\n#$1#|liveness probe asks the readiness status (gRPC overall)'
    'k8s|k8s/base/gateway.yaml|s#(livenessProbe:\n            httpGet:\n              path: )/healthz#${1}/readyz#|gateway liveness probe on /readyz'
    'k8s|k8s/components/grpc-mtls/kustomization.yaml|s#(containers/0/livenessProbe\n        value:\n          exec:\n            command: \["node", "deploy/healthcheck.mjs", "grpc", "127.0.0.1:50051"), "liveness"\]#$1]#|mTLS exec liveness probe asks the readiness status'
    'k8s|k8s/overlays/production/kustomization.yaml|s#- \.\./\.\./base#- ../../basis#|kustomize build error'
    'k8s|k8s/base/config.env|s#^ORDER_ADDR=order:50051#ORDER_ADDR=orders:50051#m|address of a missing Service'
    'prometheus|prometheus.yml|s#scrape_interval: 15s#scrape_interval: 15 seconds#|invalid duration'
    'otel|otel-collector.yaml|s#exporters: \[otlp/jaeger\]#exporters: [otlp/jaegr]#|pipeline uses an undefined exporter'
    'grafana|grafana/dashboards/platform.json|s#saga_outcomes_total\[#saga_outcome_total[#g|unknown metric name'
    'grafana|grafana/dashboards/platform.json|s#histogram_quantile\(0.95, sum by \(le, route, method\) \(#histogram_quantile(0.95, sum by (le, route, method) #|PromQL syntax error'
    'grafana|grafana/dashboards/platform.json|s#"uid": "prometheus"#"uid": "prometheus-old"#|datasource not provisioned'
  )
  local failures=0 entry stage file expr what copy target
  # Baseline: every stage the cases break must pass on an unbroken copy, or a "caught" proves nothing.
  local stages_used=() baseline="$WORK/self-test/baseline"
  mkdir -p "$baseline"
  (cd "$ROOT" && tar --exclude=deploy/tools -cf - deploy .dockerignore) | tar -xf - -C "$baseline"
  for entry in "${cases[@]}"; do
    stage="${entry%%|*}"
    [[ " ${stages_used[*]-} " == *" $stage "* ]] || stages_used+=("$stage")
  done
  for stage in "${stages_used[@]}"; do
    if ! VALIDATE_DEPLOY_DIR="$baseline/deploy" VALIDATE_DEPLOY_DOCKERIGNORE="$baseline/.dockerignore" \
      bash "$0" --only "$stage" >"$baseline.$stage.log" 2>&1; then
      say "  FAIL self-test baseline: stage $stage fails on the unbroken files, so its cases prove nothing:"
      grep -E 'ERROR|FAILED' "$baseline.$stage.log" | sed 's/^ */      /'
      failures=$((failures + 1))
    fi
  done
  for entry in "${cases[@]}"; do
    IFS='|' read -r stage file expr what <<<"$entry"
    copy="$WORK/self-test/$RANDOM$RANDOM"
    mkdir -p "$copy"
    (cd "$ROOT" && tar --exclude=deploy/tools -cf - deploy .dockerignore) | tar -xf - -C "$copy"
    if [ "$file" = .dockerignore ]; then target="$copy/.dockerignore"; else target="$copy/deploy/$file"; fi
    cp "$target" "$target.orig"
    perl -0pi -e "$expr" "$target"
    if cmp -s "$target" "$target.orig"; then
      say "  FAIL self-test [$stage] $what: the edit did not apply to $file"
      failures=$((failures + 1))
      continue
    fi
    rm "$target.orig"
    if VALIDATE_DEPLOY_DIR="$copy/deploy" VALIDATE_DEPLOY_DOCKERIGNORE="$copy/.dockerignore" \
      bash "$0" --only "$stage" >"$copy.log" 2>&1; then
      say "  FAIL self-test [$stage] $what: not caught"
      sed 's/^/      /' "$copy.log"
      failures=$((failures + 1))
    else
      local why
      why="$(grep -m1 -E 'ERROR|[Ee]rror|not allowed|invalid|unknown' "$copy.log" || grep -m1 FAILED "$copy.log" || true)"
      say "  ok   self-test [$stage] $what: caught — $(printf '%s' "$why" | sed "s#$copy/##g; s/^ *//" | cut -c1-160)"
    fi
  done
  if [ $failures -gt 0 ]; then
    say "self-test failed: $failures problem(s) among ${#stages_used[@]} baselines and ${#cases[@]} breakages"
    return 1
  fi
  say "self-test: ${#stages_used[@]} baselines pass, all ${#cases[@]} breakages caught"
}

# ---- main ------------------------------------------------------------------------------------
cd "$ROOT"
ensure_node_tools
case "$mode" in
  only)
    [[ " ${STAGES[*]} " == *" $only "* ]] || { echo "unknown stage: $only (${STAGES[*]})" >&2; exit 2; }
    run_stages "$only"
    ;;
  checks) run_stages "${STAGES[@]}" ;;
  self-test) say "== self-test"; self_test ;;
  all)
    run_stages "${STAGES[@]}"
    say "== self-test"
    self_test
    ;;
esac
