// The list of models. Adding a model: include its header and add one line
// (docs/adding-a-model.md).

#include "models/bdm.h"
#include "models/compromise.h"
#include "models/exchange.h"
#include "models/nash.h"
#include "models/parity.h"
#include "models/smp.h"
#include "unionstate/model.h"

namespace unionstate {

std::span<const RegisteredModel> RegisteredModels() {
  static const RegisteredModel kModels[] = {
      {&CompromiseInfo(), &MakeCompromise},
      {&NashInfo(), &MakeNash},
      {&ParityInfo(), &MakeParity},
      {&BdmInfo(), &MakeBdm},
      {&ExchangeInfo(), &MakeExchange},
      {&SmpInfo(), &MakeSmp},
  };
  return kModels;
}

}  // namespace unionstate
