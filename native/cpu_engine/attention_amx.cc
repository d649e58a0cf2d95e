// One attention head on AMX-BF16 tiles (TDPBF16PS: 16 x 16 x 32 bf16 multiply-adds into fp32
// per instruction, about 16x what AVX-512 FMAs do per cycle): Q Kᵀ and P V on tiles, the
// softmax in fp32 between them, one 16-query strip at a time. Q (pre-scaled), K, V and P are
// rounded to bf16; the accumulations stay fp32. For head sizes that are whole 32s.
// With `split` (the engine's bf16x3 precision) each operand is two bf16 halves instead, and each
// product three (hi·hi + hi·lo + lo·hi, as kernels/bf16x3_gemm.h): Q and P rows are stored as
// [hi | hi | lo] and K and V as [hi | lo | hi] along the summed dimension, so the same tile loops
// run over three times the depth.
//   tiles 0-3: accumulators (two score groups, or head_dim / 16 output groups); 4: A; 5-6: B.
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "cpu_engine/encoder_ops.h"
#include "kernels/cpu/amx_tiles.h"
#include "kernels/cpu/vector_math_avx512.h"

namespace sk::cpu::amx {
namespace {

inline size_t RoundUp(size_t value, size_t step) { return (value + step - 1) / step * step; }

inline __mmask16 TailMask(size_t remaining) {
  return static_cast<__mmask16>(remaining >= 16 ? 0xFFFF : (1u << remaining) - 1);
}

struct Layout {
  size_t parts;              // 1: bf16; 3: bf16x3 (three products per sum)
  size_t width, pkeys;       // a Q / K row's values (parts x head_dim), a P row's (parts x keys32)
  size_t rows16, keys32, dsteps, ksteps, dgroups;
  uint16_t *q, *k, *v, *p, *key_rows;  // bf16: Q strips, packed Kᵀ, packed V, one strip of P, K rows
  float *scores, *out;      // one strip of scores [16][keys32]; one strip of outputs [16][head_dim]
};

Layout Carve(size_t length, size_t head_dim, bool split, float* scratch) {
  Layout l;
  l.parts = split ? 3 : 1;
  l.width = l.parts * head_dim;
  l.rows16 = RoundUp(length, 16);
  l.keys32 = RoundUp(length, 32);
  l.pkeys = l.parts * l.keys32;
  l.dsteps = l.width / 32;
  l.ksteps = l.pkeys / 32;
  l.dgroups = head_dim / 16;
  auto* base = reinterpret_cast<unsigned char*>(scratch);
  size_t offset = 0;
  auto take = [&](size_t bytes) {
    unsigned char* at = base + offset;
    offset += RoundUp(bytes, 64);
    return at;
  };
  l.q = reinterpret_cast<uint16_t*>(take(l.rows16 * l.width * 2));
  l.key_rows = reinterpret_cast<uint16_t*>(take(l.rows16 * l.width * 2));
  l.k = reinterpret_cast<uint16_t*>(take(l.rows16 * l.width * 2));
  l.v = reinterpret_cast<uint16_t*>(take(l.pkeys * head_dim * 2));
  l.p = reinterpret_cast<uint16_t*>(take(16 * l.pkeys * 2));
  l.scores = reinterpret_cast<float*>(take(16 * l.keys32 * 4));
  l.out = reinterpret_cast<float*>(take(16 * head_dim * 4));
  return l;
}

// 16 floats to bf16 (VCVTNEPS2BF16, round to nearest even).
inline __m256i ToBf16(__m512 x) { return reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(x)); }

// x - hi: what the bf16 hi of x leaves, in bf16.
inline __m256i LowHalf(__m512 x, __m256i hi) {
  return ToBf16(_mm512_sub_ps(x, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(hi), 16))));
}

inline void Store16(uint16_t* to, __m256i values) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(to), values); }

