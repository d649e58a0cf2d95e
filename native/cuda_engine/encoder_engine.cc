#include "cuda_engine/encoder_engine.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/config.h"
#include "cuda_engine/cublaslt_library.h"
#include "cuda_engine/device_buffer.h"
#include "cuda_engine/lt_gemm.h"
#include "model/head_names.h"
#include "model/safetensors_file.h"
#include "kernels/cuda/activation.cuh"
#include "kernels/cuda/attention.cuh"
#include "kernels/cuda/classifier_head.cuh"
#include "kernels/cuda/convert.cuh"
#include "kernels/cuda/layer_norm.cuh"
#include "kernels/cuda/splade.cuh"

namespace sk::cuda {
namespace {

using model::ReadEncoderConfig;
using model::SafetensorsEntry;
using model::SafetensorsFile;

template <typename T>
struct DataType;
template <>
struct DataType<float> {
  static constexpr cudaDataType_t kValue = CUDA_R_32F;
};
template <>
struct DataType<__half> {
  static constexpr cudaDataType_t kValue = CUDA_R_16F;
};
template <>
struct DataType<__nv_bfloat16> {
  static constexpr cudaDataType_t kValue = CUDA_R_16BF;
};

// SENTENCEKIT_CUDA_SYNC_CHECK=1 synchronizes after every launch, so a failing kernel is named
// (the harness turns it on; asynchronous errors otherwise surface at the next sync).
bool SyncCheck() {
  return GetConfig().cuda_sync_check;
}

#define SK_CUDA_LAUNCH(expr, what)                                                 \
  do {                                                                             \
    SK_RETURN_IF_ERROR(CudaStatus((expr), what));                                  \
    if (SyncCheck()) SK_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(stream_), what)); \
  } while (0)

struct LayerWeights {
  DeviceBuffer qkv_weight, qkv_bias;        // [3H, H], [3H]: query | key | value
  DeviceBuffer attn_out_weight, attn_out_bias;
  DeviceBuffer attn_norm_gamma, attn_norm_beta;
  DeviceBuffer inter_weight, inter_bias;    // [I, H], [I]
  DeviceBuffer out_weight, out_bias;        // [H, I], [H]
  DeviceBuffer out_norm_gamma, out_norm_beta;
};

template <typename T>
class TypedEncoder final : public EncoderEngine {
 public:
  ~TypedEncoder() override {
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }

  Status Init(const SkCudaLoadOptions& options) {
    SK_RETURN_IF_ERROR(CudaStatus(cudaSetDevice(options.device_index), "selecting the CUDA device"));
    device_ = options.device_index;
    const std::string dir = options.model_dir;
    SK_RETURN_IF_ERROR(ReadEncoderConfig(dir + "/config.json", &config_));
    // The CPU engine's later architectures have other layers (names, or pre-norm with rotary).
    if (config_.is_distilbert() || config_.is_modernbert()) {
      return ModelLoadError(dir + "/config.json: model_type \"" + config_.model_type +
                            "\" is not supported by the CUDA engine yet (it runs bert, roberta, xlm-roberta and mpnet)");
    }
    if (!AttentionSupportsHeadDim(config_.head_dim())) {
      return ModelLoadError(dir + "/config.json: attention head size " + std::to_string(config_.head_dim()) +
                            " is not supported by the CUDA engine (8, 16, 32 or 64)");
    }
    std::string error;
    const CublasLtLibrary* lib = CublasLtLibrary::Get(&error);
    if (lib == nullptr) return Status(StatusCode::kCudaUnavailable, error);
    SK_RETURN_IF_ERROR(CudaStatus(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "creating a stream"));
    SK_RETURN_IF_ERROR(gemm_.Init(lib, DataType<T>::kValue));
    SafetensorsFile file;
    SK_RETURN_IF_ERROR(file.Open(dir + "/model.safetensors"));
    SK_RETURN_IF_ERROR(LoadWeights(file));
    SK_RETURN_IF_ERROR(LoadClassificationHead(file));
    SK_RETURN_IF_ERROR(LoadMaskedLmHead(file));
    SK_RETURN_IF_ERROR(Reserve(std::max<size_t>(options.max_tokens, 512), 1));
    return CudaStatus(cudaStreamSynchronize(stream_), "uploading the weights");
  }

