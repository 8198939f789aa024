// The counter-based random streams of runtime/random.ts, spelled in Python
// over int64 tensors (vectorized over the counter k), so that a generated
// torch module draws the same initial params as every other gradc target.
// 32-bit products are split into 16-bit halves so that no int64 product
// overflows; test/torch/ checks the draws bit for bit against the JS module.

export const PY_RANDOM = `\
_M32 = 0xFFFFFFFF


def _mul32(x, c):
    """The low 32 bits of x * c (JavaScript's Math.imul), for x in [0, 2^32) and an int c."""
    c &= _M32
    return (x * (c & 0xFFFF) + (((x * (c >> 16)) & 0xFFFF) << 16)) & _M32


def _hash3(a, b, k):
    """gradc's hash3(a, b, k) (lowbias32 rounds) for ints a, b and an int64 tensor k."""
    h = (((a * 0x9E3779B1) & _M32) ^ ((b * 0x85EBCA77) & _M32) ^ _mul32(k, 0xC2B2AE3D)) & _M32
    h = h ^ (h >> 16)
    h = _mul32(h, 0x7FEB352D)
    h = h ^ (h >> 15)
    h = _mul32(h, 0x846CA68B)
    h = h ^ (h >> 16)
    h = (h + (a & _M32)) & _M32
    h = h ^ (h >> 16)
    h = _mul32(h, 0x7FEB352D)
    return h ^ (h >> 15)


def _uniform(seed, stream, k):
    """Value k of stream (seed, stream): uniform in [0, 1), 24 bits, as float64."""
    return (_hash3(seed, stream, k) >> 8).double() / 16777216


def _normal(seed, stream, k):
    """Standard normal by Box-Muller from two uniforms of the same counter, as float64."""
    u1 = ((_hash3(seed, stream, 2 * k) >> 8).double() + 1) / 16777217
    u2 = (_hash3(seed, stream, 2 * k + 1) >> 8).double() / 16777216
    return torch.sqrt(-2 * torch.log(u1)) * torch.cos(2 * math.pi * u2)
`;
