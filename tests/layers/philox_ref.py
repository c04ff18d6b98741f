"""NumPy reference of the dropout keep-mask (Philox4x32-10, csrc/core/philox.h): element i at
step t is kept iff uniform24(philox(counter=(i // 4, t), key=seed)[i % 4]) >= rate."""
import numpy as np

_MASK = np.uint64(0xFFFFFFFF)


def philox4x32(c0, c1, c2, c3, k0, k1):
    M0, M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
    W0, W1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)
    c0, c1, c2, c3 = (np.asarray(c, np.uint64) for c in (c0, c1, c2, c3))
    k0, k1 = np.uint64(k0), np.uint64(k1)
    for _ in range(10):
        p0 = M0 * c0
        p1 = M1 * c2
        n0 = (p1 >> np.uint64(32)) ^ c1 ^ k0
        n2 = (p0 >> np.uint64(32)) ^ c3 ^ k1
        c1 = p1 & _MASK
        c3 = p0 & _MASK
        c0, c2 = n0, n2
        k0 = (k0 + W0) & _MASK
        k1 = (k1 + W1) & _MASK
    return np.stack([c0, c1, c2, c3], axis=-1)


def keep_mask(seed, step, n, rate):
    i = np.arange(n, dtype=np.uint64)
    blk = i >> np.uint64(2)
    step = np.uint64(step)
    v = philox4x32(blk & _MASK, blk >> np.uint64(32), np.full(n, step & _MASK), np.full(n, step >> np.uint64(32)),
                   np.uint64(seed) & _MASK, np.uint64(seed) >> np.uint64(32))
    bits = v[np.arange(n), (i & np.uint64(3)).astype(np.int64)]
    u = (bits >> np.uint64(8)).astype(np.float32) * np.float32(1.0 / 16777216.0)
    return u >= np.float32(rate)
