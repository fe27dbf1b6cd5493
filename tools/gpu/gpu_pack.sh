#!/usr/bin/env bash
# Packs what tools/gpu/gpu_check.sh needs on a GPU machine with no internet into .gpu/ (about
# 35 MB): the deno binary (xz) and the probe and the benches bundled with their npm packages
# (`deno bundle`), so no node_modules or registry is needed there.
#
#   tools/gpu/gpu_pack.sh        # here, where deno and node_modules are present
#   (copy the project with .gpu/ to the GPU machine)
#   tools/gpu/gpu_check.sh       # there
set -euo pipefail
cd "$(dirname "$0")/../.."
rm -rf .gpu && mkdir -p .gpu
ext=(--external @tensorflow/tfjs-node --external @tensorflow/tfjs-node-gpu)
deno bundle --quiet --platform deno tools/gpu/gpu_probe.ts -o .gpu/gpu_probe.js "${ext[@]}"
deno bundle --quiet --platform deno bench/gpt_train_bench.ts -o .gpu/gpt_train_bench.js "${ext[@]}"
deno bundle --quiet --platform deno bench/profile_step.ts -o .gpu/profile_step.js "${ext[@]}"
deno bundle --quiet --platform deno bench/matmul_bench.ts -o .gpu/matmul_bench.js "${ext[@]}"
xz -T0 -6 -c "$(readlink -f "$(command -v deno)")" > .gpu/deno.xz
du -sh .gpu