// Q rows scaled and K rows, as bf16 row-major [rows16][width] (zero past the sequence; split:
// Q as [hi | hi | lo], K as [hi | lo | hi]); then Kᵀ as B tiles per 16-key group and 32-value
// step, k[((g * dsteps + s) * 16 + r) * 32 + c * 2 + j] = K[g * 16 + c][s * 32 + 2r + j] (row r
// of a tile is value pair r of each of its 16 keys: one gather); and V as B tiles per 16-dim
// group and 32-key step, v[((g * ksteps + s) * 16 + r) * 32 + c * 2 + j] = V[s * 32 + 2r +
// j][g * 16 + c] (row r interleaves keys 2r and 2r + 1; split: the key steps of V's hi, then
// lo, then hi again).
void Pack(const HeadView& view, size_t length, size_t head_dim, float scale, const Layout& l, uint16_t* key_rows) {
  const __m512 scales = _mm512_set1_ps(scale);
  const bool split = l.parts == 3;
  for (size_t i = 0; i < l.rows16; ++i) {
    const __mmask16 live = i < length ? 0xFFFF : 0;
    uint16_t* q_row = l.q + i * l.width;
    uint16_t* k_row = key_rows + i * l.width;
    for (size_t d = 0; d < head_dim; d += 16) {
      const __m512 q = _mm512_mul_ps(_mm512_maskz_loadu_ps(live, view.q + i * view.stride + d), scales);
      const __m512 k = _mm512_maskz_loadu_ps(live, view.k + i * view.stride + d);
      const __m256i q_hi = ToBf16(q), k_hi = ToBf16(k);
      Store16(q_row + d, q_hi);
      Store16(k_row + d, k_hi);
      if (!split) continue;
      Store16(q_row + head_dim + d, q_hi);
      Store16(q_row + 2 * head_dim + d, LowHalf(q, q_hi));
      Store16(k_row + head_dim + d, LowHalf(k, k_hi));
      Store16(k_row + 2 * head_dim + d, k_hi);
    }
  }
  const int* key_pairs = reinterpret_cast<const int*>(key_rows);
  const __m512i key_offsets = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                 _mm512_set1_epi32(static_cast<int>(l.width / 2)));
  for (size_t g = 0; g < l.rows16 / 16; ++g) {
    for (size_t s = 0; s < l.dsteps; ++s) {
      int* tile = reinterpret_cast<int*>(l.k + (g * l.dsteps + s) * 512);
      for (size_t r = 0; r < 16; ++r) {
        const __m512i index = _mm512_add_epi32(key_offsets, _mm512_set1_epi32(static_cast<int>(g * 16 * l.width / 2 + s * 16 + r)));
        _mm512_storeu_si512(tile + r * 16, _mm512_i32gather_epi32(index, key_pairs, 4));
      }
    }
  }
  // Interleaves two 16-value bf16 rows: [a0 b0 a1 b1 ... a15 b15].
  const __m512i interleave = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8,
                                              39, 7, 38, 6, 37, 5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
  const size_t key_steps = l.keys32 / 32;
  for (size_t g = 0; g < l.dgroups; ++g) {
    for (size_t step = 0; step < l.ksteps; ++step) {
      uint16_t* tile = l.v + (g * l.ksteps + step) * 512;
      const size_t s = step % key_steps;
      const bool low = step / key_steps == 1;  // split: the middle third holds V's lo
      for (size_t r = 0; r < 16; ++r) {
        const size_t even = s * 32 + 2 * r, odd = even + 1;
        const __m512 x = _mm512_maskz_loadu_ps(even < length ? 0xFFFF : 0, view.v + even * view.stride + g * 16);
        const __m512 y = _mm512_maskz_loadu_ps(odd < length ? 0xFFFF : 0, view.v + odd * view.stride + g * 16);
        __m256i a = ToBf16(x), b = ToBf16(y);
        if (low) {
          a = LowHalf(x, a);
          b = LowHalf(y, b);
        }
        const __m512i pair = _mm512_permutex2var_epi16(_mm512_castsi256_si512(a), interleave, _mm512_castsi256_si512(b));
        _mm512_storeu_si512(tile + r * 32, pair);
      }
    }
  }
}

// scores[16][keys32] = Q strip · Kᵀ over the 16-key groups, two at a time.
void Scores(const Layout& l, size_t strip) {
  const size_t groups = l.rows16 / 16;
  const uint16_t* q = l.q + strip * 16 * l.width;
  for (size_t g = 0; g < groups; g += 2) {
    const bool pair = g + 1 < groups;
    _tile_zero(0);
    if (pair) _tile_zero(1);
    for (size_t s = 0; s < l.dsteps; ++s) {
      _tile_loadd(4, q + s * 32, l.width * 2);
      _tile_loadd(5, l.k + (g * l.dsteps + s) * 512, 64);
      _tile_dpbf16ps(0, 4, 5);
      if (pair) {
        _tile_loadd(6, l.k + ((g + 1) * l.dsteps + s) * 512, 64);
        _tile_dpbf16ps(1, 4, 6);
      }
    }
    _tile_stored(0, l.scores + g * 16, l.keys32 * 4);
    if (pair) _tile_stored(1, l.scores + (g + 1) * 16, l.keys32 * 4);
  }
}

