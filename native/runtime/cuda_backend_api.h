// The contract between the core and libsentencekit_cuda.so, the CUDA engine. The engine is its
// own shared library, opened with dlopen only when a caller asks for device 'cuda' or 'auto',
// so the CPU build never needs the CUDA runtime, a driver or cuBLAS.
//
// Like text-embeddings-inference's backends, the contract is small and works over one flat,
// unpadded batch: the token ids of every sequence back to back, with cumulative lengths
// (cu_seqlens[0] = 0, cu_seqlens[i + 1] - cu_seqlens[i] = length of sequence i). Plain C types
// only, so the two sides may be built by different compilers. Every function returns 0 on
// success, or non-zero with a message in `error` (NUL-terminated, truncated to error_size).
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Bumped whenever a signature or struct below changes; the loader refuses other versions.
#define SK_CUDA_BACKEND_ABI_VERSION 2

typedef enum {
  SK_CUDA_DTYPE_FLOAT32 = 0,
  SK_CUDA_DTYPE_FLOAT16 = 1,
  SK_CUDA_DTYPE_BFLOAT16 = 2,
} SkCudaDtype;

// The pooling modes of sentence-transformers' Pooling module.
typedef enum {
  SK_CUDA_POOL_MEAN = 0,
  SK_CUDA_POOL_CLS = 1,
  SK_CUDA_POOL_MAX = 2,
  SK_CUDA_POOL_MEAN_SQRT_LEN = 3,
  SK_CUDA_POOL_LAST_TOKEN = 4,
  SK_CUDA_POOL_WEIGHTED_MEAN = 5,
} SkCudaPooling;

// Row types of a device search corpus (queries come as float32, or int8 for an int8 corpus).
typedef enum {
  SK_CUDA_CORPUS_FLOAT32 = 0,
  SK_CUDA_CORPUS_FLOAT16 = 1,
  SK_CUDA_CORPUS_INT8 = 2,
} SkCudaCorpusType;

// The most hits per query a device search returns.
#define SK_CUDA_MAX_TOP_K 1024

typedef struct SkCudaEngine SkCudaEngine;
typedef struct SkCudaCorpus SkCudaCorpus;

typedef struct {
  char device_name[256];
  int compute_capability;     // major * 10 + minor
  size_t total_memory_bytes;
  int cublaslt_version;       // cublasLtGetVersion()
  int runtime_version;        // cudaRuntimeGetVersion()
  int driver_version;         // cudaDriverGetVersion()
} SkCudaDeviceInfo;

typedef struct {
  const char* model_dir;      // a folder with config.json and model.safetensors
  int dtype;                  // SkCudaDtype: weights and activations; accumulation is fp32
  int device_index;
  size_t max_tokens;          // the largest packed batch (sum of lengths) encode will be given
} SkCudaLoadOptions;

typedef struct {
  int hidden_size;
  int num_layers;
  int num_heads;
  int max_position;           // the longest sequence the position table allows
  char model_type[32];        // "bert", "roberta", …
  int num_labels;             // the sequence-classification head's labels; 0 without a head
  int vocab_size;
  int has_mlm_head;           // 1 when encode_splade can run (a masked-LM head was found)
} SkCudaModelInfo;

typedef struct {
  int abi_version;
  // Whether a device, a driver and cuBLASLt are usable; fills `info` when they are.
  int (*probe)(int device_index, SkCudaDeviceInfo* info, char* error, size_t error_size);
  int (*load)(const SkCudaLoadOptions* options, SkCudaEngine** out, char* error, size_t error_size);
  void (*model_info)(const SkCudaEngine* engine, SkCudaModelInfo* out);
  // Pooled (then, with normalize, L2-normalized) float32 rows: out[num_seqs * hidden_size].
  // type_ids may be NULL (all zeros). skip_leading tokens of each sequence are left out of
  // pooling (include_prompt: false; clamped so at least one token is pooled).
  int (*encode_pooled)(SkCudaEngine* engine, const int32_t* ids, const int32_t* type_ids,
                       const int32_t* cu_seqlens, int num_seqs, int pooling, int normalize,
                       int skip_leading, float* out, char* error, size_t error_size);
  // The last hidden state of every token as float32: out[cu_seqlens[num_seqs] * hidden_size].
  int (*encode_tokens)(SkCudaEngine* engine, const int32_t* ids, const int32_t* type_ids,
                       const int32_t* cu_seqlens, int num_seqs, float* out, char* error,
                       size_t error_size);
  void (*destroy)(SkCudaEngine* engine);
  // Raw logits of the sequence-classification head on each sequence's first token (a
  // cross-encoder): out[num_seqs * num_labels]. Fails when model_info says num_labels == 0.
  int (*encode_logits)(SkCudaEngine* engine, const int32_t* ids, const int32_t* type_ids,
                       const int32_t* cu_seqlens, int num_seqs, float* out, char* error, size_t error_size);

  // SPLADE weights of each sequence: out[num_seqs * vocab_size] = max over its tokens of
  // log1p(relu(masked-LM logits)) (log1p applied twice when log1p_twice != 0), computed over
  // chunks of tokens so the [tokens × vocab] logits are never all kept.
  int (*encode_splade)(SkCudaEngine* engine, const int32_t* ids, const int32_t* type_ids,
                       const int32_t* cu_seqlens, int num_seqs, int log1p_twice, float* out, char* error,
                       size_t error_size);

  // Search over a device-resident corpus (ABI 2). corpus_create makes rows × dim zero rows;
  // corpus_upload fills rows [first, first + count) from host memory: float32 rows for FLOAT32
  // and FLOAT16 corpora (narrowed on the device), int8 rows for INT8.
  int (*corpus_create)(int device_index, int type, size_t rows, int dim, SkCudaCorpus** out, char* error,
                       size_t error_size);
  int (*corpus_upload)(SkCudaCorpus* corpus, size_t first, size_t count, const void* rows, char* error,
                       size_t error_size);
  // queries: [num_queries, dim] float32 (int8 for an INT8 corpus). cosine != 0 normalizes both
  // sides (float corpora only). ids/scores: num_queries * min(top_k, rows) entries, each query's
  // best first, ties to the lower id; min(top_k, rows) <= SK_CUDA_MAX_TOP_K.
  int (*corpus_search)(SkCudaCorpus* corpus, const void* queries, int num_queries, int top_k, int cosine,
                       int32_t* ids, float* scores, char* error, size_t error_size);
  void (*corpus_destroy)(SkCudaCorpus* corpus);
  // Device-to-device cudaMemcpy bandwidth over two `bytes` buffers: (read + written) / time, GB/s.
  int (*copy_bandwidth)(int device_index, size_t bytes, double* gb_per_s, char* error, size_t error_size);
} SkCudaBackendApi;

// The one symbol the loader looks up.
const SkCudaBackendApi* sk_cuda_backend_api(void);
typedef const SkCudaBackendApi* (*SkCudaBackendApiFn)(void);

#ifdef __cplusplus
}
#endif
