// The list of models. Adding a model: include its header and add one line
// (docs/adding-a-model.md).

#include "models/compromise.h"
#include "models/nash.h"
#include "models/smp.h"
#include "unionstate/model.h"

namespace unionstate {

std::span<const RegisteredModel> RegisteredModels() {
  static const RegisteredModel kModels[] = {
      {&CompromiseInfo(), &MakeCompromise},
      {&NashInfo(), &MakeNash},
      {&SmpInfo(), &MakeSmp},
  };
  return kModels;
}

}  // namespace unionstate
