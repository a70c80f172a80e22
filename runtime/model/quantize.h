// Int8 weights from float ones (docs/model.md, "Int8 weights"): what
// `edgepiece quantize` writes. Lives beside the loader because it walks the
// same weights table (runtime/model/weights_layout.h) to know which file
// tensors are projection matrices.
#ifndef EDGEPIECE_RUNTIME_MODEL_QUANTIZE_H_
#define EDGEPIECE_RUNTIME_MODEL_QUANTIZE_H_

#include <string>

#include "runtime/base/status.h"
#include "runtime/model/safetensors.h"

namespace edgepiece {

// The bytes of a safetensors file holding `file`'s model with every
// projection matrix and the tied embedding as symmetric int8 (I8) plus an
// F16 scale per `group` columns of each row (F32 for a tensor whose scales
// F16 cannot hold as normal numbers), every other tensor as stored, and
// the metadata plus quantization "int8", group_size `group`. Group 0: the
// largest of 256, 128, ..., 1 that divides d, e and N (for the demo model
// 256, one scale per row of the d-wide matrices: docs/model.md). Errors: a
// file that is not a float edgepiece-lm model, or a group that does not
// divide d, e and N or exceeds kMaxInt8Group.
Result<std::string> QuantizeInt8(const SafetensorsFile& file, int group);

}  // namespace edgepiece

#endif  // EDGEPIECE_RUNTIME_MODEL_QUANTIZE_H_
