"""make bench-compare: this project and PyTorch, side by side, in one sitting.

Runs build/float/bench (tests/bench/bench.cpp) and its PyTorch peer
(tests/pytorch/bench_torch.py) interleaved -- ours, PyTorch, ours, PyTorch,
... -- `--runs` times each, so that both see the same machine in the same
state; takes the median of each figure over the runs and prints the ratios
with the CPU model and the clock estimate. Then each resnet-mini convolution
on one thread (forward, dW, dX), ours / PyTorch's, to show where a resnet-mini
step's time differs. The last line is one JSON object.

The peer's configuration (recorded in the JSON): OpenBLAS selected by putting
its folder first on LD_LIBRARY_PATH (Debian's python3-torch links the generic
libblas.so.3, the unoptimised reference BLAS unless OpenBLAS provides it), and
glibc's malloc kept from returning every large tensor to the system with
GLIBC_TUNABLES (mmap and trim thresholds raised).

    python3 tests/bench/bench_compare.py build/float/bench build/float/gradcam [--runs 3]
"""
import json
import os
import statistics
import subprocess
import sys

OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
TUNABLES = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824"
HERE = os.path.dirname(os.path.abspath(__file__))

# (label, our key, PyTorch key, what the ratio means, target)
# "speed": ours / PyTorch in images/s (higher is better, target is a floor);
# "time" and "memory": ours / PyTorch in ms or MB (lower is better, target is a ceiling).
ROWS = [
    ("fashion-cnn training, 1 thread", "train_img_per_s_1t", "train_img_per_s_1t", "speed", 2.0),
    ("fashion-cnn training, 2 threads", "train_img_per_s_2t", "train_img_per_s_2t", "speed", 2.0),
    ("fashion-cnn inference, 2 threads", "infer_img_per_s_2t", "infer_img_per_s_2t", "speed", 2.0),
    ("fashion-cnn Grad-CAM batch 1 vs hooks", "gradcam_ms_batch1", "gradcam_hooks_ms_batch1", "time", 0.1),
    ("fashion-cnn Grad-CAM batch 1 vs head only", "gradcam_ms_batch1", "gradcam_head_ms_batch1", "time", 0.3),
    ("fashion-cnn Grad-CAM batch 64 vs hooks", "gradcam_ms_per_image_batch64", "gradcam_hooks_ms_per_image_batch64",
     "time", 0.3),
    ("resnet-mini training, 1 thread", "resnet_train_img_per_s_1t", "resnet_train_img_per_s_1t", "speed", None),
    ("resnet-mini training, 2 threads", "resnet_train_img_per_s_2t", "resnet_train_img_per_s_2t", "speed", 1.5),
    ("resnet-mini inference, 2 threads", "resnet_infer_img_per_s_2t", "resnet_infer_img_per_s_2t", "speed", None),
    ("resnet-mini Grad-CAM batch 1 vs hooks", "resnet_gradcam_ms_batch1", "resnet_gradcam_hooks_ms_batch1", "time",
     None),
    ("peak memory, one training epoch", "train_peak_rss_mb", "train_peak_rss_mb", "memory", 0.25),
]


# The three products of each resnet-mini convolution (the "resnet_conv_us" objects of both benchmarks).
CONV_PARTS = (("forward", "forward"), ("weight_gradient", "dW"), ("input_gradient", "dX"))


