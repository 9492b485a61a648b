#!/usr/bin/env bash
# What `npm test` needs beyond npm packages, installed when missing: Nix (to parse and evaluate generated Nix;
# Debian's nix-bin) and a C compiler (the native relay, bridge/operation-server/native-relay/, which the build
# skips without one, and whose tests then fail: CI must test what users run), and a check for the tools that must already be on the machine (terraform or tofu, moto_server,
# the AWS provider's filesystem mirror). Runs before every `npm test`, so a fresh clone needs nothing by hand.
set -euo pipefail

if ! command -v nix-instantiate >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-test-tools: installing nix-bin (Nix, for the generated-Nix tests)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq nix-bin >/dev/null
  else
    echo "ensure-test-tools: nix-instantiate is missing; install Nix (Debian: apt-get install nix-bin)" >&2
    exit 1
  fi
fi

if ! command -v "${CC:-cc}" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-test-tools: installing gcc (the native relay)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq gcc libc6-dev >/dev/null
  else
    echo "ensure-test-tools: no C compiler (${CC:-cc}); install one (Debian: apt-get install gcc)" >&2
    exit 1
  fi
fi

missing=()
command -v tofu >/dev/null 2>&1 || command -v terraform >/dev/null 2>&1 || missing+=("tofu or terraform on PATH")
# testkit/moto-serialized.py serves moto's app itself, so the python3 on PATH must import moto's server.
python3 -c 'import moto.server, werkzeug.serving' >/dev/null 2>&1 || missing+=("moto's server for python3 (python3 -m pip install 'moto[server]')")
if [ -z "${NIXOPS4_OPENTOFU_TEST_PLUGIN_DIR:-}" ] && [ ! -d /opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0 ]; then
  missing+=("the hashicorp/aws 5.100.0 filesystem mirror (/opt/tf-plugins or NIXOPS4_OPENTOFU_TEST_PLUGIN_DIR)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  printf 'ensure-test-tools: missing: %s\n' "${missing[@]}" >&2
  exit 1
fi