  const EncoderConfig& config() const override { return config_; }

  Status EncodePooled(const PackedBatch& batch, PoolMode mode, bool normalize, int skip_leading,
                      float* out) override {
    std::lock_guard<std::mutex> lock(mutex_);
    SK_RETURN_IF_ERROR(Forward(batch));
    const size_t hidden = config_.hidden_size;
    SK_CUDA_LAUNCH(PoolSequences<T>(hidden_.as<T>(), device_inputs_.as<int32_t>() + cu_offset_, batch.num_seqs,
                                    config_.hidden_size, mode, skip_leading, pooled_.as<float>(), stream_),
                   "pooling");
    if (normalize) {
      SK_CUDA_LAUNCH(L2NormalizeRows(pooled_.as<float>(), batch.num_seqs, config_.hidden_size, stream_), "normalizing");
    }
    const size_t bytes = batch.num_seqs * hidden * sizeof(float);
    SK_RETURN_IF_ERROR(host_out_.Reserve(bytes, "output"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(host_out_.as<void>(), pooled_.as<void>(), bytes,
                                                  cudaMemcpyDeviceToHost, stream_), "copying embeddings back"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(stream_), "running the encoder"));
    std::memcpy(out, host_out_.as<void>(), bytes);
    return Status::Ok();
  }

  int num_labels() const override { return num_labels_; }

