#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU and no internet, all within 5 minutes:
# which backends lib/backend finds (WebGPU through Deno's navigator.gpu on the GPU's Vulkan driver;
# tensorflow-gpu if @tensorflow/tfjs-node-gpu's binding loads), the GPT parity check on each, lib's
# WGSL kernels' parity and dispatch count (tests/webgpu_kernels_test.ts), lib's tiled WGSL matmul
# against tfjs-webgpu's at 256, 512 and 1024 (bench/matmul_bench.ts), the training-step bench at
# the baby config (lib on webgpu and wasm against PyTorch on the GPU (CUDA) and on the CPU, when
# PyTorch is installed) and at C512 L8 H8 T256 B16 (GPU contenders only), and bench:profile on
# webgpu (dispatches per step, time per kernel).
#
#   tools/gpu/gpu_check.sh            # from the project root, with deno and node_modules present
#
# Without deno or node_modules (an offline GPU machine), run tools/gpu/gpu_pack.sh where they are
# and bring .gpu/ along: this script then uses its deno binary and bundles. The WGSL kernels'
# parity test (tests/webgpu_kernels_test.ts) is NOT bundled: it runs only where node_modules is
# present, and is skipped (with a line saying so) in the .gpu/ bundle mode.
#
# Each part has its own time cap (seconds, below), clamped to what is left of the 290 s and to at
# least 1 s, so that a slow part cannot eat the later ones' time: parity 40, kernels test 50,
# listing the GPU backends 15, matmul 30, baby bench 60, C512 bench 60, profile 30 (285 in all).
set -u
cd "$(dirname "$0")/../.."
deadline=$((SECONDS + 290))
left() { echo $((deadline - SECONDS)); }
# A part's time limit: its cap, or what is left if less, and at least 1 s (timeout 0 = no limit).
cap() {
  local t=$(($(left) < $1 ? $(left) : $1))
  echo $((t < 1 ? 1 : t))
}
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
profile=bench/profile_step.ts
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
  profile=.gpu/profile_step.js
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
timeout "$(cap 40)" "${run[@]}" "$probe" --backends "webgpu,tensorflow-gpu,tensorflow,$cpu_backend"
parity=$?
kernels=skipped
if [ -d node_modules/.deno ]; then
  # lib's WGSL kernels against the reference ops on this GPU (values, gradients), and a small GPT
  # step's dispatch count with and without them.
  echo; echo "== webgpu kernels: parity and dispatch count ($(left) s left)"
  timeout "$(cap 50)" deno test -A tests/webgpu_kernels_test.ts
  kernels=$?
else
  echo; echo "== webgpu kernels: skipped (tests/webgpu_kernels_test.ts needs node_modules)"
fi
found=$(timeout "$(cap 15)" "${run[@]}" "$probe" --list --backends webgpu,tensorflow-gpu \
  2>/dev/null | tail -1)
matmulrc=skipped
if [[ ",$found," == *,webgpu,* ]]; then
  # A few seconds on a GPU.
  echo; echo "== matmul: lib's tiled WGSL against tfjs-webgpu ($(left) s left)"
  timeout "$(cap 30)" "${run[@]}" "$matmul" --backend webgpu --rounds 5 --reps 20 256 512 1024
  matmulrc=$?
fi
echo; echo "== training step bench, baby config ($(left) s left)"
backends=$(echo "$found,$cpu_backend" | sed 's/^,//; s/,$//')
[ -z "$backends" ] && { echo "no backend to bench"; exit 1; }
timeout "$(cap 60)" "${run[@]}" "$bench" --backends "$backends" --python "$python" \
  --contenders lib,torch --torch-device cuda,cpu --torch-threads "$(nproc)" \
  --rounds 3 --steps 3 --warmup 2
benchrc=$?
bigrc=skipped
profilerc=skipped
if [ -n "$found" ]; then
  # The issue's second config, GPU contenders only: a step of it on the CPU would eat the budget.
  echo; echo "== training step bench, C512 L8 H8 T256 B16 ($(left) s left)"
  timeout "$(cap 60)" "${run[@]}" "$bench" --backends "$found" --python "$python" \
    --contenders lib,torch --torch-device cuda \
    --n-embd 512 --n-layer 8 --n-head 8 --block 256 --batch 16 --rounds 2 --steps 2 --warmup 1
  bigrc=$?
fi
if [[ ",$found," == *,webgpu,* ]]; then
  echo; echo "== bench:profile on webgpu: dispatches and time per kernel ($(left) s left)"
  timeout "$(cap 30)" "${run[@]}" "$profile" --backend webgpu
  profilerc=$?
fi
echo; echo "parity exit $parity, webgpu kernels exit $kernels, matmul exit $matmulrc," \
  "baby bench exit $benchrc, C512 bench exit $bigrc, profile exit $profilerc" \
  "(124 = ran out of its time cap)"
