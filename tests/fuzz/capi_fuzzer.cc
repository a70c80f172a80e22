// libFuzzer target: the C ABI (runtime/capi/edgepiece.h) driven the way the
// JS layer drives it. The fuzz bytes are a little program: each step's first
// byte picks a call (create/destroy a tokenizer, encoder, model, session or
// generator or streaming decoder; encode (nbest_size), encode_batch, decode,
// pack; decoder push/end; feed, sample, score, logits; generator
// start/next/flush; snapshot/restore), the following
// bytes its arguments. Handles live in a few slots, so calls come in any
// order, on null handles and after destroys the bindings allow (an encoder
// or session outliving its tokenizer or model). Every call must return a
// status, never crash; ASan checks the buffers it hands back.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/capi/edgepiece.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using edgepiece::fuzz::Fail;
using edgepiece::fuzz::FuzzInput;

constexpr int kSlots = 2;

struct Handles {
  ep_tokenizer* tokenizer[kSlots] = {};
  ep_encoder* encoder[kSlots] = {};
  ep_model* model[kSlots] = {};
  ep_session* session[kSlots] = {};
  ep_generator* generator[kSlots] = {};
  ep_decoder* decoder[kSlots] = {};
  int generator_of[kSlots] = {-1, -1};  // the session slot each generator borrows
  std::string snapshot;                 // the last snapshot taken

  ~Handles() {
    for (int i = 0; i < kSlots; ++i) {
      ep_generator_destroy(generator[i]);
      ep_decoder_destroy(decoder[i]);
      ep_encoder_destroy(encoder[i]);
      ep_session_destroy(session[i]);
      ep_tokenizer_destroy(tokenizer[i]);
      ep_model_destroy(model[i]);
    }
  }
};

// Reads bytes the C ABI handed back, so that ASan sees any that are not there.
uint32_t Touch(const void* p, size_t bytes) {
  if (bytes == 0) return 0;
  if (p == nullptr) Fail("null buffer with a nonzero size");
  uint32_t sum = 0;
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = 0; i < bytes; ++i) sum += b[i];
  return sum;
}

std::vector<int32_t> Ids(FuzzInput* in, int32_t vocab) {
  std::vector<int32_t> ids(in->Below(24));
  for (int32_t& id : ids) {
    const uint8_t b = in->Byte();
    id = b < 240 ? static_cast<int32_t>(in->Below(vocab > 0 ? vocab : 1))
                 : static_cast<int32_t>(b) - 250;
  }
  return ids;
}

void DestroyGenerator(Handles* h, int i) {
  ep_generator_destroy(h->generator[i]);
  h->generator[i] = nullptr;
  h->generator_of[i] = -1;
}

