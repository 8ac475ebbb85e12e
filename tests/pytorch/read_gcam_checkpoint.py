# The NumPy reader of docs/checkpoint-format.md ("Reading a checkpoint in Python"), kept
# here so that the PyTorch reference can import it; the two must stay the same.
import struct, sys, zlib, numpy as np

def read_checkpoint(path):
    b = open(path, "rb").read()
    if b[:8] != b"GCAMCKPT": raise ValueError(f"{path}: not a gradcam checkpoint")
    version, size = struct.unpack_from("<IQ", b, 8)
    if version != 1: raise ValueError(f"{path}: unsupported version {version}")
    if size != len(b) or struct.unpack_from("<I", b, size - 4)[0] != zlib.crc32(b[:size - 4]):
        raise ValueError(f"{path}: truncated or corrupt")
    pos = 20
    def u32():
        nonlocal pos
        pos += 4
        return struct.unpack_from("<I", b, pos - 4)[0]
    def text():
        nonlocal pos
        n = u32(); pos += n
        return b[pos - n:pos].decode("utf-8")
    ckpt = {"architecture": text(), "input_shape": (u32(), u32(), u32()), "classes": u32()}
    ckpt["class_names"] = [text() for _ in range(u32())]
    ckpt["metadata"] = dict((text(), text()) for _ in range(u32()))
    ckpt["tensors"] = {}
    for _ in range(u32()):
        name, dims = text(), [u32() for _ in range(u32())]
        ckpt["tensors"][name] = np.frombuffer(b, "<f4", int(np.prod(dims)), pos).reshape(dims).copy()
        pos += 4 * ckpt["tensors"][name].size
    return ckpt

if __name__ == "__main__":
    for name, t in read_checkpoint(sys.argv[1])["tensors"].items(): print(name, t.shape, t.dtype)
