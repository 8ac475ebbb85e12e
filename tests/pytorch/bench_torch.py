"""The PyTorch peer of `make bench`: the same nets, data, batch and optimizer.

Optional: never needed to build, run or test the project (Debian's python3-torch
and python3-torchvision). `make bench-compare` runs it interleaved with
build/float/bench and sets the figures side by side; on its own:

    python3 tests/pytorch/bench_torch.py            # human-readable lines, then one JSON line

What it measures, as tests/bench/bench.cpp does (median of 5 timed repeats
after one warm-up, batch 64, the first Fashion-MNIST training images):
  - training images/s: forward + cross-entropy + backward + SGD step
    (lr 0.01, momentum 0.9), 1 and 2 threads;
  - inference images/s (torch.no_grad, eval mode), 1 and 2 threads;
  - Grad-CAM per image at batch 1 and 64 (2 threads), two ways:
      hooks:     a forward hook keeps A and a tensor hook its gradient, then
                 y^c.backward() through the whole net, as pytorch-grad-cam does;
      head only: the forward to A without autograd, then only the layers above
                 A are differentiated (A.requires_grad_()), the least PyTorch can do;
    both followed by eq. (8), the weighted sum, the ReLU and bilinear upsampling;
  - each resnet-mini convolution on 1 thread (median of 9 after a warm-up):
    forward, weight gradient and input gradient, us per image at batch 64;
  - peak resident memory of one training epoch over all 60,000 images, in a
    child process (ru_maxrss).
The configuration (torch version, the BLAS library actually loaded, threads,
GLIBC_TUNABLES) is printed and recorded in the JSON.
"""
import gzip
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resnet_mini import ResNetMini  # noqa: E402

FASHION = "/usr/share/datasets/fashion-mnist"
BATCH = 64


class FashionCnn(nn.Module):
    """fashion-cnn as src/nn/architectures.cpp builds it: two 3x3 conv blocks, then two dense layers."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1, 1)
        self.relu2 = nn.ReLU()  # a module, so that the hooks can hold its output A
        self.fc1 = nn.Linear(32 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, classes)

    def features(self, x):  # up to relu2, the Grad-CAM target of make bench
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return self.relu2(self.conv2(x))

    def head(self, a):  # everything above relu2
        return self.fc2(F.relu(self.fc1(torch.flatten(F.max_pool2d(a, 2), 1))))

    def forward(self, x):
        return self.head(self.features(x))


def resnet_features(net, x):  # up to layer3, the Grad-CAM target of make bench
    x = net.relu(net.bn1(net.conv1(x)))
    return net.layer3(net.layer2(net.layer1(x)))


def resnet_head(net, a):
    return net.fc(torch.flatten(net.avgpool(a), 1))


def make_net(name):
    torch.manual_seed(1)
    if name == "fashion-cnn":
        net = FashionCnn()
        return net, net.features, net.head, net.relu2
    net = ResNetMini()
    return net, (lambda x: resnet_features(net, x)), (lambda a: resnet_head(net, a)), net.layer3


def fashion_train_images(count):
    with gzip.open(f"{FASHION}/train-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)[:count]
    with gzip.open(f"{FASHION}/train-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)[:count]
    return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(labels.astype(np.int64))


def median_seconds(repeats, body):
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def batches(images, labels, steps):
    return [(images[s * BATCH:(s + 1) * BATCH], labels[s * BATCH:(s + 1) * BATCH]) for s in range(steps)]


def training_rate(name, data, steps, threads):
    torch.set_num_threads(threads)
    net, _, _, _ = make_net(name)
    net.train()
    sgd = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    work = batches(*data, steps)

    def run():
        for x, y in work:
            sgd.zero_grad(set_to_none=True)
            F.cross_entropy(net(x), y).backward()
            sgd.step()

    return steps * BATCH / median_seconds(5, run)


def inference_rate(name, data, steps, threads):
    torch.set_num_threads(threads)
    net, _, _, _ = make_net(name)
    net.eval()
    work = batches(*data, steps)

    def run():
        with torch.no_grad():
            for x, _ in work:
                net(x)

    return steps * BATCH / median_seconds(5, run)


def cam_from(a, g, size):
    """Eq. (8), the weighted sum, the ReLU and the upsampling, as Grad-CAM's steps 2-4."""
    alpha = g.mean(dim=(2, 3), keepdim=True)
    return F.interpolate(F.relu((alpha * a).sum(1, keepdim=True)), size=size, mode="bilinear", align_corners=False)


def gradcam_hooks(net, layer, x):
    store = {}

    def keep(_, __, out):
        store["a"] = out
        out.register_hook(lambda g: store.__setitem__("g", g))

    handle = layer.register_forward_hook(keep)
    logits = net(x)
    handle.remove()
    score = logits.gather(1, logits.argmax(1, keepdim=True)).sum()
    net.zero_grad(set_to_none=True)
    score.backward()
    return cam_from(store["a"].detach(), store["g"], x.shape[2:])


