#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver for the browser test, where they are missing.
# Needs root (or sudo); without it the browser test skips locally and fails under CI=true.
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "chromium is missing and this user cannot install it: the browser test will be skipped" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and apt-get is not available: install chromium and chromedriver yourself" >&2
  exit 0
fi
echo "installing Debian's chromium and chromium-driver for the browser test"
$SUDO apt-get update -qq >/dev/null && \
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
command -v chromium >/dev/null 2>&1 || echo "chromium install failed" >&2
exit 0
