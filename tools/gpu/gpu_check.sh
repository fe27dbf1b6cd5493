#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU and no internet, all within 5 minutes:
# which backends lib/backend finds (WebGPU through Deno's navigator.gpu on the GPU's Vulkan driver;
# tensorflow-gpu if @tensorflow/tfjs-node-gpu's binding loads), the GPT parity check on each, lib's
# WGSL kernels' parity and dispatch count (tests/webgpu_kernels_test.ts), lib's tiled WGSL matmul
# against tfjs-webgpu's at 256, 512 and 1024 (bench/matmul_bench.ts), and the training-step
# bench: lib on webgpu and wasm against PyTorch on the GPU (CUDA) and on the CPU, when PyTorch
# is installed.
#
#   tools/gpu/gpu_check.sh            # from the project root, with deno and node_modules present
#
# Without deno or node_modules (an offline GPU machine), run tools/gpu/gpu_pack.sh where they are
# and bring .gpu/ along: this script then uses its deno binary and bundles.
set -u
cd "$(dirname "$0")/../.."
deadline=$((SECONDS + 290))
left() { echo $((deadline - SECONDS)); }
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
echo "== machine"
grep -m1 "model name" /proc/cpuinfo || true
echo "$(nproc) CPU threads"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found: no NVIDIA driver here"
fi
ldconfig -p 2>/dev/null | grep -q "libvulkan.so.1" ||
  echo "libvulkan.so.1 not in the linker cache: if WebGPU finds no adapter, install libvulkan1"
icd=$(ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* \
  /usr/local/nvidia/share/vulkan/icd.d/*nvidia* 2>/dev/null | head -1)
if [ -n "$icd" ]; then
  echo "NVIDIA Vulkan ICD: $icd"
  export VK_DRIVER_FILES="${VK_DRIVER_FILES:-$icd}"
else
  echo "no NVIDIA Vulkan ICD file: WebGPU will not see the GPU (install the driver's Vulkan part)"
fi
run=(deno run -A)
probe=tools/gpu/gpu_probe.ts
bench=bench/gpt_train_bench.ts
matmul=bench/matmul_bench.ts
cpu_backend=wasm
if [ ! -d node_modules/.deno ]; then
  if [ ! -f .gpu/gpu_probe.js ]; then
    echo "node_modules and .gpu/ missing: run 'deno install' or tools/gpu/gpu_pack.sh, then copy"
    exit 1
  fi
  # The bundled wasm backend's emscripten loader needs CommonJS globals (__dirname) that a
  # bundle lacks, so the CPU baseline there is PyTorch alone.
  echo "using the bundles in .gpu/ (tools/gpu/gpu_pack.sh); no wasm backend in this mode"
  cpu_backend=""
  run=(deno run -A --no-config --no-lock)
  probe=.gpu/gpu_probe.js
  bench=.gpu/gpt_train_bench.js
  matmul=.gpu/matmul_bench.js
fi
if ! command -v deno >/dev/null; then
  if [ -f .gpu/deno.xz ]; then
    xz -dc .gpu/deno.xz > /tmp/deno && chmod +x /tmp/deno && export PATH="/tmp:$PATH"
  else
    echo "deno not found: copy the deno binary to PATH (npm install deno ships it)"; exit 1
  fi
fi
deno --version | head -1
python=python3
[ -x .venv/bin/python ] && python=.venv/bin/python
$python -c "import torch; print('PyTorch', torch.__version__, 'CUDA', torch.cuda.is_available())" \
  2>/dev/null || echo "no PyTorch for $python: the bench runs without it"
echo; echo "== backends, parity and matmul rate ($(left) s left)"
timeout "$(left)" "${run[@]}" "$probe" --backends "webgpu,tensorflow-gpu,tensorflow,$cpu_backend"
parity=$?
kernels=skipped
if [ -d node_modules/.deno ]; then
  # lib's WGSL kernels against the reference ops on this GPU (values, gradients), and a small GPT
  # step's dispatch count with and without them.
  echo; echo "== webgpu kernels: parity and dispatch count ($(left) s left)"
  timeout "$(left)" deno test -A tests/webgpu_kernels_test.ts
  kernels=$?
else
  echo; echo "== webgpu kernels: skipped (tests/webgpu_kernels_test.ts needs node_modules)"
fi
found=$("${run[@]}" "$probe" --list --backends webgpu,tensorflow-gpu 2>/dev/null | tail -1)
matmulrc=skipped
if [[ ",$found," == *,webgpu,* ]]; then
  # A few seconds on a GPU; at most 60 s, so that the training-step bench keeps its time.
  echo; echo "== matmul: lib's tiled WGSL against tfjs-webgpu ($(left) s left)"
  budget=$(left); [ "$budget" -gt 60 ] && budget=60; [ "$budget" -lt 1 ] && budget=1
  timeout "$budget" "${run[@]}" "$matmul" --backend webgpu --rounds 5 --reps 20 256 512 1024
  matmulrc=$?
fi
echo; echo "== training step bench ($(left) s left)"
backends=$(echo "$found,$cpu_backend" | sed 's/^,//; s/,$//')
[ -z "$backends" ] && { echo "no backend to bench"; exit 1; }
timeout "$(left)" "${run[@]}" "$bench" --backends "$backends" --python "$python" \
  --contenders lib,torch --torch-device cuda,cpu --torch-threads "$(nproc)" \
  --rounds 3 --steps 3 --warmup 2
benchrc=$?
echo; echo "parity exit $parity, webgpu kernels exit $kernels, matmul exit $matmulrc," \
  "bench exit $benchrc" \
  "(124 = ran out of the 5 minutes)"