def gradcam_head_only(features, head, x):
    with torch.no_grad():
        a = features(x)
    a.requires_grad_()
    logits = head(a)
    score = logits.gather(1, logits.argmax(1, keepdim=True)).sum()
    (g,) = torch.autograd.grad(score, a)
    return cam_from(a.detach(), g, x.shape[2:])


def gradcam_ms(name, data, batch, hooks):
    torch.set_num_threads(2)
    net, features, head, layer = make_net(name)
    net.eval()
    calls = 400 if batch == 1 else 20
    images = data[0]
    work = [images[(c * batch) % 50000:(c * batch) % 50000 + batch] for c in range(calls)]

    def run():
        for x in work:
            gradcam_hooks(net, layer, x) if hooks else gradcam_head_only(features, head, x)

    return 1e3 * median_seconds(5, run) / (calls * batch)


def one_epoch_peak_mb():
    """Peak RSS of one training epoch of fashion-cnn over 60,000 images, 2 threads, in a child."""
    code = (
        "import sys; sys.path.insert(0, %r); import bench_torch as b, torch, torch.nn.functional as F;"
        "torch.set_num_threads(2); x, y = b.fashion_train_images(60000); net = b.make_net('fashion-cnn')[0];"
        "opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)\n"
        "for s in range(0, 60000, 64):\n"
        "    opt.zero_grad(set_to_none=True); F.cross_entropy(net(x[s:s+64]), y[s:s+64]).backward(); opt.step()\n"
    ) % os.path.dirname(os.path.abspath(__file__))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-c", code], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(before, after) / 1024.0


def resnet_conv_us(data):
    """Per image, in us, of each of resnet-mini's convolutions at batch 64 on 1 thread, as a training step
    runs them: the forward, the weight gradient alone and the input gradient alone (none for conv1, whose
    input is the image), on the inputs a training forward hands each convolution. Run with the malloc
    tunables, as bench_compare.py does: without them each call's output can be a fresh mmap whose pages
    fault in, which took several times the convolution itself."""
    torch.set_num_threads(1)
    net, _, _, _ = make_net("resnet-mini")
    net.train()
    convs = {name: m for name, m in net.named_modules() if isinstance(m, nn.Conv2d)}
    inputs = {}

    def keep_input(name):
        def hook(_, args):
            inputs[name] = args[0].detach()  # returns None: the module's input stays as it is
        return hook

    hooks = [m.register_forward_pre_hook(keep_input(name)) for name, m in convs.items()]
    with torch.no_grad():
        net(data[0][:BATCH])
    for h in hooks:
        h.remove()
    per_image = lambda body: 1e6 * median_seconds(9, body) / BATCH  # noqa: E731
    layers = {}
    for name, conv in convs.items():
        x = inputs[name].clone().requires_grad_(name != "conv1")
        y = conv(x)
        dy = torch.randn_like(y)
        grad = lambda wrt: torch.autograd.grad(y, wrt, dy, retain_graph=True)  # noqa: E731
        layers[name] = {"forward": per_image(lambda: conv(x)), "weight_gradient": per_image(lambda: grad(conv.weight)),
                        "input_gradient": per_image(lambda: grad(x)) if x.requires_grad else None}
    return layers


def loaded_blas():
    """The BLAS shared library this process actually mapped (Debian's libblas.so.3 is an alternative)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
    return sorted(os.path.realpath(p) for p in paths)


def main():
    data = fashion_train_images(50000 + 64 * 64)
    figures = {}
    for name, steps in (("fashion-cnn", 100), ("resnet-mini", 20)):
        prefix = "" if name == "fashion-cnn" else "resnet_"
        f = {
            "train_img_per_s_1t": training_rate(name, data, steps, 1),
            "train_img_per_s_2t": training_rate(name, data, steps, 2),
            "infer_img_per_s_1t": inference_rate(name, data, steps, 1),
            "infer_img_per_s_2t": inference_rate(name, data, steps, 2),
            "gradcam_hooks_ms_batch1": gradcam_ms(name, data, 1, True),
            "gradcam_head_ms_batch1": gradcam_ms(name, data, 1, False),
            "gradcam_hooks_ms_per_image_batch64": gradcam_ms(name, data, 64, True),
            "gradcam_head_ms_per_image_batch64": gradcam_ms(name, data, 64, False),
        }
        print(name)
        for key, value in f.items():
            print(f"  {key:38s} {value:10.4f}")
        figures.update({prefix + k: v for k, v in f.items()})
    figures["resnet_conv_us"] = resnet_conv_us(data)
    figures["train_peak_rss_mb"] = one_epoch_peak_mb()
    print(f"peak resident memory of one training epoch: {figures['train_peak_rss_mb']:.1f} MB")
    figures["config"] = {
        "torch": torch.__version__,
        "blas": loaded_blas(),
        "glibc_tunables": os.environ.get("GLIBC_TUNABLES", ""),
        "mkldnn": torch.backends.mkldnn.is_available(),
    }
    print("configuration:", figures["config"])
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