void DestroySession(Handles* h, int s) {
  // A generator borrows its session: the bindings destroy it first.
  for (int g = 0; g < kSlots; ++g) {
    if (h->generator_of[g] == s) DestroyGenerator(h, g);
  }
  ep_session_destroy(h->session[s]);
  h->session[s] = nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  Handles h;
  const std::string& tokenizer_file = edgepiece::fuzz::SmallTokenizerJson();
  const std::string& model_file = edgepiece::fuzz::TinyModelBytes();
  for (int step = 0; step < 64 && !in.empty(); ++step) {
    const uint8_t op = in.Byte();
    const int i = in.Byte() % kSlots;
    switch (op % 28) {
      case 0: {  // tokenizer create: the small one, a small .model, or fuzz bytes
        ep_tokenizer_destroy(h.tokenizer[i]);
        h.tokenizer[i] = nullptr;
        const uint8_t kind = in.Byte() % 4;
        if (kind == 0) {
          (void)ep_tokenizer_create(reinterpret_cast<const uint8_t*>(tokenizer_file.data()),
                                    tokenizer_file.size(), &h.tokenizer[i]);
        } else if (kind < 3) {
          const std::string& spm = edgepiece::fuzz::SmallSpmModel(kind == 2);
          (void)ep_tokenizer_create(reinterpret_cast<const uint8_t*>(spm.data()), spm.size(),
                                    &h.tokenizer[i]);
        } else {
          std::string_view bytes = in.Bytes(64);
          (void)ep_tokenizer_create(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                    &h.tokenizer[i]);
        }
        break;
      }
      case 1:
        ep_tokenizer_destroy(h.tokenizer[i]);
        h.tokenizer[i] = nullptr;
        break;
      case 2:
        if (h.tokenizer[i] == nullptr) break;
        ep_encoder_destroy(h.encoder[i]);
        h.encoder[i] = nullptr;
        (void)ep_encoder_create(h.tokenizer[i], in.Byte() % 3, in.U32(), &h.encoder[i]);
        break;
      case 3:
        ep_encoder_destroy(h.encoder[i]);
        h.encoder[i] = nullptr;
        break;
      case 4: {  // encode, maybe with another nbest_size first
        if (h.encoder[i] == nullptr) break;
        const int32_t flags = in.Byte() & 7;
        if (flags & 4) {
          static const int32_t kNBest[] = {-1, 0, 1, 2, 5, 512, 513, -100};
          ep_encoder_set_nbest_size(h.encoder[i], kNBest[in.Below(8)]);
        }
        const double alpha = in.Alpha();
        std::string_view text = in.Bytes(48);
        size_t n = 0;
        if (ep_encoder_encode(h.encoder[i], reinterpret_cast<const uint8_t*>(text.data()),
                              text.size(), alpha, flags, &n) == 0) {
          Touch(ep_encoder_ids(h.encoder[i]), n * sizeof(int32_t));
          if (flags & EP_ENCODE_OFFSETS) {
            Touch(ep_encoder_offsets(h.encoder[i]), 2 * n * sizeof(uint32_t));
          }
        }
        break;
      }
      case 5: {  // encode_batch
        if (h.encoder[i] == nullptr) break;
        // Text i is [ends[i-1], ends[i]): the caller's buffer holds max(ends)
        // bytes; decreasing ends are the C ABI's to reject.
        std::vector<uint32_t> ends(in.Below(5));
        uint32_t end = 0, max_end = 0;
        for (uint32_t& e : ends) {
          e = end = in.Below(16) == 0 ? end - std::min<uint32_t>(end, 3) : end + in.Below(13);
          max_end = std::max(max_end, e);
        }
        std::string texts(in.Bytes(48));
        texts.resize(max_end, 'a');
        size_t n = 0;
        if (ep_encoder_encode_batch(h.encoder[i], reinterpret_cast<const uint8_t*>(texts.data()),
                                    ends.data(), ends.size(), in.Alpha(), in.Byte() & 7, &n) == 0) {
          Touch(ep_encoder_ids(h.encoder[i]), n * sizeof(int32_t));
          Touch(ep_encoder_batch_ends(h.encoder[i]), ends.size() * sizeof(uint32_t));
        }
        break;
      }
      case 6: {  // decode
        if (h.encoder[i] == nullptr) break;
        std::vector<int32_t> ids = Ids(&in, 300);
        size_t n = 0;
        if (ep_encoder_decode(h.encoder[i], ids.data(), ids.size(), in.Bool(), &n) == 0) {
          Touch(ep_encoder_bytes(h.encoder[i]), n);
        }
        break;
      }
      case 7: {  // pack
        size_t n = 0;
        if (h.encoder[i] != nullptr && ep_encoder_pack(h.encoder[i], &n) == 0) {
          Touch(ep_encoder_bytes(h.encoder[i]), n);
        }
        break;
      }
      case 8:
        if (h.encoder[i] != nullptr) ep_encoder_seed(h.encoder[i], in.U32());
        break;
      case 9:  // model create: the tiny one (fuzzing weights is model_loader_fuzzer's job)
        ep_model_destroy(h.model[i]);
        h.model[i] = nullptr;
        (void)ep_model_create(reinterpret_cast<const uint8_t*>(model_file.data()),
                              model_file.size(), &h.model[i]);
        break;
      case 10:
        ep_model_destroy(h.model[i]);
        h.model[i] = nullptr;
        break;
      case 11:
        if (h.model[i] == nullptr) break;
        DestroySession(&h, i);
        (void)ep_session_create(h.model[i], in.U32(), &h.session[i]);
        break;
      case 12:
        DestroySession(&h, i);
        break;
      case 13: {  // feed
        if (h.session[i] == nullptr) break;
        std::vector<int32_t> ids = Ids(&in, ep_model_vocab_size(h.model[i]) + 2);
        (void)ep_session_feed(h.session[i], ids.data(), ids.size());
        break;
      }
      case 14: {  // sample, logits
        if (h.session[i] == nullptr) break;
        int32_t id = 0;
        (void)ep_session_sample(h.session[i], in.Byte() / 64.0f, in.Below(300) - 10,
                                in.Byte() / 200.0f, &id);
        std::vector<float> logits(in.Below(300));
        (void)ep_session_logits(h.session[i], logits.data(), logits.size());
        break;
      }
      case 15: {  // score, score_text
        if (h.session[i] == nullptr) break;
        std::vector<int32_t> ids = Ids(&in, 267);
        double log2_prob = 0;
        (void)ep_session_score(h.session[i], ids.data(), ids.size(), &log2_prob);
        if (h.tokenizer[i] != nullptr) {
          std::string_view text = in.Bytes(32);
          ep_score_result result;
          (void)ep_session_score_text(h.session[i], h.tokenizer[i],
                                      reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                      &result);
        }
        break;
      }
      case 16:
        if (h.session[i] != nullptr) ep_session_reset(h.session[i]);
        break;
      case 17: {  // snapshot, with a capacity that may be short
        if (h.session[i] == nullptr) break;
        const size_t want = ep_session_snapshot_size(h.session[i]);
        std::string out(in.Bool() ? want : in.Below(static_cast<uint32_t>(want) + 1), '\0');
        size_t n = 0;
        if (ep_session_snapshot(h.session[i], reinterpret_cast<uint8_t*>(out.data()), out.size(),
                                &n) == 0) {
          if (n != want) Fail("snapshot size is not ep_session_snapshot_size");
          h.snapshot = out.substr(0, n);
        }
        break;
      }
      case 18: {  // restore the last snapshot, maybe altered at one byte or truncated
        if (h.session[i] == nullptr) break;
        std::string bytes = h.snapshot;
        const uint8_t how = in.Byte();
        if (!bytes.empty() && how % 3 == 1) bytes[in.U32() % bytes.size()] ^= in.Byte() | 1;
        if (!bytes.empty() && how % 3 == 2) bytes.resize(in.U32() % bytes.size());
        (void)ep_session_restore(h.session[i], reinterpret_cast<const uint8_t*>(bytes.data()),
                                 bytes.size());
        break;
      }
      case 19:  // generator create on session i with tokenizer slot j
        if (h.session[i] == nullptr) break;
        {
          const int t = in.Byte() % kSlots;
          if (h.tokenizer[t] == nullptr) break;
          DestroyGenerator(&h, i);
          if (ep_generator_create(h.session[i], h.tokenizer[t], &h.generator[i]) == 0) {
            h.generator_of[i] = i;
          }
        }
        break;
      case 20:
        DestroyGenerator(&h, i);
        break;
      case 21: {  // generator start
        if (h.generator[i] == nullptr) break;
        ep_generate_options options;
        ep_generate_options_init(&options);
        options.temperature = in.Byte() / 64.0f;
        options.top_k = static_cast<int32_t>(in.Below(300)) - 10;
        options.top_p = in.Byte() / 200.0f;
        options.max_tokens = static_cast<int32_t>(in.Below(20)) - 2;
        options.stop_at_eos = in.Bool();
        options.reseed = in.Bool();
        options.seed = in.U32();
        options.append = in.Bool();
        std::string_view prompt = in.Bytes(24);
        (void)ep_generator_start(h.generator[i], reinterpret_cast<const uint8_t*>(prompt.data()),
                                 prompt.size(), in.Bool() ? &options : nullptr);
        break;
      }
      case 22: {  // generator next, a few times
        if (h.generator[i] == nullptr) break;
        for (int k = 1 + in.Below(8); k > 0; --k) {
          int32_t id = 0, done = 0;
          size_t n = 0;
          if (ep_generator_next(h.generator[i], &id, &n, &done) != 0) break;
          Touch(ep_generator_text(h.generator[i]), n);
          if (done != 0) break;
        }
        size_t prompt = 0, generated = 0;
        ep_generator_stats(h.generator[i], &prompt, &generated, nullptr, nullptr);
        break;
      }
      case 23:
        if (h.generator[i] != nullptr) (void)ep_generator_flush(h.generator[i]);
        break;
      case 24:  // decoder create on tokenizer slot i
        ep_decoder_destroy(h.decoder[i]);
        h.decoder[i] = nullptr;
        (void)ep_decoder_create(h.tokenizer[i], &h.decoder[i]);
        break;
      case 25:
        ep_decoder_destroy(h.decoder[i]);
        h.decoder[i] = nullptr;
        break;
      case 26: {  // decoder push
        if (h.decoder[i] == nullptr) break;
        std::vector<int32_t> ids = Ids(&in, 300);
        size_t n = 0;
        if (ep_decoder_push(h.decoder[i], ids.data(), ids.size(), &n) == 0) {
          Touch(ep_decoder_text(h.decoder[i]), n);
        }
        if (ep_decoder_pending(h.decoder[i]) > 3) Fail("the decoder holds back > 3 bytes");
        break;
      }
      case 27: {  // decoder end
        size_t n = 0;
        if (ep_decoder_end(h.decoder[i], &n) == 0) {
          Touch(ep_decoder_text(h.decoder[i]), n);
          if (ep_decoder_pending(h.decoder[i]) != 0) Fail("the decoder holds bytes after end");
        }
        break;
      }
    }
  }
  return 0;
}
