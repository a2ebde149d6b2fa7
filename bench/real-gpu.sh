#!/usr/bin/env bash
# The real-GPU benchmark in one go, on an NVIDIA machine: PyTorch's cuDNN LSTM, then our engine through
# Node + Dawn on the Vulkan driver, same shapes, same machine, one run; prints one Markdown table.
#
#   node bench/pack-real-gpu.mjs               # here, once: bundles the engine, Dawn, node, Vulkan loader
#   bench/real-gpu.sh [OUTDIR] [--quick]        # there (carry .devbench with the working tree)
#
# Writes OUTDIR (default bench/results/real-gpu-<UTC time>, ignored by git)/{nvidia-smi.txt,cudnn.json,
# cudnn.log,real-gpu.json,real-gpu.md,engine.log}.
# Extra arguments go to both halves (--quick: few steps); --allow-cpu lets the engine half run on a CPU
# adapter, for a dry run of this script on a machine without a GPU; --anatomy-only measures only where a
# synced training step's time goes (engine half only); --variants-only measures only the whole-sequence forward
# variants (workgroup vs subgroup sums, 1-8 rows per workgroup: inference at batch 32 and 512, the training
# step, and the tuning-parity check of each subgroup schedule; engine half only).
set -u -o pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then out=$1; shift; else out=bench/results/real-gpu-$(date -u +%Y%m%dT%H%M%SZ); fi
mkdir -p "$out"
pack=.devbench
[ -f $pack/real-gpu.mjs ] || { echo "no $pack/real-gpu.mjs: run 'node bench/pack-real-gpu.mjs' first" >&2; exit 2; }

# Vulkan loader (and GL dispatch libraries NVIDIA's Vulkan driver links against) when the image lacks them.
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
  for f in $pack/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
[ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH=/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}
if [ -z "${VK_ICD_FILENAMES:-}" ]; then
  for j in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
    if [ -f "$j" ]; then export VK_ICD_FILENAMES=$j; break; fi
  done
fi
if [ -n "${VK_ICD_FILENAMES:-}" ]; then cat "$VK_ICD_FILENAMES"; fi
ldconfig -p | grep -E 'libvulkan|libGLX_nvidia|libGLdispatch|libnvidia-glvkspirv' | sed 's/^/  /'
echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset, so the default loader search}"

node=$(command -v node || true)
if [ -z "$node" ]; then
  node=/tmp/real-gpu-node
  python3 -c "import lzma,sys; open(sys.argv[2],'wb').write(lzma.open(sys.argv[1]).read())" $pack/node.xz $node
  chmod +x $node
fi
echo "node: $node $($node --version)"

if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$out/nvidia-smi.txt"
fi

# PyTorch first: the engine half reads its JSON and prints one table of both.
peer=()
for a in "$@"; do [ "$a" = --allow-cpu ] || peer+=("$a"); done
py=0
case " $* " in
  *" --anatomy-only "*) echo "--anatomy-only: no PyTorch half" ;;
  *" --variants-only "*) echo "--variants-only: no PyTorch half" ;;
  *) PYTHONUNBUFFERED=1 python3 bench/cudnn_lstm.py "$out/cudnn.json" ${peer[@]+"${peer[@]}"} 2>&1 | tee "$out/cudnn.log"; py=$? ;;
esac

$node --input-type=module -e '
  const m = await import(process.argv[1]);
  process.exitCode = await m.main(process.argv.slice(2));
' "$PWD/$pack/real-gpu.mjs" --out "$out/real-gpu.json" --md "$out/real-gpu.md" --cudnn "$out/cudnn.json" --zip $pack/Sentiment.zip "$@" 2>&1 | tee "$out/engine.log"
eng=$?
echo "exit codes: PyTorch $py, engine $eng"
[ $py -eq 0 ] && [ $eng -eq 0 ]