  Status EncodeLogits(const PackedBatch& batch, float* out) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (num_labels_ == 0) {
      return InvalidArgument("this model has no sequence-classification head (pooler.dense + classifier, or "
                             "classifier.dense + classifier.out_proj) in model.safetensors");
    }
    SK_RETURN_IF_ERROR(Forward(batch));
    const size_t bytes = static_cast<size_t>(batch.num_seqs) * num_labels_ * sizeof(float);
    SK_RETURN_IF_ERROR(logits_.Reserve(bytes, "logits"));
    SK_CUDA_LAUNCH(ClassificationHead<T>(hidden_.as<T>(), device_inputs_.as<int32_t>() + cu_offset_, batch.num_seqs,
                                         config_.hidden_size, head_dense_w_.as<float>(), head_dense_b_.as<float>(),
                                         head_out_w_.as<float>(), head_out_b_.as<float>(), num_labels_,
                                         logits_.as<float>(), stream_),
                   "classification head");
    SK_RETURN_IF_ERROR(host_out_.Reserve(bytes, "output"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(host_out_.as<void>(), logits_.as<void>(), bytes,
                                                  cudaMemcpyDeviceToHost, stream_), "copying logits back"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(stream_), "running the encoder"));
    std::memcpy(out, host_out_.as<void>(), bytes);
    return Status::Ok();
  }

  bool has_mlm_head() const override { return has_mlm_; }

  Status EncodeSplade(const PackedBatch& batch, bool log1p_twice, float* out) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!has_mlm_) {
      return InvalidArgument("this model has no masked-LM head (cls.predictions or lm_head) in model.safetensors");
    }
    SK_RETURN_IF_ERROR(Forward(batch));
    const int tokens = tokens_, H = config_.hidden_size, V = config_.vocab_size;
    // The head's transform: LayerNorm(act(hidden · Wᵀ + b)), the LayerNorm through the residual
    // kernel with a zero residual and a zero bias (context_ is free after the last layer).
    SK_RETURN_IF_ERROR(gemm_.Run(hidden_.as<T>(), mlm_dense_w_.as<T>(), projected_.as<T>(), tokens, H, H, stream_));
    SK_CUDA_LAUNCH(BiasActivation<T>(projected_.as<T>(), mlm_dense_b_.as<T>(), tokens, H, config_.activation, stream_),
                   "MLM transform activation");
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemsetAsync(context_.as<void>(), 0, static_cast<size_t>(tokens) * H * sizeof(T),
                                                  stream_), "MLM transform"));
    SK_CUDA_LAUNCH(BiasResidualLayerNorm<T>(projected_.as<T>(), mlm_zero_bias_.as<T>(), mlm_norm_gamma_.as<T>(),
                                            mlm_norm_beta_.as<T>(), tokens, H, config_.layer_norm_eps, context_.as<T>(),
                                            stream_), "MLM transform LayerNorm");
    // Which sequence each packed token belongs to, for the fold.
    token_seq_host_.resize(tokens);
    for (int s = 0; s < batch.num_seqs; ++s) {
      for (int t = batch.cu_seqlens[s]; t < batch.cu_seqlens[s + 1]; ++t) token_seq_host_[t] = s;
    }
    SK_RETURN_IF_ERROR(token_seq_.Reserve(static_cast<size_t>(tokens) * sizeof(int32_t), "token sequences"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(token_seq_.as<void>(), token_seq_host_.data(), tokens * sizeof(int32_t),
                                                  cudaMemcpyHostToDevice, stream_), "uploading token sequences"));
    const size_t max_bytes = static_cast<size_t>(batch.num_seqs) * V * sizeof(float);
    SK_RETURN_IF_ERROR(splade_max_.Reserve(max_bytes, "SPLADE maxima"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemsetAsync(splade_max_.as<void>(), 0, max_bytes, stream_), "SPLADE maxima"));
    // Decoder logits for at most kSpladeChunkBytes at a time.
    constexpr size_t kSpladeChunkBytes = 64u << 20;
    const int chunk = static_cast<int>(std::max<size_t>(1, kSpladeChunkBytes / (static_cast<size_t>(V) * sizeof(T))));
    SK_RETURN_IF_ERROR(mlm_logits_.Reserve(static_cast<size_t>(std::min(chunk, tokens)) * V * sizeof(T), "MLM logits"));
    const T* decoder = mlm_decoder_w_.bytes() > 0 ? mlm_decoder_w_.as<T>() : word_.as<T>();
    for (int start = 0; start < tokens; start += chunk) {
      const int rows = std::min(chunk, tokens - start);
      SK_RETURN_IF_ERROR(gemm_.Run(context_.as<T>() + static_cast<size_t>(start) * H, decoder, mlm_logits_.as<T>(), rows,
                                   V, H, stream_));
      SK_CUDA_LAUNCH(SpladeFoldChunk<T>(mlm_logits_.as<T>(), start, rows, token_seq_.as<int32_t>(), V,
                                        mlm_bias_.as<float>(), splade_max_.as<float>(), stream_), "SPLADE fold");
    }
    const size_t count = static_cast<size_t>(batch.num_seqs) * V;
    SK_CUDA_LAUNCH(SpladeFinish(splade_max_.as<float>(), count, log1p_twice, stream_), "SPLADE log1p");
    SK_RETURN_IF_ERROR(host_out_.Reserve(max_bytes, "output"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(host_out_.as<void>(), splade_max_.as<void>(), max_bytes,
                                                  cudaMemcpyDeviceToHost, stream_), "copying SPLADE weights back"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(stream_), "running the encoder"));
    std::memcpy(out, host_out_.as<void>(), max_bytes);
    return Status::Ok();
  }

  Status EncodeTokens(const PackedBatch& batch, float* out) override {
    std::lock_guard<std::mutex> lock(mutex_);
    SK_RETURN_IF_ERROR(Forward(batch));
    const size_t count = static_cast<size_t>(tokens_) * config_.hidden_size;
    SK_RETURN_IF_ERROR(token_floats_.Reserve(count * sizeof(float), "token outputs"));
    if constexpr (std::is_same_v<T, float>) {
      SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(token_floats_.as<void>(), hidden_.as<void>(), count * sizeof(float),
                                                    cudaMemcpyDeviceToDevice, stream_), "copying tokens"));
    } else {
      // Widened through the pooling kernel's conversion: the identity "pool" of one token each.
      SK_RETURN_IF_ERROR(WidenTokens(count));
    }
    SK_RETURN_IF_ERROR(host_out_.Reserve(count * sizeof(float), "output"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(host_out_.as<void>(), token_floats_.as<void>(), count * sizeof(float),
                                                  cudaMemcpyDeviceToHost, stream_), "copying tokens back"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(stream_), "running the encoder"));
    std::memcpy(out, host_out_.as<void>(), count * sizeof(float));
    return Status::Ok();
  }

 private:
  Status Upload(SafetensorsFile& file, const std::string& name, const std::vector<int64_t>& shape,
                DeviceBuffer* target) {
    std::vector<float> values;
    SK_RETURN_IF_ERROR(file.ReadFloat32(prefix_ + name, shape, &values));
    return UploadValues(values, target, name.c_str());
  }

  Status UploadValues(const std::vector<float>& values, DeviceBuffer* target, const char* what) {
    SK_RETURN_IF_ERROR(staging_.Reserve(values.size() * sizeof(float), "weight staging"));
    SK_RETURN_IF_ERROR(target->Reserve(values.size() * sizeof(T), what));
    // On stream_ itself: a plain cudaMemcpy from pageable memory may return before its DMA ends,
    // and stream_ (non-blocking) would not wait for it. The sync below keeps `values` and
    // staging_ alive until the conversion has read them.
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(staging_.as<void>(), values.data(), values.size() * sizeof(float),
                                                  cudaMemcpyHostToDevice, stream_), "uploading weights"));
    SK_RETURN_IF_ERROR(CudaStatus(ConvertFromFloat<T>(staging_.as<float>(), values.size(), target->as<T>(), stream_),
                                  "converting weights"));
    return CudaStatus(cudaStreamSynchronize(stream_), "converting weights");
  }

  // float32 on the device whatever T is (the head runs in fp32).
  Status UploadFloat(SafetensorsFile& file, const std::string& name, const std::vector<int64_t>& shape,
                     DeviceBuffer* target) {
    std::vector<float> values;
    SK_RETURN_IF_ERROR(file.ReadFloat32(name, shape, &values));
    SK_RETURN_IF_ERROR(target->Reserve(values.size() * sizeof(float), name.c_str()));
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(target->as<void>(), values.data(), values.size() * sizeof(float),
                                                  cudaMemcpyHostToDevice, stream_), "uploading the head"));
    return CudaStatus(cudaStreamSynchronize(stream_), "uploading the head");  // `values` must outlive the copy
  }

  // The sequence-classification head, when the file has one. Head tensors sit outside the base
  // model's prefix (classifier.*), except BERT's pooler, which is inside it (bert.pooler.*).
  Status LoadClassificationHead(SafetensorsFile& file) {
    model::ClassificationHeadNames names;
    if (!model::FindClassificationHead(file, prefix_, &names)) return Status::Ok();
    const std::string& dense = names.dense;
    const std::string& out = names.out;
    const SafetensorsEntry* entry = file.Find(out + ".weight");
    const int64_t H = config_.hidden_size;
    if (entry == nullptr || entry->shape.size() != 2 || entry->shape[1] != H || entry->shape[0] <= 0 ||
        entry->shape[0] > 65536) {
      return ModelLoadError(file.path() + ": " + out + ".weight is not [labels, " + std::to_string(H) + "]");
    }
    const int64_t labels = entry->shape[0];
    SK_RETURN_IF_ERROR(UploadFloat(file, dense + ".weight", {H, H}, &head_dense_w_));
    SK_RETURN_IF_ERROR(UploadFloat(file, dense + ".bias", {H}, &head_dense_b_));
    SK_RETURN_IF_ERROR(UploadFloat(file, out + ".weight", {labels, H}, &head_out_w_));
    SK_RETURN_IF_ERROR(UploadFloat(file, out + ".bias", {labels}, &head_out_b_));
    num_labels_ = static_cast<int>(labels);
    return Status::Ok();
  }

  // The masked-LM head, when the file has one: transform (dense + activation + LayerNorm) in T for
  // the GEMMs, the decoder (its own tensor, else tied to the word embeddings) and its bias (fp32).
  Status LoadMaskedLmHead(SafetensorsFile& file) {
    model::MaskedLmHeadNames names;
    if (!model::FindMaskedLmHead(file, &names)) return Status::Ok();
    const std::string& dense = names.dense;
    const std::string& norm = names.norm;
    const std::string& decoder = names.decoder;
    const std::string& bias = names.bias;
    const int64_t H = config_.hidden_size, V = config_.vocab_size;
    std::vector<float> values;
    auto upload = [&](const std::string& name, const std::vector<int64_t>& shape, DeviceBuffer* target) -> Status {
      SK_RETURN_IF_ERROR(file.ReadFloat32(name, shape, &values));
      return UploadValues(values, target, name.c_str());
    };
    SK_RETURN_IF_ERROR(upload(dense + ".weight", {H, H}, &mlm_dense_w_));
    SK_RETURN_IF_ERROR(upload(dense + ".bias", {H}, &mlm_dense_b_));
    SK_RETURN_IF_ERROR(upload(norm + ".weight", {H}, &mlm_norm_gamma_));
    SK_RETURN_IF_ERROR(upload(norm + ".bias", {H}, &mlm_norm_beta_));
    if (file.Has(decoder)) SK_RETURN_IF_ERROR(upload(decoder, {V, H}, &mlm_decoder_w_));
    SK_RETURN_IF_ERROR(UploadFloat(file, bias, {V}, &mlm_bias_));
    SK_RETURN_IF_ERROR(UploadValues(std::vector<float>(H, 0.0f), &mlm_zero_bias_, "zero bias"));
    has_mlm_ = true;
    return Status::Ok();
  }

  Status LoadWeights(SafetensorsFile& file) {
    // The base model's tensors, whether saved bare (AutoModel) or inside a head model.
    prefix_ = model::FindBasePrefix(file);
    const int64_t H = config_.hidden_size, I = config_.intermediate_size;
    SK_RETURN_IF_ERROR(Upload(file, "embeddings.word_embeddings.weight", {config_.vocab_size, H}, &word_));
    SK_RETURN_IF_ERROR(Upload(file, "embeddings.position_embeddings.weight", {config_.max_position_embeddings, H}, &position_));
    if (config_.type_vocab_size > 0) {
      SK_RETURN_IF_ERROR(Upload(file, "embeddings.token_type_embeddings.weight", {config_.type_vocab_size, H}, &token_type_));
    }
    SK_RETURN_IF_ERROR(Upload(file, "embeddings.LayerNorm.weight", {H}, &embed_gamma_));
    SK_RETURN_IF_ERROR(Upload(file, "embeddings.LayerNorm.bias", {H}, &embed_beta_));
    // BERT/RoBERTa name the attention's parts attention.self.{query,key,value} and
    // attention.output.{dense,LayerNorm}; MPNet attention.attn.{q,k,v,o} and attention.LayerNorm.
    const bool mpnet = config_.relative_buckets > 0;
    const std::vector<std::string> qkv_names = mpnet ? std::vector<std::string>{"attention.attn.q", "attention.attn.k", "attention.attn.v"}
                                                     : std::vector<std::string>{"attention.self.query", "attention.self.key", "attention.self.value"};
    const std::string attn_out = mpnet ? "attention.attn.o" : "attention.output.dense";
    const std::string attn_norm = mpnet ? "attention.LayerNorm" : "attention.output.LayerNorm";
    for (int l = 0; l < config_.num_layers; ++l) {
      const std::string base = "encoder.layer." + std::to_string(l) + ".";
      layers_.push_back(std::make_unique<LayerWeights>());
      LayerWeights& layer = *layers_.back();
      std::vector<float> qkv_weight, qkv_bias, part;
      for (const std::string& which : qkv_names) {
        SK_RETURN_IF_ERROR(file.ReadFloat32(prefix_ + base + which + ".weight", {H, H}, &part));
        qkv_weight.insert(qkv_weight.end(), part.begin(), part.end());
        SK_RETURN_IF_ERROR(file.ReadFloat32(prefix_ + base + which + ".bias", {H}, &part));
        qkv_bias.insert(qkv_bias.end(), part.begin(), part.end());
      }
      SK_RETURN_IF_ERROR(UploadValues(qkv_weight, &layer.qkv_weight, "qkv weight"));
      SK_RETURN_IF_ERROR(UploadValues(qkv_bias, &layer.qkv_bias, "qkv bias"));
      SK_RETURN_IF_ERROR(Upload(file, base + attn_out + ".weight", {H, H}, &layer.attn_out_weight));
      SK_RETURN_IF_ERROR(Upload(file, base + attn_out + ".bias", {H}, &layer.attn_out_bias));
      SK_RETURN_IF_ERROR(Upload(file, base + attn_norm + ".weight", {H}, &layer.attn_norm_gamma));
      SK_RETURN_IF_ERROR(Upload(file, base + attn_norm + ".bias", {H}, &layer.attn_norm_beta));
      SK_RETURN_IF_ERROR(Upload(file, base + "intermediate.dense.weight", {I, H}, &layer.inter_weight));
      SK_RETURN_IF_ERROR(Upload(file, base + "intermediate.dense.bias", {I}, &layer.inter_bias));
      SK_RETURN_IF_ERROR(Upload(file, base + "output.dense.weight", {H, I}, &layer.out_weight));
      SK_RETURN_IF_ERROR(Upload(file, base + "output.dense.bias", {H}, &layer.out_bias));
      SK_RETURN_IF_ERROR(Upload(file, base + "output.LayerNorm.weight", {H}, &layer.out_norm_gamma));
      SK_RETURN_IF_ERROR(Upload(file, base + "output.LayerNorm.bias", {H}, &layer.out_norm_beta));
    }
    if (mpnet) {
      // The bias depends only on key - query: one table for every layer and batch, made once.
      DeviceBuffer weight;
      SK_RETURN_IF_ERROR(Upload(file, "encoder.relative_attention_bias.weight", {config_.relative_buckets, config_.num_heads}, &weight));
      bias_span_ = config_.max_sequence();
      SK_RETURN_IF_ERROR(position_bias_.Reserve(static_cast<size_t>(2 * bias_span_ - 1) * config_.num_heads * sizeof(float),
                                                "relative position bias"));
      SK_RETURN_IF_ERROR(CudaStatus(BuildRelativePositionBias<T>(weight.as<T>(), config_.relative_buckets, config_.num_heads,
                                                                 bias_span_, position_bias_.as<float>(), stream_),
                                    "relative position bias"));
      SK_RETURN_IF_ERROR(CudaStatus(cudaStreamSynchronize(stream_), "relative position bias"));
    }
    return Status::Ok();
  }

  Status Reserve(size_t tokens, size_t seqs) {
    const size_t H = config_.hidden_size, I = config_.intermediate_size;
    SK_RETURN_IF_ERROR(hidden_.Reserve(tokens * H * sizeof(T), "hidden states"));
    SK_RETURN_IF_ERROR(qkv_.Reserve(tokens * 3 * H * sizeof(T), "qkv"));
    SK_RETURN_IF_ERROR(context_.Reserve(tokens * H * sizeof(T), "attention output"));
    SK_RETURN_IF_ERROR(projected_.Reserve(tokens * H * sizeof(T), "projections"));
    SK_RETURN_IF_ERROR(intermediate_.Reserve(tokens * I * sizeof(T), "feed-forward"));
    SK_RETURN_IF_ERROR(pooled_.Reserve(seqs * H * sizeof(float), "pooled"));
    const size_t input_ints = 3 * tokens + seqs + 1;
    SK_RETURN_IF_ERROR(device_inputs_.Reserve(input_ints * sizeof(int32_t), "inputs"));
    return host_inputs_.Reserve(input_ints * sizeof(int32_t), "inputs");
  }

  // Checks the batch, uploads it (ids | type ids | positions | cu_seqlens, one copy) and runs
  // the transformer; the last hidden state is left in hidden_.
  Status Forward(const PackedBatch& batch) {
    SK_RETURN_IF_ERROR(CudaStatus(cudaSetDevice(device_), "selecting the CUDA device"));
    if (batch.num_seqs <= 0 || batch.cu_seqlens == nullptr || batch.ids == nullptr) {
      return InvalidArgument("the CUDA engine was given an empty batch");
    }
    if (batch.cu_seqlens[0] != 0) return InvalidArgument("cu_seqlens must start at 0");
    int max_len = 0;
    for (int s = 0; s < batch.num_seqs; ++s) {
      const int length = batch.cu_seqlens[s + 1] - batch.cu_seqlens[s];
      if (length <= 0 || length > config_.max_sequence()) {
        return InvalidArgument("sequence " + std::to_string(s) + " has " + std::to_string(length) +
                               " tokens; the model takes 1 to " + std::to_string(config_.max_sequence()));
      }
      max_len = std::max(max_len, length);
    }
    const int tokens = batch.cu_seqlens[batch.num_seqs];
    SK_RETURN_IF_ERROR(Reserve(tokens, batch.num_seqs));
    int32_t* host = host_inputs_.as<int32_t>();
    for (int t = 0; t < tokens; ++t) {
      const int32_t id = batch.ids[t];
      if (id < 0 || id >= config_.vocab_size) return InvalidArgument("token id " + std::to_string(id) + " is outside the vocabulary");
      const int32_t type = batch.type_ids == nullptr ? 0 : batch.type_ids[t];
      if (type < 0 || (type > 0 && type >= config_.type_vocab_size)) return InvalidArgument("token type " + std::to_string(type) + " is out of range");
      host[t] = id;
      host[tokens + t] = type;
    }
    for (int s = 0; s < batch.num_seqs; ++s) {
      for (int t = batch.cu_seqlens[s]; t < batch.cu_seqlens[s + 1]; ++t) {
        host[2 * tokens + t] = config_.position_offset + (t - batch.cu_seqlens[s]);
      }
    }
    cu_offset_ = 3 * static_cast<size_t>(tokens);
    std::memcpy(host + cu_offset_, batch.cu_seqlens, (batch.num_seqs + 1) * sizeof(int32_t));
    const size_t input_bytes = (cu_offset_ + batch.num_seqs + 1) * sizeof(int32_t);
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(device_inputs_.as<void>(), host, input_bytes, cudaMemcpyHostToDevice,
                                                  stream_), "uploading the batch"));
    tokens_ = tokens;
    const int32_t* d_ids = device_inputs_.as<int32_t>();
    const int32_t* d_types = d_ids + tokens;
    const int32_t* d_positions = d_ids + 2 * tokens;
    const int32_t* d_cu = d_ids + cu_offset_;
    const int H = config_.hidden_size, I = config_.intermediate_size;
    const float eps = config_.layer_norm_eps;

    SK_CUDA_LAUNCH(EmbeddingLayerNorm<T>(d_ids, d_types, d_positions, word_.as<T>(), position_.as<T>(),
                                         config_.type_vocab_size > 0 ? token_type_.as<T>() : nullptr,
                                         embed_gamma_.as<T>(), embed_beta_.as<T>(), tokens, H, eps, hidden_.as<T>(),
                                         stream_), "embeddings");
    for (const auto& owned : layers_) {
      const LayerWeights& layer = *owned;
      SK_RETURN_IF_ERROR(gemm_.Run(hidden_.as<T>(), layer.qkv_weight.as<T>(), qkv_.as<T>(), tokens, 3 * H, H, stream_));
      SK_CUDA_LAUNCH(VarlenAttention<T>(qkv_.as<T>(), layer.qkv_bias.as<T>(), d_cu, batch.num_seqs, max_len,
                                        config_.num_heads, config_.head_dim(),
                                        config_.relative_buckets > 0 ? position_bias_.as<float>() : nullptr, bias_span_,
                                        context_.as<T>(), stream_), "attention");
      SK_RETURN_IF_ERROR(gemm_.Run(context_.as<T>(), layer.attn_out_weight.as<T>(), projected_.as<T>(), tokens, H, H, stream_));
      SK_CUDA_LAUNCH(BiasResidualLayerNorm<T>(projected_.as<T>(), layer.attn_out_bias.as<T>(), layer.attn_norm_gamma.as<T>(),
                                              layer.attn_norm_beta.as<T>(), tokens, H, eps, hidden_.as<T>(), stream_),
                     "attention LayerNorm");
      SK_RETURN_IF_ERROR(gemm_.Run(hidden_.as<T>(), layer.inter_weight.as<T>(), intermediate_.as<T>(), tokens, I, H, stream_));
      SK_CUDA_LAUNCH(BiasActivation<T>(intermediate_.as<T>(), layer.inter_bias.as<T>(), tokens, I, config_.activation, stream_),
                     "activation");
      SK_RETURN_IF_ERROR(gemm_.Run(intermediate_.as<T>(), layer.out_weight.as<T>(), projected_.as<T>(), tokens, H, I, stream_));
      SK_CUDA_LAUNCH(BiasResidualLayerNorm<T>(projected_.as<T>(), layer.out_bias.as<T>(), layer.out_norm_gamma.as<T>(),
                                              layer.out_norm_beta.as<T>(), tokens, H, eps, hidden_.as<T>(), stream_),
                     "output LayerNorm");
    }
    return Status::Ok();
  }

  Status WidenTokens(size_t count) {
    // CLS-pooling every token as its own one-token sequence widens T to float.
    std::vector<int32_t> cu(tokens_ + 1);
    for (int t = 0; t <= tokens_; ++t) cu[t] = t;
    SK_RETURN_IF_ERROR(widen_cu_.Reserve(cu.size() * sizeof(int32_t), "token offsets"));
    SK_RETURN_IF_ERROR(CudaStatus(cudaMemcpyAsync(widen_cu_.as<void>(), cu.data(), cu.size() * sizeof(int32_t),
                                                  cudaMemcpyHostToDevice, stream_), "token offsets"));
    SK_CUDA_LAUNCH(PoolSequences<T>(hidden_.as<T>(), widen_cu_.as<int32_t>(), tokens_, config_.hidden_size, PoolMode::kCls,
                                    0, token_floats_.as<float>(), stream_), "widening tokens");
    (void)count;
    // cu must outlive the asynchronous copy.
    return CudaStatus(cudaStreamSynchronize(stream_), "widening tokens");
  }

  EncoderConfig config_;
  int device_ = 0;
  std::string prefix_;
  cudaStream_t stream_ = nullptr;
  std::mutex mutex_;
  LtGemm gemm_;
  DeviceBuffer staging_;
  DeviceBuffer word_, position_, token_type_, embed_gamma_, embed_beta_;
  std::vector<std::unique_ptr<LayerWeights>> layers_;  // buffers do not move
  DeviceBuffer hidden_, qkv_, context_, projected_, intermediate_, pooled_, device_inputs_, token_floats_, widen_cu_;
  PinnedBuffer host_inputs_, host_out_;
  DeviceBuffer position_bias_;  // MPNet: [heads, 2 * bias_span_ - 1]
  DeviceBuffer head_dense_w_, head_dense_b_, head_out_w_, head_out_b_, logits_;  // classification head (fp32)
  int num_labels_ = 0;
  // Masked-LM head (SPLADE): transform in T, decoder in T (empty: tied to word_), bias fp32.
  DeviceBuffer mlm_dense_w_, mlm_dense_b_, mlm_norm_gamma_, mlm_norm_beta_, mlm_decoder_w_, mlm_bias_, mlm_zero_bias_;
  DeviceBuffer mlm_logits_, splade_max_, token_seq_;
  std::vector<int32_t> token_seq_host_;
  bool has_mlm_ = false;
  int bias_span_ = 0;
  size_t cu_offset_ = 0;
  int tokens_ = 0;
};

template <typename T>
Status LoadTyped(const SkCudaLoadOptions& options, std::unique_ptr<EncoderEngine>* out) {
  auto engine = std::make_unique<TypedEncoder<T>>();
  SK_RETURN_IF_ERROR(engine->Init(options));
  *out = std::move(engine);
  return Status::Ok();
}

}  // namespace

Status EncoderEngine::Load(const SkCudaLoadOptions& options, std::unique_ptr<EncoderEngine>* out) {
  if (options.model_dir == nullptr) return InvalidArgument("no model folder");
  switch (options.dtype) {
    case SK_CUDA_DTYPE_FLOAT32: return LoadTyped<float>(options, out);
    case SK_CUDA_DTYPE_FLOAT16: return LoadTyped<__half>(options, out);
    case SK_CUDA_DTYPE_BFLOAT16: return LoadTyped<__nv_bfloat16>(options, out);
    default: return InvalidArgument("unknown CUDA dtype " + std::to_string(options.dtype));
  }
}

}  // namespace sk::cuda
