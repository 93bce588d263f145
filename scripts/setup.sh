#!/usr/bin/env bash
# One-time set-up on a fresh Debian or Ubuntu machine: the system packages, the npm dependencies as
# locked, and the build. The README's quick start and .ci/run both call
# this script, so they cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/.."

need_node=20
if ! command -v node >/dev/null 2>&1; then
  echo "setup: Node.js ${need_node} or newer is needed (https://nodejs.org/en/download)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt "$need_node" ]; then
  echo "setup: Node.js ${need_node} or newer is needed; this machine has $(node --version)" >&2
  exit 1
fi

# python3-onnx gives exported ONNX files a second opinion (onnx.checker); the Mesa EGL/GLES
# libraries back WebGPU in Node; chromium runs the browser bundle in tests/external/browser. Skipped when
# they are installed already.
packages=(python3-onnx libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri chromium)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}"
fi

# The PyTorch bridge (`--engine torch`, `export --format pytorch` checks, ONNX import tests) runs
# Python with torch's CPU build from a project virtual environment, .venv/. pip uses whatever index
# it is configured with; --retries 0 makes an unreachable default index fail fast instead of
# stalling when a local one (pip config list) has the wheels.
# (torchvision is looked up, not imported: on a CPU-only torch its compiled ops do not load, see
# tests/python/torchvision_cpu.py.)
# .venv/requirements.txt is a copy of the list it was last built from, so an environment made
# before a package was added to the list gets it on the next set-up.
if ! cmp -s engines/torch/requirements.txt .venv/requirements.txt ||
   ! .venv/bin/python -c 'import importlib.util, torch, onnx, onnxruntime, safetensors, numpy; assert importlib.util.find_spec("torchvision")' >/dev/null 2>&1; then
  python3 -m venv .venv
  .venv/bin/pip install --retries 0 --quiet --disable-pip-version-check -r engines/torch/requirements.txt
  cp engines/torch/requirements.txt .venv/requirements.txt
fi

# Exactly the locked dependencies (the engines too: they are development dependencies here), then
# dist/ (type errors fail the set-up).
npm ci --no-audit --no-fund
# The VS Code extension is its own package (vsce and the grammar test tools are its dev dependencies).
npm ci --prefix editors/vscode --no-audit --no-fund
npm run build
