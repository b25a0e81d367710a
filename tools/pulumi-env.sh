# Source it from the project directory, `source tools/pulumi-env.sh`, to use plain `pulumi` here: it
# installs and builds what is missing (tools/bootstrap.sh), then sets this shell up like the project's
# own commands — the engine and its Node.js language host on PATH, the project's local state backend
# and PULUMI_HOME, and the documented dev passphrase (unless PULUMI_CONFIG_PASSPHRASE is already set) —
# so `pulumi`, `npm run cli` and `npm run demo` see the same stacks.
_maas_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if bash "$_maas_root/tools/bootstrap.sh"; then
  _maas_bin="$(bash "$_maas_root/tools/engine.sh" 2>/dev/null)"
  export PATH="$_maas_bin:$PATH"
  export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$_maas_root/.pulumi-state}"
  export PULUMI_HOME="${PULUMI_HOME:-$_maas_root/.pulumi-home}"
  export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-maas-automation-dev}"
  export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  mkdir -p "$_maas_root/.pulumi-state" "$PULUMI_HOME"
  echo "pulumi $(pulumi version) (language host $(cat "$_maas_root/tools/language-host.version")); backend $PULUMI_BACKEND_URL" >&2
  unset _maas_root _maas_bin
else
  echo "tools/pulumi-env.sh: the build failed (above); this shell is not set up for pulumi" >&2
  unset _maas_root _maas_bin
  false
fi