def conv_layer_table(ours, theirs):
    """Each resnet-mini convolution's us per image, 1 thread, ours / PyTorch's (medians over the runs), printed;
    returns them by layer and part, with the totals."""
    layers = list(ours[0]["resnet_conv_us"])
    missing = [name for name in layers if name not in theirs[0]["resnet_conv_us"]]
    if missing:
        sys.exit(f"bench_compare: PyTorch's benchmark timed no convolution named {', '.join(missing)}")
    median_of = lambda rows, name, part: statistics.median(r["resnet_conv_us"][name][part] for r in rows)  # noqa: E731
    print("\nresnet-mini's convolutions, batch 64, 1 thread: us per image, ours / PyTorch's (below 1: ours is faster)")
    print(f"{'':24s}" + "".join(f"{label:>24s}" for _, label in CONV_PARTS))
    table, totals = {}, {part: [0.0, 0.0] for part, _ in CONV_PARTS}
    for name in layers:
        cells, table[name] = "", {}
        for part, _ in CONV_PARTS:
            if ours[0]["resnet_conv_us"][name][part] is None:
                cells += f"{'-':>24s}"
                continue
            a, b = median_of(ours, name, part), median_of(theirs, name, part)
            totals[part][0] += a
            totals[part][1] += b
            table[name][part] = {"gradcam": a, "pytorch": b, "ratio": a / b}
            cells += f"{a:9.1f} /{b:6.1f} = {a / b:4.2f}"
        print(f"{name:24s}{cells}")
    print(f"{'all of them':24s}" + "".join(f"{a:9.1f} /{b:6.1f} = {a / b:4.2f}" for a, b in totals.values()))
    table["all of them"] = {part: {"gradcam": a, "pytorch": b, "ratio": a / b} for part, (a, b) in totals.items()}
    return table


def last_json(command, env=None):
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--runs")]
    runs = int(next((a.split("=")[1] for a in sys.argv[1:] if a.startswith("--runs=")), "3"))
    if len(args) != 2:
        sys.exit("usage: bench_compare.py <build/float/bench> <build/float/gradcam> [--runs=N]")
    bench, cli = args
    peer_env = dict(os.environ, GLIBC_TUNABLES=TUNABLES,
                    LD_LIBRARY_PATH=OPENBLAS + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
    ours, theirs = [], []
    for run in range(runs):
        print(f"run {run + 1} of {runs}: gradcam bench ...", flush=True)
        ours.append(last_json([bench, cli]))
        print(f"run {run + 1} of {runs}: PyTorch ...", flush=True)
        theirs.append(last_json(["/usr/bin/python3", os.path.join(HERE, "..", "pytorch", "bench_torch.py")], peer_env))
    median = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    cpu, ghz = cpu_model(), median(ours, "clock_ghz")
    print(f"\n{cpu}, {os.cpu_count()} cores, clock estimate {ghz:.2f} GHz; medians of {runs} interleaved runs each")
    print(f"PyTorch {theirs[0]['config']['torch']}, BLAS {theirs[0]['config']['blas']}, GLIBC_TUNABLES={TUNABLES}\n")
    print(f"{'':44s} {'gradcam':>10s} {'PyTorch':>10s} {'ratio':>7s}  target")
    result = {"cpu": cpu, "clock_ghz": ghz, "runs": runs, "peer": theirs[0]["config"], "rows": {}}
    for label, mine, peer, kind, target in ROWS:
        a, b = median(ours, mine), median(theirs, peer)
        ratio = a / b
        met = "" if target is None else ("met" if (ratio >= target if kind == "speed" else ratio <= target) else "NOT met")
        bound = "" if target is None else (f">= {target}" if kind == "speed" else f"<= {target}")
        print(f"{label:44s} {a:10.4g} {b:10.4g} {ratio:7.2f}  {bound} {met}")
        result["rows"][label] = {"gradcam": a, "pytorch": b, "ratio": ratio, "target": bound, "met": met == "met",
                                 "gradcam_runs": [r[mine] for r in ours], "pytorch_runs": [r[peer] for r in theirs]}
    result["resnet_conv_us"] = conv_layer_table(ours, theirs)
    peak = median(ours, "core_peak_gflops")
    for key in ("conv_fwd_gflops", "conv_bwd_gflops", "gemm_gflops"):
        share = 100 * median(ours, key) / peak
        print(f"{key:44s} {median(ours, key):10.1f} GFLOP/s = {share:.0f} % of one core's FP32 peak ({peak:.0f})")
        result[key + "_pct_of_peak"] = share
    print(json.dumps(result))


if __name__ == "__main__":
    main()
