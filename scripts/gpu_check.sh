#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU and no internet, all within 5 minutes:
# which backends lib/backend finds (WebGPU through Deno's navigator.gpu on the GPU's Vulkan driver;
# tensorflow-gpu if @tensorflow/tfjs-node-gpu's binding loads), the GPT parity check on each, and
# the training-step bench (webgpu vs wasm, and PyTorch on the CPU when installed).
#
#   scripts/gpu_check.sh            # from the project root; needs deno and node_modules present
#
# Prepared, not yet run: no GPU has been lent to this project so far.
set -u
cd "$(dirname "$0")/.."
deadline=$((SECONDS + 290))
left() { echo $((deadline - SECONDS)); }
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
echo "== machine"
grep -m1 "model name" /proc/cpuinfo || true
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found: no NVIDIA driver here"
fi
if command -v vulkaninfo >/dev/null; then
  vulkaninfo --summary 2>/dev/null | grep -E "deviceName|driverName|apiVersion" | head -6
else
  echo "vulkaninfo not found (apt install vulkan-tools to list Vulkan devices)"
fi
ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>/dev/null | grep -i nvidia ||
  echo "no NVIDIA Vulkan ICD file: WebGPU will not see the GPU (install the driver's Vulkan part)"
if ! command -v deno >/dev/null; then
  echo "deno not found: copy the deno binary to PATH (npm install deno ships it)"; exit 1
fi
if [ ! -d node_modules/.deno ]; then
  echo "node_modules missing: run 'deno install' where the npm registry is reachable, then copy"
  exit 1
fi
echo; echo "== backends, parity and matmul rate ($(left) s left)"
timeout "$(left)" deno run -A scripts/gpu_probe.ts
parity=$?
echo; echo "== training step bench ($(left) s left)"
backends=wasm
deno eval 'import { probeBackends } from "./lib/backend/mod.ts";
  const p = await probeBackends();
  console.log(p.filter((b) => b.available && ["webgpu", "tensorflow-gpu"].includes(b.name))
    .map((b) => b.name).join(","));' > /tmp/gpu_backends.txt 2>/dev/null
found=$(tail -1 /tmp/gpu_backends.txt)
[ -n "$found" ] && backends="$found,wasm"
timeout "$(left)" deno run -A bench/gpt_train_bench.ts --backends "$backends" \
  --contenders lib,torch --rounds 2 --steps 2 --warmup 1 --torch-threads 1
bench=$?
echo; echo "parity exit $parity, bench exit $bench (124 = ran out of the 5 minutes)"