// Each score row (plus its position bias, MPNet) becomes its softmax, in bf16, zero past the
// sequence up to keys32 (split: [hi | hi | lo]).
void Softmax(const Layout& l, size_t length, size_t first_query, const float* position_bias) {
  for (size_t r = 0; r < 16; ++r) {
    float* row = l.scores + r * l.keys32;
    if (position_bias != nullptr) {
      const float* bias = position_bias - static_cast<ptrdiff_t>(first_query + r);
      for (size_t j = 0; j < length; j += 16) {
        const __mmask16 mask = TailMask(length - j);
        _mm512_mask_storeu_ps(row + j, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, row + j), _mm512_maskz_loadu_ps(mask, bias + j)));
      }
    }
    __m512 peak = _mm512_set1_ps(-INFINITY);
    for (size_t j = 0; j < length; j += 16) peak = _mm512_mask_max_ps(peak, TailMask(length - j), peak, _mm512_loadu_ps(row + j));
    const __m512 peaks = _mm512_set1_ps(_mm512_reduce_max_ps(peak));
    __m512 total = _mm512_setzero_ps();
    float* e = l.scores + r * l.keys32;  // exponentials in place
    for (size_t j = 0; j < length; j += 16) {
      const __mmask16 mask = TailMask(length - j);
      const __m512 x = _mm512_maskz_mov_ps(mask, kernels::avx512::Exp(_mm512_sub_ps(_mm512_loadu_ps(row + j), peaks)));
      _mm512_mask_storeu_ps(e + j, mask, x);
      total = _mm512_add_ps(total, x);
    }
    const __m512 inverse = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(total));
    uint16_t* p = l.p + r * l.pkeys;
    for (size_t j = 0; j < l.keys32; j += 16) {
      const __m512 x = _mm512_maskz_mul_ps(TailMask(length > j ? length - j : 0), _mm512_loadu_ps(e + j), inverse);
      const __m256i hi = ToBf16(x);
      Store16(p + j, hi);
      if (l.parts == 1) continue;
      Store16(p + l.keys32 + j, hi);
      Store16(p + 2 * l.keys32 + j, LowHalf(x, hi));
    }
  }
}

// out[16][head_dim] = P strip · V.
void Context(const Layout& l, size_t head_dim) {
  for (size_t g0 = 0; g0 < l.dgroups; g0 += 4) {
    const size_t groups = std::min<size_t>(4, l.dgroups - g0);
    for (size_t g = 0; g < groups; ++g) {
      switch (g) {
        case 0: _tile_zero(0); break;
        case 1: _tile_zero(1); break;
        case 2: _tile_zero(2); break;
        default: _tile_zero(3); break;
      }
    }
    for (size_t s = 0; s < l.ksteps; ++s) {
      _tile_loadd(4, l.p + s * 32, l.pkeys * 2);
      const uint16_t* v = l.v + ((g0 * l.ksteps) + s) * 512;
      _tile_loadd(5, v, 64);
      _tile_dpbf16ps(0, 4, 5);
      if (groups > 1) {
        _tile_loadd(6, v + l.ksteps * 512, 64);
        _tile_dpbf16ps(1, 4, 6);
      }
      if (groups > 2) {
        _tile_loadd(5, v + 2 * l.ksteps * 512, 64);
        _tile_dpbf16ps(2, 4, 5);
      }
      if (groups > 3) {
        _tile_loadd(6, v + 3 * l.ksteps * 512, 64);
        _tile_dpbf16ps(3, 4, 6);
      }
    }
    float* out = l.out + g0 * 16;
    _tile_stored(0, out, head_dim * 4);
    if (groups > 1) _tile_stored(1, out + 16, head_dim * 4);
    if (groups > 2) _tile_stored(2, out + 32, head_dim * 4);
    if (groups > 3) _tile_stored(3, out + 48, head_dim * 4);
  }
}

}  // namespace

void AttentionHead(const HeadView& view, size_t length, size_t head_dim, float scale, bool split, float* scratch) {
  const Layout l = Carve(length, head_dim, split, scratch);
  Pack(view, length, head_dim, scale, l, l.key_rows);
  kernels::ConfigureFullTiles();
  for (size_t strip = 0; strip < l.rows16 / 16; ++strip) {
    Scores(l, strip);
    Softmax(l, length, strip * 16, view.position_bias);
    Context(l, head_dim);
    const size_t rows = std::min<size_t>(16, length - strip * 16);
    for (size_t r = 0; r < rows; ++r) {
      std::memcpy(view.out + (strip * 16 + r) * view.out_stride, l.out + r * head_dim, head_dim * sizeof(float));
    }
  }
  _tile_release();
}

}  // namespace sk::cpu::amx
