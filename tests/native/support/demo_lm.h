// The bundled demo language model and its tokenizer (models/), loaded once per
// test binary, for tests that generate or score real text.
#ifndef EDGEPIECE_TESTS_NATIVE_SUPPORT_DEMO_LM_H_
#define EDGEPIECE_TESTS_NATIVE_SUPPORT_DEMO_LM_H_

#include <string>

#include "runtime/model/model.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgepiece::testing {

struct DemoLm {
  Model model;
  Tokenizer tokenizer;
};

// models/kjvzh-lm.safetensors and models/kjvzh-8k.model; never freed (tests
// share it across cases).
inline const DemoLm& Demo() {
  static const DemoLm* demo = new DemoLm{
      *Model::FromFile(std::string(EDGEPIECE_SOURCE_DIR) + "/models/kjvzh-lm.safetensors"),
      *Tokenizer::FromFile(std::string(EDGEPIECE_SOURCE_DIR) + "/models/kjvzh-8k.model")};
  return *demo;
}

}  // namespace edgepiece::testing

#endif  // EDGEPIECE_TESTS_NATIVE_SUPPORT_DEMO_LM_H_
