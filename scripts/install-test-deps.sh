#!/usr/bin/env bash
# The system packages `make test` uses, installed from Debian's archive when one is missing:
# chromium (the live page's browser test), openssl (certificates the TLS tests make at run time),
# iproute2 and iptables (network namespaces and their faults). Tests that need one skip with a
# printed reason when it cannot be had (no root, no apt-get); everything else runs regardless.
set -uo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-deps: missing ${need[*]}; not root or no apt-get, so the tests that need them will skip" >&2
  exit 0
fi
echo "install-test-deps: apt-get install ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null ||
  echo "install-test-deps: apt-get could not install ${need[*]}; the tests that need them will skip" >&2
exit 0
