#!/usr/bin/env bash
# Installs what the tests talk to and check with, from Debian's packages: Postfix and aiosmtpd
# (real SMTP servers on loopback), python3-dkim (an independent DKIM verifier), openssl (test
# certificates), redis-server (the queue's store), tinyproxy and microsocks (HTTP CONNECT and
# SOCKS5 proxies), chromium (the inbox page, driven by playwright-core) and iproute2 (`ip`, for the
# tests that give a private network namespace a non-loopback address). Needs root, or sudo.
# Every server is started by the tests themselves on loopback; no system service is used.
set -euo pipefail
packages=(postfix python3-aiosmtpd python3-dkim openssl ca-certificates redis-server tinyproxy microsocks chromium iproute2)
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then exit 0; fi
sudo=()
if [ "$(id -u)" != 0 ]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
